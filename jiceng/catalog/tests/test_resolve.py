"""The resolution contract: (matter, township, date) → lead, cooperating units and time limits."""

from datetime import date

import pytest

from jiceng.catalog import actions
from jiceng.catalog.models import DelegationStatus, ListKind
from jiceng.catalog.resolve import Unresolvable, resolve
from jiceng.orgs import actions as org_actions

from .conftest import DOC, START

DAY = date(2025, 6, 1)


def test_a_county_led_matter_resolves_to_the_department_and_the_townships_office(catalog, cast):
    r = resolve(catalog["occupy"], cast.regions.east, DAY)
    assert r.lead.unit == cast.units.land and r.lead.duty == "依法查处"
    assert [(p.unit, p.duty) for p in r.cooperating] == [(cast.units.east_office, "巡查制止并报告")]
    assert (r.time_limit_days, r.delegated) == (3, False)


def test_a_missing_cooperating_office_is_noted_not_fatal(catalog, cast):
    r = resolve(catalog["occupy"], cast.regions.west, DAY)
    assert r.lead.unit == cast.units.land
    assert r.cooperating[0].unit is None
    assert any("党政综合办公室" in n and "河西镇" in n for n in r.notes)


def test_a_township_led_matter_without_the_office_says_why(catalog, cast):
    with pytest.raises(Unresolvable, match="主体责任单位“党政综合办公室”在河西镇没有对应"):
        resolve(catalog["straw"], cast.regions.west, DAY)


def test_before_its_effective_date_a_matter_cannot_be_resolved(catalog, cast):
    with pytest.raises(Unresolvable, match="没有有效的清单版本"):
        resolve(catalog["occupy"], cast.regions.east, date(2024, 12, 31))


def test_a_region_that_is_not_a_township_is_refused(catalog, cast):
    with pytest.raises(Unresolvable, match="不是乡镇"):
        resolve(catalog["occupy"], cast.regions.village, DAY)


def test_an_accepted_delegation_moves_the_lead_to_the_township_from_its_date(catalog, cast):
    actions.set_delegation(
        catalog["power"],
        cast.regions.east,
        status=DelegationStatus.ACCEPTED,
        on=date(2025, 9, 1),
        document_no="示政〔2025〕9号",
        by=None,
    )
    before = resolve(catalog["occupy"], cast.regions.east, date(2025, 8, 31))
    after = resolve(catalog["occupy"], cast.regions.east, date(2025, 9, 1))
    assert before.lead.unit == cast.units.land and not before.delegated
    assert after.lead.unit == cast.units.east_office and after.delegated
    assert after.cooperating[0].unit == cast.units.land  # the department now guides and supervises
    assert "已承接赋权事项" in after.notes[0]
    assert resolve(catalog["occupy"], cast.regions.west, date(2025, 9, 1)).lead.unit == cast.units.land


def test_a_reclaimed_power_goes_back_to_the_department(catalog, cast):
    for status, on in ((DelegationStatus.ACCEPTED, date(2025, 9, 1)), (DelegationStatus.RECLAIMED, date(2026, 1, 1))):
        actions.set_delegation(catalog["power"], cast.regions.east, status=status, on=on, document_no="x", by=None)
    assert resolve(catalog["occupy"], cast.regions.east, date(2025, 12, 31)).delegated
    assert resolve(catalog["occupy"], cast.regions.east, date(2026, 1, 1)).lead.unit == cast.units.land


def test_a_new_version_applies_from_its_date_and_old_cases_keep_the_old_one(catalog, cast):
    actions.save_matter(
        code="M001",
        area=catalog["area"],
        effective_from=date(2026, 1, 1),
        document_no="示编〔2025〕40号",
        by=None,
        fields={
            "name": "违法占用耕地建房",
            "list_kind": ListKind.BASIC,
            "township_duty": "依法查处",
            "time_limit_days": 5,
        },
        duties=[actions.Duty(catalog["office"], True, "依法查处"), actions.Duty(catalog["land"], False, "指导")],
    )
    old = resolve(catalog["occupy"], cast.regions.east, date(2025, 12, 31))
    new = resolve(catalog["occupy"], cast.regions.east, date(2026, 1, 1))
    assert (old.lead.unit, old.time_limit_days) == (cast.units.land, 3)
    assert (new.lead.unit, new.time_limit_days) == (cast.units.east_office, 5)


def test_a_merged_office_resolves_to_the_unit_that_absorbed_it(catalog, cast):
    org_actions.merge_unit(
        cast.units.east_office, into=cast.units.east_hall, on=date(2025, 5, 1), document_no="示编〔2025〕5号", by=None
    )
    assert resolve(catalog["occupy"], cast.regions.east, DAY).cooperating[0].unit == cast.units.east_hall


def test_a_version_must_start_after_the_current_one(catalog):
    with pytest.raises(Exception, match="须晚于现行版本"):
        actions.save_matter(
            code="M001",
            area=catalog["area"],
            effective_from=START,
            document_no=DOC,
            by=None,
            fields={"name": "x", "list_kind": ListKind.LOCAL},
            duties=[actions.Duty(catalog["land"], True)],
        )


@pytest.mark.parametrize(
    ("fields", "duties", "message"),
    [
        ({"name": "", "list_kind": ListKind.LOCAL}, "one", "事项名称"),
        ({"name": "x", "list_kind": ListKind.SERVICE}, "one", "事项类型"),
        ({"name": "x", "list_kind": ListKind.LOCAL, "time_limit_days": -1}, "one", "不能为负数"),
        (
            {
                "name": "x",
                "list_kind": ListKind.SERVICE,
                "service_type": "行政许可",
                "statutory_days": 5,
                "committed_days": 8,
            },
            "one",
            "承诺时限不能长于法定时限",
        ),
        ({"name": "x", "list_kind": ListKind.LOCAL}, "two", "有且只有一个主体责任单位"),
    ],
)
def test_invalid_matters_are_refused_in_chinese(catalog, fields, duties, message):
    lead = [actions.Duty(catalog["land"], True)]
    two = lead + [actions.Duty(catalog["office"], True)]
    with pytest.raises(Exception, match=message):
        actions.save_matter(
            code="M900",
            area=catalog["area"],
            effective_from=START,
            fields=fields,
            duties=lead if duties == "one" else two,
            by=None,
        )
