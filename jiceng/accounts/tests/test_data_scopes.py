"""The role × scope matrix: who sees which person, unit and post, and what happens outside the scope."""

import pytest
from django.urls import reverse

from jiceng.accounts.models import RoleAssignment
from jiceng.accounts.roles import Role, Scope
from jiceng.orgs.models import Person, Unit

# person attribute on cast.people → users (on cast.users) that must see that person
VISIBILITY = {
    "east_clerk": {"admin", "staffing", "dispatcher", "east_leader", "east_clerk"},
    "east_staff": {"admin", "staffing", "dispatcher", "east_leader", "east_head"},
    # 赵借 works at the hall with a quota in the office: both the hall and the office may see him.
    "east_separated": {"admin", "staffing", "dispatcher", "east_leader", "east_head", "east_clerk"},
    "west_staff": {"admin", "staffing", "dispatcher", "west_leader", "custom"},
    "grid": {"admin", "staffing", "dispatcher", "east_leader", "grid"},
    "land": {"admin", "staffing", "dispatcher", "department"},
}
USERS = [
    "admin",
    "staffing",
    "department",
    "dispatcher",
    "east_leader",
    "west_leader",
    "east_head",
    "east_clerk",
    "agent",
    "grid",
    "custom",
]


@pytest.mark.parametrize("user_name", USERS)
def test_person_pages_follow_the_scope_matrix(client, cast, user_name):
    user = getattr(cast.users, user_name)
    client.force_login(user)
    for person_name, allowed in VISIBILITY.items():
        person = getattr(cast.people, person_name)
        response = client.get(reverse("orgs:person", args=[person.pk]))
        expected = 200 if user_name in allowed else 404
        assert response.status_code == expected, f"{user_name} → {person_name}: {response.status_code}"


@pytest.mark.parametrize("user_name", USERS)
def test_person_api_lists_exactly_the_scope(client, cast, user_name):
    client.force_login(getattr(cast.users, user_name))
    response = client.get("/api/v1/people/?page_size=500")
    names = {row["name"] for row in response.json()["results"]}
    expected = {getattr(cast.people, p).name for p, allowed in VISIBILITY.items() if user_name in allowed}
    assert names == expected


def test_a_township_clerk_gets_404_not_403_for_another_townships_person(client, cast):
    client.force_login(cast.users.east_clerk)
    response = client.get(reverse("orgs:person", args=[cast.people.west_staff.pk]))
    assert response.status_code == 404
    assert "数据范围" in response.content.decode()


def test_the_county_staffing_office_sees_everyone(cast):
    assert Person.objects.visible_to(cast.users.staffing).count() == Person.objects.count()
    assert Unit.objects.visible_to(cast.users.staffing).count() == Unit.objects.count()


def test_subtree_scope_covers_the_township_and_its_villages(cast):
    visible = set(Unit.objects.visible_to(cast.users.east_leader).values_list("name", flat=True))
    assert visible == {"东岗镇党委政府", "东岗镇党政综合办公室", "东岗镇便民服务中心", "柳树村民委员会"}


def test_unit_scope_covers_only_that_unit(cast):
    visible = list(Unit.objects.visible_to(cast.users.east_clerk).values_list("name", flat=True))
    assert visible == ["东岗镇便民服务中心"]


def test_self_scope_sees_own_record_and_own_work_unit_only(cast):
    assert list(Person.objects.visible_to(cast.users.grid)) == [cast.people.grid]
    assert list(Unit.objects.visible_to(cast.users.grid)) == [cast.units.east_village]


def test_self_scope_without_a_person_record_sees_nothing(cast):
    assert not Person.objects.visible_to(cast.users.agent).exists()


def test_custom_scope_sees_exactly_the_chosen_units(cast):
    assert list(Unit.objects.visible_to(cast.users.custom)) == [cast.units.west_office]


def test_scopes_of_several_roles_are_combined(cast):
    user = cast.users.east_clerk
    RoleAssignment.objects.create(user=user, role=Role.OFFICE_HEAD, unit=cast.units.west_office, scope=Scope.UNIT)
    user._role_assignments = None
    visible = set(Person.objects.visible_to(user).values_list("name", flat=True))
    assert {"王窗口", "陈西"} <= visible
    assert "李东" not in visible


def test_write_scope_only_comes_from_roles_that_grant_the_permission(client, cast):
    # The window clerk may view the hall but no role of theirs may edit posts there.
    from jiceng.orgs import actions

    post = actions.create_post(cast.units.east_hall, name="综合窗口", by=None)
    client.force_login(cast.users.east_clerk)
    assert client.get(reverse("orgs:post", args=[post.pk])).status_code == 200
    assert client.get(reverse("orgs:post_holders", args=[post.pk])).status_code == 403
    client.force_login(cast.users.east_head)  # heads the office, not the hall
    assert client.get(reverse("orgs:post_holders", args=[post.pk])).status_code == 404
    client.force_login(cast.users.east_leader)
    assert client.get(reverse("orgs:post_holders", args=[post.pk])).status_code == 200


def test_an_inactive_account_sees_nothing(cast):
    user = cast.users.staffing
    user.is_active = False
    assert not Person.objects.visible_to(user).exists()


def test_anonymous_users_are_sent_to_login(client, cast):
    response = client.get(reverse("orgs:person", args=[cast.people.east_staff.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
