"""The REST API over regions, units, people, posts, absences and coverage gaps: auth, scopes, errors."""

from __future__ import annotations

import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from jiceng.accounts.models import OperationLog, RoleAssignment
from jiceng.accounts.roles import Role, Scope
from jiceng.conftest import make_user
from jiceng.lib.validators import build_credit_code, build_id_number
from jiceng.orgs import actions
from jiceng.orgs.models import Absence, AbsenceKind, Person, PostHolder, StaffingKind, Unit, UnitEvent

PEOPLE = "/api/v1/people/"
UNITS = "/api/v1/units/"
ABSENCES = "/api/v1/absences/"
GAPS = "/api/v1/coverage-gaps/"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
MASKED_ID = re.compile(r"^4117\*{10}[0-9X]{4}$")

TUE = date(2026, 3, 10)  # an ordinary working Tuesday


def token_header(user) -> dict:
    call_command("drf_create_token", user.username, stdout=StringIO())
    return {"HTTP_AUTHORIZATION": f"Token {Token.objects.get(user=user).key}"}


def chinese(messages) -> bool:
    return isinstance(messages, list) and bool(messages) and all(CHINESE.search(str(m)) for m in messages)


def person_payload(cast, **overrides):
    data = {
        "name": "钱新",
        "id_number": build_id_number("411799", date(1992, 8, 9), 57),
        "phone": "13912345678",
        "staffing_kind": StaffingKind.ADMINISTRATIVE,
        "quota_unit": cast.units.east_office.pk,
        "work_unit": cast.units.east_office.pk,
    }
    data.update(overrides)
    return data


# ---- authentication ------------------------------------------------------------------------------


def test_unauthenticated_request_is_refused(client, cast):
    response = client.get(PEOPLE)

    assert response.status_code in (401, 403)
    assert "results" not in response.json()


def test_an_unknown_token_is_refused(client, cast):
    response = client.get(PEOPLE, HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    assert response.status_code == 401


def test_a_token_from_drf_create_token_authenticates(client, cast):
    response = client.get(PEOPLE, **token_header(cast.users.staffing))

    assert response.status_code == 200
    assert response.json()["count"] == Person.objects.count()


# ---- people --------------------------------------------------------------------------------------


def test_township_leader_lists_only_own_township_people_with_masked_ids(client, cast):
    response = client.get(PEOPLE, **token_header(cast.users.east_leader))

    body = response.json()
    assert {p["name"] for p in body["results"]} == {"王窗口", "李东", "赵借", "周网格"}
    full_ids = set(Person.objects.values_list("id_number", flat=True))
    for row in body["results"]:
        assert MASKED_ID.match(row["id_number"]), row["id_number"]
        assert row["id_number"] not in full_ids
        assert "****" in row["phone"]


def test_township_leader_gets_404_for_another_townships_person(client, cast):
    response = client.get(f"{PEOPLE}{cast.people.west_staff.pk}/", **token_header(cast.users.east_leader))

    assert response.status_code == 404
    assert "数据范围" in response.json()["detail"]


def test_creating_a_person_with_a_bad_id_number_is_refused_and_saves_nothing(client, cast):
    good = build_id_number("411799", date(1992, 8, 9), 57)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    before = Person.objects.count()

    response = client.post(
        PEOPLE,
        person_payload(cast, id_number=bad),
        content_type="application/json",
        **token_header(cast.users.staffing),
    )

    assert response.status_code == 400
    errors = response.json()["id_number"]
    assert chinese(errors)
    assert "校验位错误" in errors[0]
    assert Person.objects.count() == before


def test_creating_a_person_with_a_duplicate_id_number_is_refused(client, cast):
    before = Person.objects.count()

    response = client.post(
        PEOPLE,
        person_payload(cast, id_number=cast.people.east_staff.id_number),
        content_type="application/json",
        **token_header(cast.users.staffing),
    )

    assert response.status_code == 400
    assert "已登记" in response.json()["id_number"][0]
    assert Person.objects.count() == before


def test_creating_a_contract_worker_with_a_quota_unit_is_refused(client, cast):
    before = Person.objects.count()

    response = client.post(
        PEOPLE,
        person_payload(cast, staffing_kind=StaffingKind.CONTRACT),
        content_type="application/json",
        **token_header(cast.users.staffing),
    )

    assert response.status_code == 400
    assert "编外聘用" in response.json()["quota_unit"][0]
    assert Person.objects.count() == before


def test_creating_a_valid_person_returns_201_with_the_masked_id(client, cast):
    payload = person_payload(cast)

    response = client.post(PEOPLE, payload, content_type="application/json", **token_header(cast.users.staffing))

    assert response.status_code == 201
    body = response.json()
    assert body["id_number"] != payload["id_number"]
    assert MASKED_ID.match(body["id_number"])
    assert body["id_number"].endswith(payload["id_number"][-4:])
    person = Person.objects.get(pk=body["id"])
    assert person.id_number == payload["id_number"]
    assert (person.sex, person.birth_date) == ("男", date(1992, 8, 9))
    assert (body["sex"], body["birth_date"]) == ("男", "1992-08-09")


def test_township_leader_cannot_create_people_through_the_api(client, cast):
    before = Person.objects.count()

    response = client.post(
        PEOPLE, person_payload(cast), content_type="application/json", **token_header(cast.users.east_leader)
    )

    assert response.status_code == 403
    assert Person.objects.count() == before


def reveal_logs(person):
    return OperationLog.objects.filter(action="查看完整身份证号", object_type="orgs.person", object_id=str(person.pk))


def test_staffing_reveals_the_full_id_number_and_it_is_logged(client, cast):
    person = cast.people.east_separated

    response = client.post(
        f"{PEOPLE}{person.pk}/reveal/",
        {"field": "id_number"},
        content_type="application/json",
        **token_header(cast.users.staffing),
    )

    assert response.status_code == 200
    assert response.json() == {"field": "id_number", "value": person.id_number}
    assert reveal_logs(person).get().user == cast.users.staffing


def test_window_clerk_gets_403_on_reveal_and_nothing_is_logged(client, cast):
    person = cast.people.east_separated

    response = client.post(
        f"{PEOPLE}{person.pk}/reveal/",
        {"field": "id_number"},
        content_type="application/json",
        **token_header(cast.users.east_clerk),
    )

    assert response.status_code == 403
    assert person.id_number not in response.content.decode()
    assert not reveal_logs(person).exists()


def test_leader_of_another_township_gets_404_on_reveal(client, cast):
    person = cast.people.east_separated

    response = client.post(
        f"{PEOPLE}{person.pk}/reveal/",
        {"field": "id_number"},
        content_type="application/json",
        **token_header(cast.users.west_leader),
    )

    assert response.status_code == 404
    assert not reveal_logs(person).exists()


# ---- units ---------------------------------------------------------------------------------------


def test_township_leader_lists_only_own_township_units(client, cast):
    response = client.get(UNITS, **token_header(cast.users.east_leader))

    names = {u["name"] for u in response.json()["results"]}
    assert names == {"东岗镇党委政府", "东岗镇党政综合办公室", "东岗镇便民服务中心", "柳树村民委员会"}


def test_creating_a_unit_with_a_bad_credit_code_is_refused(client, cast):
    good = build_credit_code("1", "1", "411799", "MB1234567")
    before = Unit.objects.count()

    response = client.post(
        UNITS,
        {
            "name": "东岗镇退役军人服务站",
            "kind": "institution",
            "region": cast.regions.east.pk,
            "parent": cast.units.east_root.pk,
            "credit_code": good[:17] + ("0" if good[17] != "0" else "1"),
        },
        content_type="application/json",
        **token_header(cast.users.staffing),
    )

    assert response.status_code == 400
    errors = response.json()["credit_code"]
    assert chinese(errors)
    assert f"第18位应为“{good[17]}”" in errors[0]
    assert Unit.objects.count() == before


def test_creating_a_unit_with_a_valid_credit_code_sets_its_path(client, cast):
    code = build_credit_code("1", "1", "411799", "MB1234567")

    response = client.post(
        UNITS,
        {
            "name": "东岗镇退役军人服务站",
            "kind": "institution",
            "region": cast.regions.east.pk,
            "parent": cast.units.east_root.pk,
            "credit_code": code,
        },
        content_type="application/json",
        **token_header(cast.users.staffing),
    )

    assert response.status_code == 201
    unit = Unit.objects.get(pk=response.json()["id"])
    assert unit.credit_code == code
    assert unit.path == f"{cast.units.east_root.path}{unit.pk:08d}/"
    assert UnitEvent.objects.filter(unit=unit, kind=UnitEvent.Kind.ESTABLISHED).exists()


def test_township_leader_gets_403_patching_a_visible_unit_and_404_for_an_invisible_one(client, cast):
    headers = token_header(cast.users.east_leader)

    visible = client.patch(
        f"{UNITS}{cast.units.east_office.pk}/", {"name": "改名"}, content_type="application/json", **headers
    )
    invisible = client.patch(
        f"{UNITS}{cast.units.west_office.pk}/", {"name": "改名"}, content_type="application/json", **headers
    )

    assert visible.status_code == 403
    assert invisible.status_code == 404
    assert not Unit.objects.filter(name="改名").exists()


@pytest.fixture
def east_staffing_clerk(cast):
    """Views the whole county (as a dispatcher) but may change only 东岗镇's units (as 编办, subtree)."""
    user = make_user("east_bianban", Role.DISPATCHER)
    RoleAssignment.objects.create(user=user, role=Role.STAFFING, unit=cast.units.east_root, scope=Scope.SUBTREE)
    return user


def test_a_unit_visible_but_outside_the_write_scope_gets_403(client, cast, east_staffing_clerk):
    headers = token_header(east_staffing_clerk)

    outside = client.patch(
        f"{UNITS}{cast.units.west_office.pk}/", {"name": "河西镇改名"}, content_type="application/json", **headers
    )
    inside = client.patch(
        f"{UNITS}{cast.units.east_office.pk}/",
        {"short_name": "党政办"},
        content_type="application/json",
        **headers,
    )

    assert outside.status_code == 403
    assert Unit.objects.get(pk=cast.units.west_office.pk).name == "河西镇党政综合办公室"
    assert inside.status_code == 200
    assert Unit.objects.get(pk=cast.units.east_office.pk).short_name == "党政办"


def test_patching_a_unit_under_its_own_child_is_refused(client, cast):
    root = cast.units.east_root

    response = client.patch(
        f"{UNITS}{root.pk}/",
        {"parent": cast.units.east_office.pk},
        content_type="application/json",
        **token_header(cast.users.staffing),
    )

    assert response.status_code == 400
    assert "下级单位" in response.json()["parent"][0]
    root.refresh_from_db()
    assert root.parent == cast.units.gov


def test_patching_a_merged_unit_is_refused_like_the_edit_page(client, cast):
    office, hall = cast.units.east_office, cast.units.east_hall
    actions.merge_unit(office, into=hall, on=date(2026, 4, 1), document_no="示编〔2026〕9号", by=None)

    response = client.patch(
        f"{UNITS}{office.pk}/", {"name": "新名称"}, content_type="application/json", **token_header(cast.users.staffing)
    )

    assert response.status_code == 400
    assert "已合并" in str(response.json())
    office.refresh_from_db()
    assert office.name == "东岗镇党政综合办公室"
    assert not UnitEvent.objects.filter(unit=office, kind=UnitEvent.Kind.RENAMED).exists()


# ---- posts: who is on duty, holders --------------------------------------------------------------


@pytest.fixture
def post(cast, calendar_2026):
    p = actions.create_post(cast.units.east_office, name="综合文字", by=None)
    actions.set_post_holders(
        p, a=cast.people.east_staff, bs=[cast.people.east_separated, cast.people.east_clerk], by=None
    )
    return p


def away(person, start, end, kind=AbsenceKind.LEAVE):
    return actions.record_absence(person, kind=kind, start_date=start, end_date=end, by=None)


def test_on_duty_follows_the_a_holder_then_the_b_holder_then_nobody(client, cast, post):
    headers = token_header(cast.users.staffing)
    url = f"/api/v1/posts/{post.pk}/on-duty/"

    first = client.get(url, {"at": "2026-03-10"}, **headers).json()
    assert first["on_duty"] == {"id": cast.people.east_staff.pk, "name": "李东"}
    assert first["role"] == "A岗"
    assert first["workday"] is True

    away(cast.people.east_staff, date(2026, 3, 9), date(2026, 3, 13))
    second = client.get(url, {"at": "2026-03-10"}, **headers).json()
    assert second["on_duty"] == {"id": cast.people.east_separated.pk, "name": "赵借"}
    assert second["role"] == "B岗1"
    assert "李东请假" in second["reason"]
    assert "赵借顶岗" in second["reason"]
    after = client.get(url, {"at": "2026-03-16"}, **headers).json()
    assert after["on_duty"]["name"] == "李东"

    away(cast.people.east_separated, TUE, TUE, AbsenceKind.TRAINING)
    away(cast.people.east_clerk, TUE, TUE, AbsenceKind.TRIP)
    third = client.get(url, {"at": "2026-03-10"}, **headers).json()
    assert third["on_duty"] is None
    assert third["role"] is None
    assert third["reason"].startswith("无人在岗")
    assert "赵借培训" in third["reason"]
    assert "王窗口出差" in third["reason"]


def test_on_duty_with_an_invalid_date_is_a_400_in_chinese(client, cast, post):
    response = client.get(
        f"/api/v1/posts/{post.pk}/on-duty/", {"at": "2026-02-30"}, **token_header(cast.users.staffing)
    )

    assert response.status_code == 400
    assert CHINESE.search(response.content.decode())


def test_on_duty_for_another_townships_post_is_404(client, cast, post):
    response = client.get(f"/api/v1/posts/{post.pk}/on-duty/", **token_header(cast.users.west_leader))

    assert response.status_code == 404


def holders_of(post):
    return sorted((h.role, h.order, h.person_id) for h in PostHolder.objects.filter(post=post))


def test_setting_three_b_holders_is_refused_and_keeps_the_old_holders(client, cast, post):
    before = holders_of(post)

    response = client.put(
        f"/api/v1/posts/{post.pk}/holders/",
        {
            "a": cast.people.east_staff.pk,
            "bs": [cast.people.east_separated.pk, cast.people.east_clerk.pk, cast.people.grid.pk],
        },
        content_type="application/json",
        **token_header(cast.users.staffing),
    )

    assert response.status_code == 400
    messages = [m for errors in response.json().values() for m in errors]
    assert any("B岗最多设置2人" in m for m in messages)
    assert holders_of(post) == before


def test_setting_two_b_holders_replaces_the_holders(client, cast, post):
    response = client.put(
        f"/api/v1/posts/{post.pk}/holders/",
        {"a": cast.people.east_clerk.pk, "bs": [cast.people.grid.pk]},
        content_type="application/json",
        **token_header(cast.users.staffing),
    )

    assert response.status_code == 200
    assert [h["label"] for h in response.json()["holders"]] == ["A岗", "B岗1"]
    assert holders_of(post) == [("A", 1, cast.people.east_clerk.pk), ("B", 1, cast.people.grid.pk)]


# ---- absences and coverage gaps ------------------------------------------------------------------


def test_coverage_gaps_lists_the_working_days_nobody_is_on_duty(client, cast, post):
    # Everyone away over 国庆: 10-01..10-07 are holidays, Saturday 10-10 is a make-up working day.
    for person in (cast.people.east_staff, cast.people.east_separated, cast.people.east_clerk):
        away(person, date(2026, 9, 30), date(2026, 10, 12))

    response = client.get(GAPS, {"start": "2026-09-28", "end": "2026-10-16"}, **token_header(cast.users.staffing))

    assert response.status_code == 200
    gaps = [g for g in response.json() if g["post"] == post.pk]
    assert len(gaps) == 1
    gap = gaps[0]
    assert (gap["start"], gap["end"]) == ("2026-09-30", "2026-10-12")
    assert gap["days"] == ["2026-09-30", "2026-10-08", "2026-10-09", "2026-10-10", "2026-10-12"]
    assert gap["workdays"] == 5
    assert gap["unit_name"] == "东岗镇党政综合办公室"
    assert "无人在岗" in gap["reason"]


def test_coverage_gaps_is_empty_when_a_b_holder_stands_in(client, cast, post):
    away(cast.people.east_staff, date(2026, 3, 9), date(2026, 3, 13))

    response = client.get(GAPS, {"start": "2026-03-01", "end": "2026-03-31"}, **token_header(cast.users.staffing))

    assert response.status_code == 200
    assert [g for g in response.json() if g["post"] == post.pk] == []


def test_coverage_gaps_with_end_before_start_is_a_400_in_chinese(client, cast, post):
    response = client.get(GAPS, {"start": "2026-03-31", "end": "2026-03-01"}, **token_header(cast.users.staffing))

    assert response.status_code == 400
    errors = response.json()["end"]
    assert chinese(errors)
    assert "结束日期不能早于开始日期" in errors[0]


def test_recording_an_absence_with_end_before_start_is_refused(client, cast):
    before = Absence.objects.count()

    response = client.post(
        ABSENCES,
        {
            "person": cast.people.east_staff.pk,
            "kind": "leave",
            "start_date": "2026-03-13",
            "end_date": "2026-03-09",
        },
        content_type="application/json",
        **token_header(cast.users.staffing),
    )

    assert response.status_code == 400
    assert "结束日期不能早于开始日期" in response.json()["end_date"][0]
    assert Absence.objects.count() == before


def test_recording_a_valid_absence_then_an_overlapping_one(client, cast):
    headers = token_header(cast.users.east_leader)
    payload = {
        "person": cast.people.east_staff.pk,
        "kind": "trip",
        "start_date": "2026-03-09",
        "end_date": "2026-03-13",
    }

    first = client.post(ABSENCES, payload, content_type="application/json", **headers)
    second = client.post(
        ABSENCES,
        {**payload, "start_date": "2026-03-12", "end_date": "2026-03-16"},
        content_type="application/json",
        **headers,
    )

    assert first.status_code == 201
    assert second.status_code == 400
    assert "已有登记" in second.json()["start_date"][0]
    assert Absence.objects.filter(person=cast.people.east_staff).count() == 1


def test_leader_cannot_record_an_absence_for_another_township(client, cast):
    response = client.post(
        ABSENCES,
        {"person": cast.people.west_staff.pk, "kind": "leave", "start_date": "2026-03-09", "end_date": "2026-03-09"},
        content_type="application/json",
        **token_header(cast.users.east_leader),
    )

    assert response.status_code == 404
    assert not Absence.objects.exists()


# ---- schema --------------------------------------------------------------------------------------


def test_schema_is_an_openapi_3_document_listing_the_endpoints(client, cast):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3")
    paths = schema["paths"]
    assert "/api/v1/people/" in paths
    assert "/api/v1/workdays/add" in paths or "/api/v1/workdays/add/" in paths
    assert "/api/v1/coverage-gaps/" in paths
    assert "/api/v1/posts/{id}/on-duty/" in paths


def test_schema_as_json_via_format_parameter(client, cast):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.json()["openapi"].startswith("3")
