"""机构改革方案: validation, preview, execution in one transaction, and the status pipeline."""

from datetime import date
from unittest import mock

import pytest

from jiceng.conftest import make_person
from jiceng.lib.errors import DomainError
from jiceng.orgs import actions as org_actions
from jiceng.orgs.models import Person, Plaque, Unit, UnitEvent, UnitKind, UnitStatus
from jiceng.staffing import actions, plans
from jiceng.staffing.models import (
    EntryReason,
    Placement,
    PlanAdjustment,
    PlanStatus,
    QuotaEntry,
    QuotaKind,
    ReorgPlan,
)
from jiceng.staffing.seats import account_seats

from .conftest import DOC

A, INST = QuotaKind.ADMINISTRATIVE, QuotaKind.INSTITUTIONAL
ON = date(2026, 6, 1)


@pytest.fixture
def town(cast, quotas):
    """东岗镇 with three old stations (each with quota and people) to be merged into one new centre."""
    root = cast.units.east_root
    stations = []
    for i, (name, quota, staff) in enumerate((("农技站", 3, 2), ("农经站", 2, 1), ("畜牧站", 2, 2))):
        unit = org_actions.create_unit(
            by=None, name=f"东岗镇{name}", kind=UnitKind.INSTITUTION, region=cast.regions.east, parent=root
        )
        actions.record_entry(
            actions.get_account(unit, INST),
            delta=quota,
            reason=EntryReason.APPROVE,
            on=date(2020, 1, 1),
            document_no=DOC,
            by=None,
        )
        for j in range(staff):
            make_person(f"{name}{j}", unit, seq=200 + i * 10 + j, kind="institutional")
        org_actions.add_plaque(unit, name=f"东岗镇{name}牌", by=None) if name == "农技站" else None
        stations.append(unit)
    Placement.objects.update(start_on=date(2020, 1, 1))
    plan = plans.create_plan(
        name="东岗镇农业服务中心组建方案",
        region=cast.regions.east,
        effective_on=ON,
        document_no="示编〔2026〕8号",
        by=None,
    )
    target = plans.add_target(plan, name="东岗镇农业服务中心", kind=UnitKind.INSTITUTION, parent=root, by=None)
    for unit in stations:
        plans.add_source(plan, unit, target=target, by=None)
    return plan, target, stations


def approve(plan):
    plans.set_plan_status(plan, PlanStatus.SUBMITTED, by=None)
    return plans.set_plan_status(plan, PlanStatus.APPROVED, by=None)


def test_a_complete_plan_validates(town):
    plan, _, _ = town
    assert plans.validate_plan(plan) == []


def test_validation_lists_every_problem_in_chinese(town, cast):
    plan, target, stations = town
    plans.map_source(plan.sources.get(unit=stations[1]), target=None, keep_name_as_plaque=False, by=None)
    plans.add_adjustment(plan, target, kind=INST, delta=2, reason=PlanAdjustment.Reason.TRANSFER, by=None)
    errors = plans.validate_plan(plan)
    assert "原单位“东岗镇农经站”未指定并入的改革后单位。" in errors
    assert any("未确定转隶单位" in e for e in errors)
    assert any(e.startswith("事业编制方案内调剂合计应为0") and "+2" in e for e in errors)


def test_a_decrease_needs_its_document_and_a_plan_cannot_leave_people_without_seats(town):
    plan, target, _ = town
    with pytest.raises(DomainError, match="文号"):
        plans.add_adjustment(plan, target, kind=INST, delta=-1, reason=PlanAdjustment.Reason.DECREASE, by=None)
    plans.add_adjustment(
        plan, target, kind=INST, delta=-3, reason=PlanAdjustment.Reason.DECREASE, document_no="示编〔2026〕9号", by=None
    )
    assert plans.validate_plan(plan) == ["“东岗镇农业服务中心”实施后事业编制核定4名、实有5人，将超编1名。"]


def test_the_preview_shows_units_quotas_and_people_before_and_after(town):
    plan, _, _ = town
    preview = plans.preview_plan(plan)
    assert len(preview.before) == 3 and len(preview.after) == 1
    assert preview.totals("before")[INST] == preview.totals("after")[INST] == 7
    assert preview.people_before == preview.people_after == 5


def test_a_plan_cannot_be_approved_with_errors_or_without_its_document(town):
    plan, target, stations = town
    plans.map_source(plan.sources.get(unit=stations[0]), target=None, keep_name_as_plaque=False, by=None)
    with pytest.raises(DomainError, match="未通过校验"):
        plans.set_plan_status(plan, PlanStatus.SUBMITTED, by=None)
    plans.map_source(plan.sources.get(unit=stations[0]), target=target, keep_name_as_plaque=False, by=None)
    plans.update_plan(plan, document_no="", by=None)
    plans.set_plan_status(plan, PlanStatus.SUBMITTED, by=None)
    with pytest.raises(DomainError, match="批准文号"):
        plans.set_plan_status(plan, PlanStatus.APPROVED, by=None)


def test_only_the_transitions_in_the_table_are_allowed(town):
    plan, _, _ = town
    with pytest.raises(DomainError, match="不能改为“已批准”"):
        plans.set_plan_status(plan, PlanStatus.APPROVED, by=None)
    with pytest.raises(DomainError, match="只有已批准的方案才能实施"):
        plans.execute_plan(plan, by=None)


def test_executing_merges_units_moves_quotas_and_people_and_keeps_history(town, cast):
    plan, target, stations = town
    first_person = Person.objects.get(name="农技站0")
    plans.place_person(plan, first_person, target=plans.add_target(plan, unit=cast.units.east_hall, by=None), by=None)
    for kind in (A, INST):  # the hall keeps its own clerk (行政) and gains one 事业 seat
        actions.record_entry(
            actions.get_account(cast.units.east_hall, kind),
            delta=1,
            reason=EntryReason.APPROVE,
            on=date(2020, 1, 1),
            document_no=DOC,
            by=None,
        )
    plans.add_adjustment(plan, target, kind=INST, delta=-1, reason=PlanAdjustment.Reason.TRANSFER, by=None)
    plans.add_adjustment(
        plan,
        plan.targets.get(unit=cast.units.east_hall),
        kind=INST,
        delta=1,
        reason=PlanAdjustment.Reason.TRANSFER,
        by=None,
    )
    approve(plan)
    plans.execute_plan(plan, by=None)

    plan.refresh_from_db()
    centre = plan.targets.get(name="东岗镇农业服务中心").created_unit
    assert plan.status == PlanStatus.EXECUTED and centre is not None
    for unit in stations:
        unit.refresh_from_db()
        assert (unit.status, unit.merged_into) == (UnitStatus.MERGED, centre)
        assert account_seats(actions.get_account(unit, INST), ON).approved == 0
    assert account_seats(actions.get_account(centre, INST), ON).approved == 7 - 1
    assert account_seats(actions.get_account(cast.units.east_hall, INST), ON).approved == 2
    assert set(QuotaEntry.objects.filter(plan=plan).values_list("reason", flat=True)) == {EntryReason.REFORM}
    assert sum(QuotaEntry.objects.filter(plan=plan).values_list("delta", flat=True)) == 0
    first_person.refresh_from_db()
    assert (first_person.quota_unit, first_person.work_unit) == (cast.units.east_hall, cast.units.east_hall)
    assert Person.objects.filter(quota_unit=centre, work_unit=centre).count() == 4
    assert Placement.objects.filter(plan=plan).count() == 5
    assert UnitEvent.objects.filter(unit=centre, kind=UnitEvent.Kind.MERGED).count() == 3
    assert Plaque.objects.filter(unit=centre, name="东岗镇农技站牌", removed_on__isnull=True).exists()


def test_an_executed_plan_cannot_be_edited(town):
    plan, target, _ = town
    approve(plan)
    plans.execute_plan(plan, by=None)
    with pytest.raises(DomainError, match="不能再修改"):
        plans.add_target(
            ReorgPlan.objects.get(pk=plan.pk),
            name="另一个单位",
            kind=UnitKind.INSTITUTION,
            parent=target.parent,
            by=None,
        )


def test_a_failure_midway_leaves_nothing_changed(town):
    plan, _, stations = town
    approve(plan)
    counts = (Unit.objects.count(), QuotaEntry.objects.count(), Placement.objects.count())
    with mock.patch.object(org_actions, "merge_unit", side_effect=DomainError("模拟故障")), pytest.raises(DomainError):
        plans.execute_plan(plan, by=None)
    assert (Unit.objects.count(), QuotaEntry.objects.count(), Placement.objects.count()) == counts
    assert ReorgPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED
    assert all(Unit.objects.get(pk=u.pk).status == UnitStatus.ACTIVE for u in stations)
    assert Person.objects.filter(work_unit__in=stations).count() == 5
