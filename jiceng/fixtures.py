"""The fixed cast every test can use (registered by the root conftest.py).

A small county with two towns, their people and one user per role.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from jiceng.accounts.models import RoleAssignment, User
from jiceng.accounts.roles import Role, Scope
from jiceng.lib.validators import build_id_number
from jiceng.orgs import actions
from jiceng.orgs.models import Region, RegionKind, StaffingKind, UnitKind

PASSWORD = "Test@Pass2026"


def make_person(name, work_unit, *, seq, quota_unit="same", kind=StaffingKind.ADMINISTRATIVE, birth=None):
    quota = work_unit if quota_unit == "same" else quota_unit
    if kind == StaffingKind.CONTRACT:
        quota = None
    return actions.create_person(
        by=None,
        name=name,
        id_number=build_id_number("411799", birth or date(1985, 1, 1 + seq % 28), seq),
        phone=f"1380000{seq:04d}",
        staffing_kind=kind,
        quota_unit=quota,
        work_unit=work_unit,
    )


def make_user(username, role, unit=None, scope=None, person=None, custom_units=()):
    user = User.objects.create_user(username, password=PASSWORD, full_name=username, person=person)
    assignment = RoleAssignment.objects.create(user=user, role=role, unit=unit, scope=scope or "")
    if custom_units:
        assignment.custom_units.set(custom_units)
    return user


@pytest.fixture
def cast(db):
    province = Region.objects.create(code="410000000000", name="河南省", kind=RegionKind.PROVINCE)
    city = Region.objects.create(code="411700000000", name="驻马店市", kind=RegionKind.CITY, parent=province)
    county = Region.objects.create(code="411799000000", name="示范县", kind=RegionKind.COUNTY, parent=city)
    east = Region.objects.create(code="411799100000", name="东岗镇", kind=RegionKind.TOWN, parent=county)
    west = Region.objects.create(code="411799101000", name="河西镇", kind=RegionKind.TOWN, parent=county)
    village = Region.objects.create(code="411799100201", name="柳树村", kind=RegionKind.VILLAGE, parent=east)

    unit = actions.create_unit
    gov = unit(by=None, name="示范县人民政府", kind=UnitKind.LEADERSHIP, region=county)
    staffing_office = unit(by=None, name="中共示范县委机构编制委员会办公室", kind=UnitKind.PARTY, region=county)
    land = unit(by=None, name="县自然资源局", kind=UnitKind.GOVERNMENT, region=county, parent=gov)
    east_root = unit(by=None, name="东岗镇党委政府", kind=UnitKind.LEADERSHIP, region=east, parent=gov)
    east_office = unit(by=None, name="东岗镇党政综合办公室", kind=UnitKind.COMBINED, region=east, parent=east_root)
    east_hall = unit(by=None, name="东岗镇便民服务中心", kind=UnitKind.SERVICE_CENTER, region=east, parent=east_root)
    east_village = unit(by=None, name="柳树村民委员会", kind=UnitKind.VILLAGE, region=village, parent=east_root)
    west_root = unit(by=None, name="河西镇党委政府", kind=UnitKind.LEADERSHIP, region=west, parent=gov)
    west_office = unit(by=None, name="河西镇党政综合办公室", kind=UnitKind.COMBINED, region=west, parent=west_root)

    east_clerk_person = make_person("王窗口", east_hall, seq=11)
    east_staff = make_person("李东", east_office, seq=13)
    east_separated = make_person("赵借", east_hall, seq=15, quota_unit=east_office)
    west_staff = make_person("陈西", west_office, seq=17)
    grid_person = make_person("周网格", east_village, seq=19, kind=StaffingKind.CONTRACT)
    land_staff = make_person("孙资源", land, seq=21)

    users = SimpleNamespace(
        admin=make_user("admin", Role.ADMIN),
        staffing=make_user("bianban", Role.STAFFING, staffing_office),
        department=make_user("bumen", Role.DEPARTMENT, land, person=land_staff),
        dispatcher=make_user("paidan", Role.DISPATCHER),
        east_leader=make_user("east_leader", Role.TOWNSHIP_LEADER, east_root),
        west_leader=make_user("west_leader", Role.TOWNSHIP_LEADER, west_root),
        east_head=make_user("east_head", Role.OFFICE_HEAD, east_office),
        east_clerk=make_user("east_clerk", Role.WINDOW_CLERK, east_hall, person=east_clerk_person),
        agent=make_user("daiban", Role.AGENT, east_village, scope=Scope.SELF),
        grid=make_user("wangge", Role.GRID_WORKER, east_village, person=grid_person),
        custom=make_user("custom", Role.DISPATCHER, scope=Scope.CUSTOM, custom_units=[west_office]),
    )
    return SimpleNamespace(
        regions=SimpleNamespace(province=province, city=city, county=county, east=east, west=west, village=village),
        units=SimpleNamespace(
            gov=gov,
            staffing_office=staffing_office,
            land=land,
            east_root=east_root,
            east_office=east_office,
            east_hall=east_hall,
            east_village=east_village,
            west_root=west_root,
            west_office=west_office,
        ),
        people=SimpleNamespace(
            east_clerk=east_clerk_person,
            east_staff=east_staff,
            east_separated=east_separated,
            west_staff=west_staff,
            grid=grid_person,
            land=land_staff,
        ),
        users=users,
    )


@pytest.fixture
def calendar_2026(db):
    """The holiday table filled for 2025 and 2026 from chinese-calendar, as `make demo` does."""
    from jiceng.workcal.actions import load_package_year

    load_package_year(2025)
    load_package_year(2026)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Argon2 is deliberately slow; tests use a fast hasher so the cast is created quickly."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_holiday_table(settings):
    """Each test sees its own database's holiday table: no cache carried over from the previous test."""
    from jiceng.workcal.calendar import invalidate

    settings.WORKCAL_CHECK_SECONDS = 0
    invalidate()


@pytest.fixture(autouse=True)
def fresh_catalog_index(settings):
    """Each test resolves against its own database's catalog: no index carried over, none kept for seconds."""
    from jiceng.catalog.resolve import invalidate

    settings.CATALOG_CHECK_SECONDS = 0
    invalidate()


@pytest.fixture(autouse=True)
def fresh_grid_index(settings):
    """Each test locates points against its own database's grids."""
    from jiceng.grids.geometry import invalidate

    settings.GRID_CHECK_SECONDS = 0
    invalidate()


@pytest.fixture(autouse=True)
def fresh_routing_model(settings):
    """Each test routes with its own database's model version, and no model unless it trains one."""
    from jiceng.routing.suggest import invalidate

    settings.ROUTING_CHECK_SECONDS = 0
    invalidate()


@pytest.fixture
def small_demo(monkeypatch, settings):
    """seed_demo with only the guaranteed demo cases (not a year of them), at the deployed cache intervals."""
    from jiceng.cases.demo import history

    monkeypatch.setattr(history, "CASES", 0)
    settings.CATALOG_CHECK_SECONDS = settings.WORKCAL_CHECK_SECONDS = settings.GRID_CHECK_SECONDS = 5
