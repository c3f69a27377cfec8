"""The unit pages: creating, editing, plaques, merging and revoking, the tree, search and export."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from jiceng.lib.validators import build_credit_code, credit_check_char
from jiceng.orgs import actions
from jiceng.orgs.models import Person, Plaque, Post, Unit, UnitEvent, UnitKind, UnitStatus

CREDIT_CODE = build_credit_code("1", "1", "411799", "MB1234567")
FIELD_ERROR = re.compile(r'class="invalid-feedback[^"]*" data-field="(\w+)">(.*?)</div>', re.S)


def field_errors(response) -> dict[str, str]:
    """The error text shown under each form field, keyed by field name."""
    return dict(FIELD_ERROR.findall(response.content.decode()))


def unit_form_data(cast, **overrides):
    data = {
        "name": "东岗镇退役军人服务站",
        "short_name": "",
        "kind": UnitKind.INSTITUTION,
        "region": cast.regions.east.pk,
        "parent": cast.units.east_root.pk,
        "credit_code": CREDIT_CODE,
        "established_on": "2026-03-02",
        "duties": "退役军人服务保障",
        "sort": "100",
        "document_no": "示编〔2026〕3号",
    }
    data.update(overrides)
    return data


def with_wrong_check_char(code: str) -> str:
    wrong = "0" if code[-1] != "0" else "1"
    return code[:17] + wrong


def test_staffing_creates_a_unit_with_a_valid_credit_code(client, cast):
    client.force_login(cast.users.staffing)

    response = client.post(reverse("orgs:unit_create"), unit_form_data(cast))

    unit = Unit.objects.get(name="东岗镇退役军人服务站")
    assert response.status_code == 302
    assert response.url == unit.get_absolute_url()
    assert unit.credit_code == CREDIT_CODE
    assert unit.parent == cast.units.east_root
    assert unit.path == f"{cast.units.east_root.path}{unit.pk:08d}/"
    established = UnitEvent.objects.get(unit=unit, kind=UnitEvent.Kind.ESTABLISHED)
    assert established.document_no == "示编〔2026〕3号"
    assert established.by == cast.users.staffing


def test_it_refuses_a_credit_code_with_a_wrong_check_character_naming_the_expected_one(client, cast):
    client.force_login(cast.users.staffing)
    before = Unit.objects.count()
    bad = with_wrong_check_char(CREDIT_CODE)

    response = client.post(reverse("orgs:unit_create"), unit_form_data(cast, credit_code=bad))

    assert response.status_code == 200
    error = field_errors(response).get("credit_code", "")
    assert "校验位错误" in error
    assert f"第18位应为“{credit_check_char(CREDIT_CODE[:17])}”" in error
    assert Unit.objects.count() == before
    assert not UnitEvent.objects.filter(unit__name="东岗镇退役军人服务站").exists()


def test_it_refuses_a_duplicate_credit_code(client, cast):
    actions.update_unit(cast.units.east_office, by=None, credit_code=CREDIT_CODE)
    client.force_login(cast.users.staffing)
    before = Unit.objects.count()

    response = client.post(reverse("orgs:unit_create"), unit_form_data(cast))

    error = field_errors(response).get("credit_code", "")
    assert response.status_code == 200
    assert "该统一社会信用代码已被其他单位使用" in error

    assert Unit.objects.count() == before
    assert not Unit.objects.filter(name="东岗镇退役军人服务站").exists()


def test_township_leader_cannot_create_a_unit(client, cast):
    client.force_login(cast.users.east_leader)
    before = Unit.objects.count()

    assert client.get(reverse("orgs:unit_create")).status_code == 403
    response = client.post(reverse("orgs:unit_create"), unit_form_data(cast))

    assert response.status_code == 403
    assert Unit.objects.count() == before


def test_adding_a_plaque_shows_it_on_the_unit_page_and_writes_history(client, cast):
    office = cast.units.east_office
    client.force_login(cast.users.staffing)

    response = client.post(
        reverse("orgs:plaque_add", args=[office.pk]), {"name": "重点项目办公室", "document_no": "示编〔2026〕5号"}
    )

    assert response.status_code == 302
    assert Plaque.objects.filter(unit=office, name="重点项目办公室", removed_on__isnull=True).exists()
    event = UnitEvent.objects.get(unit=office, kind=UnitEvent.Kind.PLAQUE_ADDED)
    assert "重点项目办公室" in event.note
    page = client.get(office.get_absolute_url()).content.decode()
    assert "加挂：重点项目办公室" in page
    assert "加挂“重点项目办公室”牌子" in page


def test_adding_the_same_plaque_twice_is_refused(client, cast):
    office = cast.units.east_office
    client.force_login(cast.users.staffing)
    url = reverse("orgs:plaque_add", args=[office.pk])
    client.post(url, {"name": "重点项目办公室"})

    response = client.post(url, {"name": "重点项目办公室"}, follow=True)

    assert "已加挂“重点项目办公室”" in response.content.decode()
    assert Plaque.objects.filter(unit=office, name="重点项目办公室").count() == 1
    assert UnitEvent.objects.filter(unit=office, kind=UnitEvent.Kind.PLAQUE_ADDED).count() == 1


def test_adding_a_plaque_to_a_merged_unit_is_refused(client, cast):
    office, hall = cast.units.east_office, cast.units.east_hall
    actions.merge_unit(office, into=hall, on=date(2026, 4, 1), document_no="示编〔2026〕9号", by=None)
    client.force_login(cast.users.staffing)

    response = client.post(reverse("orgs:plaque_add", args=[office.pk]), {"name": "重点项目办公室"}, follow=True)

    assert "已加挂" not in response.content.decode()
    assert not Plaque.objects.filter(unit=office).exists()
    assert not UnitEvent.objects.filter(unit=office, kind=UnitEvent.Kind.PLAQUE_ADDED).exists()


def test_merging_a_unit_moves_its_people_and_posts_into_the_target(client, cast):
    office, hall = cast.units.east_office, cast.units.east_hall
    post = actions.create_post(office, name="综合文字", by=None)
    client.force_login(cast.users.staffing)

    response = client.post(
        reverse("orgs:unit_end", args=[office.pk]),
        {"action": "merge", "into": hall.pk, "on": "2026-04-01", "document_no": "示编〔2026〕9号"},
    )

    assert response.status_code == 302
    office.refresh_from_db()
    assert office.status == UnitStatus.MERGED
    assert office.merged_into == hall
    assert str(office.ended_on) == "2026-04-01"
    staff = Person.objects.get(pk=cast.people.east_staff.pk)
    assert (staff.work_unit, staff.quota_unit) == (hall, hall)
    separated = Person.objects.get(pk=cast.people.east_separated.pk)
    assert separated.quota_unit == hall  # the quota followed the merged unit
    assert not Person.objects.filter(work_unit=office).exists()
    assert not Person.objects.filter(quota_unit=office).exists()
    assert Post.objects.get(pk=post.pk).unit == hall

    office_page = client.get(office.get_absolute_url()).content.decode()
    assert "已合并" in office_page
    assert "并入其他单位" in office_page
    assert "并入“东岗镇便民服务中心”" in office_page
    hall_page = client.get(hall.get_absolute_url()).content.decode()
    assert "“东岗镇党政综合办公室”并入本单位" in hall_page
    assert "并入本单位的原单位" in hall_page


def test_merging_renames_a_post_whose_name_the_target_already_has(client, cast):
    office, hall = cast.units.east_office, cast.units.east_hall
    moved = actions.create_post(office, name="综合受理", by=None)
    kept = actions.create_post(hall, name="综合受理", by=None)
    client.force_login(cast.users.staffing)

    client.post(
        reverse("orgs:unit_end", args=[office.pk]),
        {"action": "merge", "into": hall.pk, "on": "2026-04-01", "document_no": "示编〔2026〕9号"},
    )

    moved.refresh_from_db()
    kept.refresh_from_db()
    assert (moved.unit, moved.name) == (hall, "综合受理（原东岗镇党政综合办公室）")
    assert (kept.unit, kept.name) == (hall, "综合受理")


def test_merging_without_a_target_is_refused(client, cast):
    office = cast.units.east_office
    client.force_login(cast.users.staffing)

    response = client.post(
        reverse("orgs:unit_end", args=[office.pk]),
        {"action": "merge", "on": "2026-04-01", "document_no": "示编〔2026〕9号"},
    )

    assert "合并时须选择并入单位" in field_errors(response).get("into", "")
    office.refresh_from_db()
    assert office.status == UnitStatus.ACTIVE


def test_revoking_a_unit_that_still_has_people_is_refused(client, cast):
    hall = cast.units.east_hall
    client.force_login(cast.users.staffing)
    people_before = set(Person.objects.filter(work_unit=hall).values_list("pk", flat=True))

    response = client.post(
        reverse("orgs:unit_end", args=[hall.pk]),
        {"action": "revoke", "on": "2026-04-01", "document_no": "示编〔2026〕10号"},
    )

    assert response.status_code == 200
    assert "还有在职人员" in response.content.decode()
    hall.refresh_from_db()
    assert hall.status == UnitStatus.ACTIVE
    assert hall.ended_on is None
    assert not UnitEvent.objects.filter(unit=hall, kind=UnitEvent.Kind.REVOKED).exists()
    assert set(Person.objects.filter(work_unit=hall).values_list("pk", flat=True)) == people_before


def test_revoking_a_unit_with_active_children_is_refused(client, cast):
    root = cast.units.east_root
    client.force_login(cast.users.staffing)

    response = client.post(
        reverse("orgs:unit_end", args=[root.pk]),
        {"action": "revoke", "on": "2026-04-01", "document_no": "示编〔2026〕10号"},
    )

    assert "还有在用的下级单位" in response.content.decode()
    root.refresh_from_db()
    assert root.status == UnitStatus.ACTIVE


def test_a_revoked_unit_without_people_gets_history_and_cannot_be_edited(client, cast):
    empty = actions.create_unit(
        by=None,
        name="东岗镇临时指挥部",
        kind=UnitKind.INSTITUTION,
        region=cast.regions.east,
        parent=cast.units.east_root,
    )
    client.force_login(cast.users.staffing)

    response = client.post(
        reverse("orgs:unit_end", args=[empty.pk]),
        {"action": "revoke", "on": "2026-04-01", "document_no": "示编〔2026〕11号"},
    )

    assert response.status_code == 302
    empty.refresh_from_db()
    assert empty.status == UnitStatus.REVOKED
    assert UnitEvent.objects.filter(unit=empty, kind=UnitEvent.Kind.REVOKED, document_no="示编〔2026〕11号").exists()
    edit = client.post(reverse("orgs:unit_edit", args=[empty.pk]), unit_form_data(cast, name="改名", credit_code=""))
    assert edit.status_code == 302
    empty.refresh_from_db()
    assert empty.name == "东岗镇临时指挥部"


def test_moving_a_unit_rewrites_the_paths_of_its_whole_subtree(client, cast):
    root, office, target = cast.units.east_root, cast.units.east_office, cast.units.staffing_office
    client.force_login(cast.users.staffing)
    data = unit_form_data(cast, name=root.name, kind=root.kind, region=root.region_id, parent=target.pk, credit_code="")

    response = client.post(reverse("orgs:unit_edit", args=[root.pk]), data)

    assert response.status_code == 302
    root.refresh_from_db()
    office.refresh_from_db()
    assert root.path == f"{target.path}{root.pk:08d}/"
    assert office.path == f"{root.path}{office.pk:08d}/"
    assert UnitEvent.objects.filter(unit=root, kind=UnitEvent.Kind.MOVED, related_unit=target).exists()


def test_it_refuses_to_move_a_unit_under_one_of_its_own_children(client, cast):
    root, office = cast.units.east_root, cast.units.east_office
    path_before = root.path
    client.force_login(cast.users.staffing)
    data = unit_form_data(cast, name=root.name, kind=root.kind, region=root.region_id, parent=office.pk, credit_code="")

    response = client.post(reverse("orgs:unit_edit", args=[root.pk]), data)

    assert response.status_code == 200
    assert "有效的选项" in field_errors(response).get("parent", "")
    root.refresh_from_db()
    assert root.parent == cast.units.gov
    assert root.path == path_before
    assert not UnitEvent.objects.filter(unit=root, kind=UnitEvent.Kind.MOVED).exists()


def test_township_leader_sees_own_township_units_in_the_tree_only(client, cast):
    client.force_login(cast.users.east_leader)

    content = client.get(reverse("orgs:units")).content.decode()

    for name in ("东岗镇党委政府", "东岗镇党政综合办公室", "东岗镇便民服务中心", "柳树村民委员会"):
        assert name in content
    assert "河西镇党委政府" not in content
    assert "河西镇党政综合办公室" not in content
    assert "县自然资源局" not in content


def test_staffing_sees_both_townships_in_the_tree(client, cast):
    client.force_login(cast.users.staffing)

    content = client.get(reverse("orgs:units")).content.decode()

    for name in ("东岗镇党委政府", "东岗镇党政综合办公室", "河西镇党委政府", "河西镇党政综合办公室", "县自然资源局"):
        assert name in content


def test_unit_search_finds_a_unit_by_its_plaque_name(client, cast):
    actions.add_plaque(cast.units.east_office, name="重点项目办公室", by=None)
    client.force_login(cast.users.staffing)

    content = client.get(reverse("orgs:units"), {"q": "重点项目"}).content.decode()

    assert "东岗镇党政综合办公室" in content
    assert "东岗镇便民服务中心" not in content
    assert "河西镇党政综合办公室" not in content


def test_unit_search_counts_each_person_once_even_with_several_plaques(client, cast):
    office = cast.units.east_office  # one active person works here: 李东
    actions.add_plaque(office, name="重点项目办公室", by=None)
    actions.add_plaque(office, name="招商引资办公室", by=None)
    client.force_login(cast.users.staffing)

    rows = read_xlsx(client.get(reverse("orgs:units"), {"q": "党政综合", "export": "xlsx"}))
    counts = {row[0]: row[7] for row in rows[1:]}

    assert counts["东岗镇党政综合办公室"] == 1
    assert counts["河西镇党政综合办公室"] == 1


def read_xlsx(response) -> list[tuple]:
    sheet = load_workbook(BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


def test_unit_export_contains_only_the_visible_units(client, cast):
    client.force_login(cast.users.east_leader)

    response = client.get(reverse("orgs:units"), {"export": "xlsx"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    header, *rows = read_xlsx(response)
    assert header[0] == "单位名称"
    names = {row[0] for row in rows}
    assert names == {"东岗镇党委政府", "东岗镇党政综合办公室", "东岗镇便民服务中心", "柳树村民委员会"}


def test_staffing_unit_export_contains_every_active_unit(client, cast):
    client.force_login(cast.users.staffing)

    rows = read_xlsx(client.get(reverse("orgs:units"), {"export": "xlsx"}))[1:]

    assert {row[0] for row in rows} == set(Unit.objects.active().values_list("name", flat=True))


def test_a_credit_code_typed_in_lower_case_or_full_width_is_stored_normalised(cast):
    code = build_credit_code("1", "2", "411799", "0A1234567")
    fields = {"kind": "institution", "region": cast.regions.east, "parent": cast.units.east_root}
    unit = actions.create_unit(by=None, name="测试中心", credit_code=code.lower(), **fields)
    assert unit.credit_code == code
    full_width = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    with pytest.raises(ValidationError) as error:
        actions.create_unit(by=None, name="重复中心", credit_code=full_width, **fields)
    assert "已被其他单位使用" in error.value.message_dict["credit_code"][0]
