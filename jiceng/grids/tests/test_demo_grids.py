"""The demo county's grids: every village covered, no two comprehensive grids overlapping, members with the
demo grid worker's account, points that land in their village, and the same drawing every time."""

import random
from io import StringIO

import pytest
import shapely
from shapely.geometry import shape

from jiceng.accounts.models import User
from jiceng.grids import demo, geometry
from jiceng.grids.models import Grid, GridKind, GridMember
from jiceng.lib.validators import check_mobile
from jiceng.orgs import demo as orgs_demo
from jiceng.orgs.models import Region


@pytest.mark.django_db
def test_seed_grids():
    orgs_demo.seed(StringIO())
    villages = list(Region.objects.villages().filter(parent__parent__code=orgs_demo.COUNTY_CODE).order_by("code"))
    assert len(villages) > 30
    [line] = demo.seed_grids()
    assert line.startswith("网格") and "专属网格3个" in line
    check_every_village_has_numbered_comprehensive_grids(villages)
    check_comprehensive_grids_are_valid_and_do_not_overlap()
    check_special_grids_lie_inside_their_village()
    check_members_and_the_grid_workers_account()
    check_points_land_in_their_village(villages)
    check_a_second_run_changes_nothing()
    check_the_drawing_is_the_same_every_time()


def check_every_village_has_numbered_comprehensive_grids(villages):
    for village in villages:
        codes = list(Grid.objects.filter(village=village, kind=GridKind.COMPREHENSIVE).values_list("code", flat=True))
        assert codes == [f"{village.code}{n:03d}" for n in range(1, len(codes) + 1)], village.name
        assert 1 <= len(codes) <= 4
    urban = Grid.objects.filter(village__parent__kind="subdistrict", kind=GridKind.COMPREHENSIVE)
    assert urban.count() >= 3 * Region.objects.filter(parent__kind="subdistrict").count()


def check_comprehensive_grids_are_valid_and_do_not_overlap():
    grids = list(Grid.objects.filter(kind=GridKind.COMPREHENSIVE, layer="综合"))
    shapes = [shape(g.polygon) for g in grids]
    assert all(s.is_valid and s.area > 0 for s in shapes)
    left, right = shapely.STRtree(shapes).query(shapes, predicate="intersects")
    neighbours = [(i, j) for i, j in zip(left, right, strict=True) if i < j]
    assert len(neighbours) > len(grids)  # they touch: a county with no holes between its grids
    for i, j in neighbours:
        assert shapes[i].intersection(shapes[j]).area == 0, (grids[i].code, grids[j].code)
    assert shapely.coverage_is_valid(shapes)  # neighbours share exactly the same edges
    assert all(g.area_m2 > 100_000 for g in grids)
    county = shapely.union_all(shapes)
    assert county.geom_type == "Polygon" and len(county.interiors) == 0  # one piece, no gaps
    assert 500 < sum(g.area_m2 for g in grids) / 1e6 < 2000  # square kilometres: a county's size


def check_special_grids_lie_inside_their_village():
    special = list(Grid.objects.exclude(kind=GridKind.COMPREHENSIVE).select_related("village"))
    assert sorted(g.kind for g in special) == sorted([GridKind.SCHOOL, GridKind.MARKET, GridKind.ENTERPRISE])
    for grid in special:
        village = shapely.union_all(
            [shape(g.polygon) for g in Grid.objects.filter(village=grid.village, kind=GridKind.COMPREHENSIVE)]
        )
        assert village.contains(shape(grid.polygon)), grid.name
        assert 10_000 < grid.area_m2 < 500_000
        assert grid.code[-3:].startswith("9")


def check_members_and_the_grid_workers_account():
    for grid in Grid.objects.prefetch_related("members"):
        roles = [m.role for m in grid.members.all()]
        assert roles.count(GridMember.Role.CHIEF) == 1 and GridMember.Role.FULL in roles, grid.name
    for phone in GridMember.objects.values_list("phone", flat=True):
        check_mobile(phone)
    wangge = User.objects.get(username="wangge")
    [membership] = GridMember.objects.filter(user=wangge).select_related("grid__village")
    assert membership.grid.village == wangge.roles.get().unit.region
    assert (membership.name, membership.phone, membership.role) == (wangge.person.name, wangge.person.phone, "full")


def check_points_land_in_their_village(villages):
    rng = random.Random(7)
    for village in villages:
        for _ in range(10):
            lon, lat = demo.point_in(village, rng)
            assert (round(lon, 6), round(lat, 6)) == (lon, lat)
            grid = geometry.locate(lat, lon)
            assert grid is not None and grid.village == village, village.name
    assert demo.point_in(Region.objects.get(code=orgs_demo.COUNTY_CODE), rng) is None  # no grids there


def check_a_second_run_changes_nothing():
    before = list(Grid.objects.values_list("code", "polygon")), GridMember.objects.count()
    assert demo.seed_grids() == [demo.EXISTS_LINE]
    assert (list(Grid.objects.values_list("code", "polygon")), GridMember.objects.count()) == before


def check_the_drawing_is_the_same_every_time():
    first = list(Grid.objects.values_list("code", "name", "polygon"))
    members = list(GridMember.objects.values_list("grid__code", "name", "role", "phone"))
    Grid.objects.all().delete()
    demo.seed_grids()
    assert list(Grid.objects.values_list("code", "name", "polygon")) == first
    assert list(GridMember.objects.values_list("grid__code", "name", "role", "phone")) == members
