"""The grids API (members' phones masked, point lookup) and the import command."""

import pytest
from django.core.management import CommandError, call_command

from jiceng.grids.models import Grid, GridMember

from .test_grids import EAST, WEST, collection, feature

API = "/api/v1/grids/"


@pytest.fixture
def two(cast, tmp_path):
    path = tmp_path / "grids.geojson"
    path.write_text(
        collection(feature("411799100201001", "柳树村第一网格", WEST), feature("411799100201002", "第二网格", EAST)),
        encoding="utf-8",
    )
    call_command("import_grids", str(path))
    GridMember.objects.create(
        grid=Grid.objects.get(code="411799100201001"), name="周网格", role="full", phone="13812345678"
    )
    return path


def test_the_command_imports_and_a_bad_file_imports_nothing(two, tmp_path, cast):
    assert Grid.objects.count() == 2
    bad = tmp_path / "bad.geojson"
    bad.write_text(collection(feature("411799100201003", "", WEST)), encoding="utf-8")
    with pytest.raises(CommandError, match="未导入"):
        call_command("import_grids", str(bad))
    assert Grid.objects.count() == 2


def test_staff_list_grids_with_masked_phones_and_locate_a_point(client, cast, two):
    client.force_login(cast.users.department)
    listed = client.get(API, {"village": "411799100201"}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [g["code"] for g in rows] == ["411799100201001", "411799100201002"]
    assert rows[0]["members"] == [
        {"name": "周网格", "role": "full", "role_display": "专职网格员", "phone": "138****5678"}
    ]
    one = client.get(f"{API}411799100201002/").json()
    assert one["polygon"]["type"] == "Polygon" and one["township_name"] == "东岗镇"
    found = client.get(f"{API}locate", {"lat": 32.985, "lon": 114.015}).json()
    assert found["grid"]["code"] == "411799100201002"
    assert client.get(f"{API}locate", {"lat": 10, "lon": 10}).json() == {"grid": None}
    assert client.get(f"{API}locate", {"lat": 200, "lon": 114}).status_code == 400


def test_the_public_cannot_read_grids(client, two):
    assert client.get(API).status_code in (401, 403)


def members_file(path, rows):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["网格编码", "姓名", "职务", "手机号"])
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return str(path)


def test_members_from_excel_replace_the_grids_members_all_or_nothing(two, tmp_path):
    from jiceng.grids.importing import import_members

    bad = members_file(
        tmp_path / "bad.xlsx",
        [["411799100201001", "李网格长", "网格长", "13900001111"], ["411799100201009", "王", "组长", "1390000"]],
    )
    result = import_members(bad, dry_run=False)
    messages = [str(e) for e in result.errors]
    assert any("第3行 网格编码" in m and "不存在" in m for m in messages)
    assert any("第3行 职务" in m and "“组长”无效" in m for m in messages)
    assert any("第3行 手机号" in m for m in messages)
    assert list(GridMember.objects.values_list("name", flat=True)) == ["周网格"]  # unchanged
    good = members_file(
        tmp_path / "good.xlsx",
        [["411799100201001", "李网格长", "网格长", "13900001111"], ["411799100201001", "赵兼职", "兼职网格员", ""]],
    )
    assert import_members(good, dry_run=False).committed
    assert sorted(GridMember.objects.values_list("name", "role")) == [("李网格长", "chief"), ("赵兼职", "part")]
