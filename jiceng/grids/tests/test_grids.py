"""Grids from GeoJSON (invalid polygons refused with a clear message, all or nothing) and point → grid."""

import json

import pytest

from jiceng.grids import geometry
from jiceng.grids.importing import import_grids
from jiceng.grids.models import Grid, GridKind
from jiceng.orgs.models import Region, RegionKind

# Two square grids side by side in 柳树村 (code 411799100201), sharing the edge at longitude 114.01.
WEST = [[114.00, 32.98], [114.01, 32.98], [114.01, 32.99], [114.00, 32.99], [114.00, 32.98]]
EAST = [[114.01, 32.98], [114.02, 32.98], [114.02, 32.99], [114.01, 32.99], [114.01, 32.98]]


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
            feature("411799100201002", "柳树村第二网格", EAST, kind="专属网格（学校）"),
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
    assert grids["002"].kind == GridKind.SCHOOL


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
    assert error.row == 2 and error.column == "geometry"
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
    assert (1, "code", "41179910020100 网格编码应为15位数字（村居12位区划代码＋3位网格序号）。") in messages
    assert any(row == 2 and "不是已登记的村（社区）区划代码" in m for row, _, m in messages)
    assert any(row == 4 and "与第3个要素重复" in m for row, _, m in messages)
    assert any(row == 5 and column == "name" for row, column, _ in messages)
    assert any(row == 5 and "类型“网吧网格”无效" in m for row, _, m in messages)
    assert not Grid.objects.exists()


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
