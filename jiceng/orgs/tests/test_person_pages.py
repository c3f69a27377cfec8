"""The people pages: masked identifiers, logged reveals, the person form, 人编分离 and the export."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiceng.accounts.models import OperationLog
from jiceng.lib.validators import build_id_number, id_check_char
from jiceng.orgs.models import Person, StaffingKind

REVEAL_ACTION = "查看完整身份证号"
FIELD_ERROR = re.compile(r'class="invalid-feedback[^"]*" data-field="(\w+)">(.*?)</div>', re.S)


def field_errors(response) -> dict[str, str]:
    """The error text shown under each form field, keyed by field name."""
    return dict(FIELD_ERROR.findall(response.content.decode()))


def masked(id_number: str) -> str:
    return "4117" + "*" * 10 + id_number[-4:]


def reveal_logs(person):
    return OperationLog.objects.filter(action=REVEAL_ACTION, object_type="orgs.person", object_id=str(person.pk))


@pytest.mark.parametrize("role", ["admin", "staffing", "dispatcher", "east_leader", "east_head", "east_clerk"])
def test_person_detail_shows_the_masked_id_and_never_the_full_one(client, cast, role):
    person = cast.people.east_separated
    client.force_login(getattr(cast.users, role))

    response = client.get(reverse("orgs:person", args=[person.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert masked(person.id_number) in content
    assert person.id_number not in content
    assert person.phone not in content


def test_staffing_reveals_the_full_id_and_the_reveal_is_logged(client, cast):
    person = cast.people.east_separated
    client.force_login(cast.users.staffing)

    response = client.post(reverse("orgs:person_reveal", args=[person.pk, "id_number"]))

    assert response.status_code == 200
    assert person.id_number in response.content.decode()
    log = reveal_logs(person).get()
    assert log.user == cast.users.staffing
    assert log.target == person.name
    assert log.ip == "127.0.0.1"


def test_revealing_the_phone_is_logged_separately(client, cast):
    person = cast.people.east_separated
    client.force_login(cast.users.staffing)

    response = client.post(reverse("orgs:person_reveal", args=[person.pk, "phone"]))

    assert person.phone in response.content.decode()
    assert OperationLog.objects.filter(action="查看完整手机号", object_id=str(person.pk)).count() == 1
    assert not reveal_logs(person).exists()


def test_reveal_of_another_field_is_404_and_not_logged(client, cast):
    person = cast.people.east_separated
    client.force_login(cast.users.staffing)

    response = client.post(reverse("orgs:person_reveal", args=[person.pk, "name"]))

    assert response.status_code == 404
    assert not OperationLog.objects.filter(object_id=str(person.pk), action__startswith="查看完整").exists()


def test_reveal_by_get_is_not_allowed(client, cast):
    person = cast.people.east_separated
    client.force_login(cast.users.staffing)

    response = client.get(reverse("orgs:person_reveal", args=[person.pk, "id_number"]))

    assert response.status_code == 405
    assert not reveal_logs(person).exists()


def test_township_leader_reveals_an_id_in_own_township_and_it_is_logged(client, cast):
    person = cast.people.east_staff
    client.force_login(cast.users.east_leader)

    response = client.post(reverse("orgs:person_reveal", args=[person.pk, "id_number"]))

    assert person.id_number in response.content.decode()
    assert reveal_logs(person).get().user == cast.users.east_leader


def test_window_clerk_gets_403_on_reveal_and_nothing_is_logged(client, cast):
    person = cast.people.east_separated  # works in the clerk's own service centre, so visible
    client.force_login(cast.users.east_clerk)

    response = client.post(reverse("orgs:person_reveal", args=[person.pk, "id_number"]))

    assert response.status_code == 403
    assert person.id_number not in response.content.decode()
    assert not reveal_logs(person).exists()
    assert "查看完整" not in client.get(reverse("orgs:person", args=[person.pk])).content.decode()


def test_leader_of_another_township_gets_404_on_reveal_and_detail(client, cast):
    person = cast.people.east_staff
    client.force_login(cast.users.west_leader)

    assert client.post(reverse("orgs:person_reveal", args=[person.pk, "id_number"])).status_code == 404
    assert client.get(reverse("orgs:person", args=[person.pk])).status_code == 404
    assert not reveal_logs(person).exists()


def person_form_data(cast, **overrides):
    data = {
        "name": "钱新",
        "id_number": build_id_number("411799", date(1990, 5, 17), 123),
        "phone": "13912345678",
        "staffing_kind": StaffingKind.ADMINISTRATIVE,
        "quota_unit": cast.units.east_office.pk,
        "work_unit": cast.units.east_office.pk,
        "position": "科员",
        "active": "on",
    }
    data.update(overrides)
    return data


def bad_check_digit_id():
    good = build_id_number("411799", date(1990, 5, 17), 123)
    return good[:17] + ("0" if good[17] != "0" else "1"), good[17]


def id_with_bad_birth_date():
    first17 = "411799" + "19990230" + "123"
    return first17 + id_check_char(first17)


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        pytest.param({"id_number": bad_check_digit_id()[0]}, "id_number", "校验位错误", id="bad-check-digit"),
        pytest.param(
            {"id_number": id_with_bad_birth_date()}, "id_number", "出生日期“19990230”不是有效日期", id="bad-birth-date"
        ),
        pytest.param({"id_number": "4117991990"}, "id_number", "应为18位", id="too-short"),
        pytest.param(
            {"staffing_kind": StaffingKind.CONTRACT}, "quota_unit", "编外聘用人员不占编制", id="contract-with-quota"
        ),
        pytest.param({"quota_unit": ""}, "quota_unit", "须填写编制所在单位", id="staff-without-quota"),
        pytest.param({"phone": "12345"}, "phone", "手机号应为以1开头的11位数字", id="bad-phone"),
    ],
)
def test_person_form_refuses_bad_input_and_saves_nothing(client, cast, overrides, field, fragment):
    client.force_login(cast.users.staffing)
    before = Person.objects.count()

    response = client.post(reverse("orgs:person_create"), person_form_data(cast, **overrides))

    assert response.status_code == 200
    assert fragment in field_errors(response).get(field, "")
    assert Person.objects.count() == before
    assert not Person.objects.filter(name="钱新").exists()


def test_person_form_names_the_expected_check_digit(client, cast):
    client.force_login(cast.users.staffing)
    bad, expected = bad_check_digit_id()

    response = client.post(reverse("orgs:person_create"), person_form_data(cast, id_number=bad))

    assert f"最后一位应为“{expected}”" in field_errors(response)["id_number"]


def test_person_form_refuses_a_duplicate_id_number(client, cast):
    client.force_login(cast.users.staffing)
    before = Person.objects.count()

    response = client.post(
        reverse("orgs:person_create"), person_form_data(cast, id_number=cast.people.east_staff.id_number)
    )

    error = field_errors(response).get("id_number", "")
    assert response.status_code == 200
    assert "身份证号" in error
    assert "该身份证号已登记" in error
    assert Person.objects.count() == before


def test_person_form_refuses_a_duplicate_id_number_typed_in_lower_case(client, cast):
    id_with_x = next(
        candidate
        for seq in range(1000)
        if (candidate := build_id_number("411799", date(1985, 3, 3), seq)).endswith("X")
    )
    Person.objects.filter(pk=cast.people.east_staff.pk).update(id_number=id_with_x)
    client.force_login(cast.users.staffing)
    before = Person.objects.count()

    response = client.post(reverse("orgs:person_create"), person_form_data(cast, id_number=id_with_x.lower()))

    error = field_errors(response).get("id_number", "")
    assert response.status_code == 200
    assert "该身份证号已登记" in error
    assert Person.objects.count() == before


def test_a_valid_person_gets_sex_and_birth_date_from_the_id_number(client, cast):
    client.force_login(cast.users.staffing)
    before = Person.objects.count()

    response = client.post(reverse("orgs:person_create"), person_form_data(cast))

    assert Person.objects.count() == before + 1
    person = Person.objects.get(name="钱新")
    assert response.status_code == 302
    assert response.url == person.get_absolute_url()
    assert person.sex == "男"  # 17th digit 3 is odd
    assert person.birth_date == date(1990, 5, 17)
    assert OperationLog.objects.filter(action="新增人员", object_id=str(person.pk), user=cast.users.staffing).exists()


def test_an_even_sequence_digit_derives_a_woman(client, cast):
    client.force_login(cast.users.staffing)
    id_number = build_id_number("411799", date(1979, 12, 31), 124)

    client.post(reverse("orgs:person_create"), person_form_data(cast, id_number=id_number))

    person = Person.objects.get(id_number=id_number)
    assert (person.sex, person.birth_date) == ("女", date(1979, 12, 31))


def test_person_edit_form_does_not_show_the_full_id_and_blank_keeps_it(client, cast):
    person = cast.people.east_staff
    client.force_login(cast.users.staffing)
    url = reverse("orgs:person_edit", args=[person.pk])

    page = client.get(url).content.decode()
    response = client.post(url, person_form_data(cast, name="李东", id_number="", position="副主任"))

    assert person.id_number not in page
    assert masked(person.id_number) in page
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.position == "副主任"
    assert person.id_number == cast.people.east_staff.id_number


def test_people_list_filter_separated_shows_only_separated_people(client, cast):
    client.force_login(cast.users.staffing)

    content = client.get(reverse("orgs:people"), {"separated": "on"}).content.decode()

    assert "赵借" in content
    assert "李东" not in content
    assert "陈西" not in content
    assert "王窗口" not in content


def test_people_list_shows_everyone_visible_with_masked_ids_only(client, cast):
    client.force_login(cast.users.staffing)

    content = client.get(reverse("orgs:people")).content.decode()

    assert "赵借" in content
    assert "李东" in content
    for person in Person.objects.all():
        assert masked(person.id_number) in content
        assert person.id_number not in content


def test_separated_person_detail_names_both_units(client, cast):
    client.force_login(cast.users.staffing)

    content = client.get(reverse("orgs:person", args=[cast.people.east_separated.pk])).content.decode()

    assert "人编分离" in content
    assert "编制在“东岗镇党政综合办公室”，实际在“东岗镇便民服务中心”工作" in content


def test_a_person_working_where_the_quota_is_is_not_shown_as_separated(client, cast):
    client.force_login(cast.users.staffing)

    content = client.get(reverse("orgs:person", args=[cast.people.east_staff.pk])).content.decode()

    assert "人编分离" not in content


def export_cells(response) -> list[str]:
    sheet = load_workbook(BytesIO(response.content)).active
    return [str(value) for row in sheet.iter_rows(values_only=True) for value in row if value is not None]


@pytest.mark.parametrize("role", ["staffing", "east_leader"])
def test_people_export_contains_masked_ids_only(client, cast, role):
    client.force_login(getattr(cast.users, role))

    response = client.get(reverse("orgs:people"), {"export": "xlsx"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    cells = export_cells(response)
    text = "\n".join(cells)
    for person in Person.objects.all():
        assert person.id_number not in text
        assert person.phone not in text
    assert masked(cast.people.east_separated.id_number) in cells


def test_east_leader_people_export_lists_own_township_only(client, cast):
    client.force_login(cast.users.east_leader)

    sheet = load_workbook(BytesIO(client.get(reverse("orgs:people"), {"export": "xlsx"}).content)).active
    names = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}

    assert names == {"王窗口", "李东", "赵借", "周网格"}
