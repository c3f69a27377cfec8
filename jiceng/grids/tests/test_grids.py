"""Grids from GeoJSON (invalid polygons refused with a clear message, all or nothing) and point → grid."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jiceng.grids import geometry
from jiceng.grids.importing import import_grids
from jiceng.grids.models import Grid, GridKind
from jiceng.orgs.models import Region, RegionKind

# Two square grids side by side in 柳树村 (code 411799100201), sharing the edge at longitude 114.01, and a
# school's 专属网格 inside the western one.
WEST = [[114.00, 32.98], [114.01, 32.98], [114.01, 32.99], [114.00, 32.99], [114.00, 32.98]]
EAST = [[114.01, 32.98], [114.02, 32.98], [114.02, 32.99], [114.01, 32.99], [114.01, 32.98]]
SCHOOL = [[114.002, 32.982], [114.004, 32.982], [114.004, 32.984], [114.002, 32.984], [114.002, 32.982]]


def feature(code, name, ring, **props):
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, **props},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def collection(*features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False)


@pytest.fixture
def grids(cast):
    result = import_grids(
        collection(
            feature("411799100201001", "柳树村第一网格", WEST),
            feature("411799100201002", "柳树村第二网格", EAST),
            feature("411799100201901", "柳树小学专属网格", SCHOOL, kind="专属网格（学校）"),
        ),
        dry_run=False,
    )
    assert result.committed, result.errors
    return {g.code[-3:]: g for g in Grid.objects.all()}


def test_a_point_finds_its_grid_village_and_township(grids, cast):
    grid = geometry.locate(32.985, 114.005)
    assert grid == grids["001"]
    assert (grid.village, grid.township) == (cast.regions.village, cast.regions.east)
    assert geometry.locate(32.985, 114.015) == grids["002"]


def test_a_point_in_a_school_goes_to_its_dedicated_grid_though_the_comprehensive_one_has_a_lower_code(grids):
    assert grids["901"].kind == GridKind.SCHOOL
    assert geometry.locate(32.983, 114.003) == grids["901"]
    assert geometry.locate(32.982, 114.003) == grids["901"]  # on the school's fence
    assert geometry.locate(32.981, 114.003) == grids["001"]  # just outside it


def test_a_point_on_the_shared_edge_goes_to_the_lower_code_and_outside_to_none(grids):
    assert geometry.locate(32.985, 114.01) == grids["001"]  # on the edge both grids share
    assert geometry.locate(32.98, 114.02) == grids["002"]  # a corner of the second grid only
    assert geometry.locate(32.95, 114.005) is None  # south of both


def test_the_area_is_in_square_metres(grids):
    # 0.01° × 0.01° at 32.985° N: about 1,113 m × 933 m.
    assert grids["001"].area_m2 == pytest.approx(1_038_000, rel=0.01)


def test_a_self_intersecting_polygon_is_refused_with_where_and_nothing_is_imported(cast):
    bow_tie = [[114.00, 32.98], [114.01, 32.99], [114.01, 32.98], [114.00, 32.99], [114.00, 32.98]]
    result = import_grids(
        collection(feature("411799100201001", "好网格", WEST), feature("411799100201002", "坏网格", bow_tie)),
        dry_run=False,
    )
    assert not result.committed and not Grid.objects.exists()
    [error] = result.errors
    assert error.row == 2 and error.column == "范围"
    assert "边界自相交" in error.message and "经度114.005" in error.message


@pytest.mark.parametrize(
    ("ring", "message"),
    [
        (WEST[:-1], "边界未闭合"),
        ([[32.98, 114.00], [32.98, 114.01], [32.99, 114.01], [32.98, 114.00]], "不在我国范围内"),
        (WEST[:3] + [WEST[0]], None),  # a triangle is fine
        ([[114.0, 32.98], [114.01, 32.98], [114.0, 32.98]], "边界点太少"),
    ],
)
def test_polygon_checks(cast, ring, message):
    result = import_grids(collection(feature("411799100201001", "网格", ring)), dry_run=True)
    if message is None:
        assert result.errors == []
    else:
        assert message in result.errors[0].message
    assert not Grid.objects.exists()  # a dry run writes nothing either way


def test_codes_must_belong_to_a_known_village_and_be_unique_in_the_file(cast):
    Region.objects.create(code="411799100202", name="杨庄村", kind=RegionKind.VILLAGE, parent=cast.regions.east)
    result = import_grids(
        collection(
            feature("41179910020100", "短编码", WEST),
            feature("411799100299001", "无此村", WEST),
            feature("411799100202001", "杨庄一", WEST),
            feature("411799100202001", "杨庄重复", EAST),
            feature("411799100202002", "", EAST, kind="网吧网格"),
        ),
        dry_run=False,
    )
    messages = [(e.row, e.column, e.message) for e in result.errors]
    assert (1, "网格编码", "41179910020100 网格编码应为15位数字（村居12位区划代码＋3位网格序号）。") in messages
    assert any(row == 2 and "不是已登记的村（社区）区划代码" in m for row, _, m in messages)
    assert any(row == 4 and "与第3个要素重复" in m for row, _, m in messages)
    assert any(row == 5 and column == "网格名称" for row, column, _ in messages)
    assert any(row == 5 and "类型“网吧网格”无效" in m for row, _, m in messages)
    assert not Grid.objects.exists()


def test_the_command_numbers_features_and_names_fields_as_the_page_does(cast, tmp_path):
    path = tmp_path / "grids.geojson"
    path.write_text(
        collection(feature("411799100201001", "好网格", WEST), feature("411799100201002", "", EAST)), encoding="utf-8"
    )
    err = StringIO()
    with pytest.raises(CommandError, match="发现1个问题，未导入"):
        call_command("import_grids", str(path), stderr=err)
    assert err.getvalue().strip() == "GeoJSON 第2个要素 网格名称：411799100201002 网格名称不能为空。"
    assert (
        str(import_grids("{not json", dry_run=True).errors[0]) == "GeoJSON：文件不是有效的 GeoJSON（JSON 格式错误）。"
    )


def test_not_geojson_is_explained(cast):
    assert "JSON 格式错误" in import_grids("{not json", dry_run=True).errors[0].message
    assert "FeatureCollection" in import_grids('{"type": "Feature"}', dry_run=True).errors[0].message


def test_reimporting_updates_the_polygon_and_the_index_follows(grids):
    moved = [[114.10, 32.98], [114.11, 32.98], [114.11, 32.99], [114.10, 32.99], [114.10, 32.98]]
    result = import_grids(collection(feature("411799100201001", "柳树村第一网格", moved)), dry_run=False)
    assert result.counts == {"网格": 1, "新增": 0, "更新": 1}
    assert geometry.locate(32.985, 114.005) is None
    assert geometry.locate(32.985, 114.105) == grids["001"]


def test_a_report_with_a_point_gets_its_grid_village_and_township(grids, cast):
    from jiceng.cases import actions
    from jiceng.cases.models import Channel

    case, _ = actions.register_case(
        channel=Channel.GRID, title="路灯不亮", text="x", township=cast.regions.west, latitude=32.985, longitude=114.015
    )
    assert (case.grid, case.village, case.township) == (grids["002"], cast.regions.village, cast.regions.east)
    outside, _ = actions.register_case(
        channel=Channel.GRID, title="路灯不亮", text="x", township=cast.regions.west, latitude=30.0, longitude=114.0
    )
    assert (outside.grid, outside.township) == (None, cast.regions.west)  # no grid there: the form's township stays


def test_without_a_point_the_address_names_the_village_and_township(cast):
    from jiceng.cases import actions
    from jiceng.cases.models import Channel

    case, _ = actions.register_case(channel=Channel.HOTLINE, title="噪声", text="x", address="东岗镇柳树村村东头")
    assert (case.township, case.village) == (cast.regions.east, cast.regions.village)
    unknown, _ = actions.register_case(channel=Channel.HOTLINE, title="噪声", text="x", address="不知道哪里")
    assert (unknown.township, unknown.village) == (None, None)


# ---- members from Excel keep or find their accounts ---------------------------------------------------


def members_workbook(path, rows) -> str:
    from openpyxl import Workbook

    from jiceng.grids.importing import MEMBER_COLUMNS

    wb = Workbook()
    wb.active.append(list(MEMBER_COLUMNS))
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return str(path)


def test_imported_members_keep_their_accounts_or_are_linked_by_mobile_so_workers_still_patrol(cast, grids, tmp_path):
    from jiceng.accounts.models import User
    from jiceng.grids import patrols
    from jiceng.grids.importing import import_members
    from jiceng.grids.models import GridMember

    first, second = grids["001"], grids["002"]
    worker = cast.users.grid  # no mobile of its own; its person's is 13800000019
    GridMember.objects.create(grid=first, name="周网格", role="full", user=worker)
    GridMember.objects.create(grid=first, name="老李", role="part", phone="13911112222", user=cast.users.agent)
    GridMember.objects.create(grid=first, name="被换下", role="part", phone="13933334444", user=cast.users.east_head)
    patrol = patrols.start_patrol(first, by=worker)
    User.objects.filter(pk=cast.users.dispatcher.pk).update(phone="13766667777")
    User.objects.filter(pk__in=[cast.users.east_leader.pk, cast.users.west_leader.pk]).update(phone="13755556666")
    User.objects.filter(pk=cast.users.custom.pk).update(phone="13744445555", is_active=False)
    path = members_workbook(
        tmp_path / "members.xlsx",
        [
            ["411799100201001", "周网格", "专职网格员", ""],  # the same member: keeps the account, though no mobile
            ["411799100201001", "老李", "网格长", "13911112222"],  # the same member, now chief: keeps the account
            ["411799100201002", "周网格", "兼职网格员", "13800000019"],  # the account whose person has the mobile
            ["411799100201002", "派单", "兼职网格员", "13766667777"],  # the account with the mobile
            ["411799100201002", "重号", "兼职网格员", "13755556666"],  # two accounts: neither
            ["411799100201002", "停用", "兼职网格员", "13744445555"],  # an account not in use: none
        ],
    )
    preview = import_members(path, dry_run=True)
    assert preview.counts == {"网格员": 6, "网格": 2, "关联平台账号": 4}
    assert GridMember.objects.count() == 3  # 预检 writes nothing

    assert import_members(path, dry_run=False).committed
    linked = {(m.grid.code[-3:], m.name): (m.role, m.user) for m in GridMember.objects.select_related("grid", "user")}
    assert linked == {
        ("001", "周网格"): ("full", worker),
        ("001", "老李"): ("chief", cast.users.agent),
        ("002", "周网格"): ("part", worker),
        ("002", "派单"): ("part", cast.users.dispatcher),
        ("002", "重号"): ("part", None),
        ("002", "停用"): ("part", None),
    }
    patrol.refresh_from_db()
    assert patrol.member.name == "周网格" and patrol.member.grid == first  # the patrol keeps its member
    assert list(patrols.patrollable_grids(worker)) == [first, second]
