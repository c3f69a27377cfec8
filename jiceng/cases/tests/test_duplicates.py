"""Likely duplicates flagged at intake, merged or dismissed by the dispatcher; 改派 keeps the requester's clock."""

import pytest

from jiceng.cases import actions
from jiceng.cases.models import Case, Channel, Status
from jiceng.lib.errors import DomainError

from .test_case_flow import grid_report


def report_at(cast, matters, lat, lon, **extra):
    return grid_report(cast, matters, latitude=lat, longitude=lon, **extra)


def test_a_report_within_300_metres_of_an_open_one_is_flagged_and_a_far_one_is_not(cast, matters):
    first = report_at(cast, matters, 32.9800, 114.0200)
    near = report_at(cast, matters, 32.9815, 114.0210)  # about 190 m away
    far = report_at(cast, matters, 33.0000, 114.0200)  # about 2.2 km away
    assert near.duplicate_of == first
    assert far.duplicate_of is None
    assert first.duplicate_of is None


def test_without_points_the_same_village_and_address_make_a_duplicate(cast, matters):
    first = grid_report(cast, matters, village=cast.regions.village, address="村东头麦地")
    same = grid_report(cast, matters, village=cast.regions.village, address="村东头 麦地")
    other = grid_report(cast, matters, village=cast.regions.village, address="村西砖厂")
    assert same.duplicate_of == first and other.duplicate_of is None


def test_service_applications_and_closed_cases_are_never_duplicates(cast, matters):
    def apply():
        case, _ = actions.register_case(
            channel=Channel.WINDOW,
            title="参保",
            text="x",
            matter=matters["service"],
            township=cast.regions.east,
            village=cast.regions.village,
        )
        return case

    apply()
    assert apply().duplicate_of is None
    closed = report_at(cast, matters, 32.98, 114.02)
    actions.withdraw_case(closed, by=None)
    assert report_at(cast, matters, 32.98, 114.02).duplicate_of is None


def test_merging_closes_the_duplicate_and_records_it_on_both_cases(cast, matters):
    first = report_at(cast, matters, 32.98, 114.02)
    second = report_at(cast, matters, 32.98, 114.02)
    merged = actions.merge_case(second, into=first, by=cast.users.dispatcher)
    assert (merged.status, merged.merged_into, merged.duplicate_of) == (Status.MERGED, first, None)
    assert first.events.filter(action="merged_in", data__case=second.pk).exists()
    assert Case.objects.get(pk=first.pk).status == Status.REGISTERED  # the main case goes on as it was
    with pytest.raises(DomainError, match="已合并，不能合并"):
        actions.merge_case(merged, into=first, by=None)


def test_a_case_cannot_be_merged_into_itself_or_into_a_closed_one(cast, matters):
    first = report_at(cast, matters, 32.98, 114.02)
    with pytest.raises(DomainError, match="自身"):
        actions.merge_case(first, into=first, by=None)
    done = actions.withdraw_case(report_at(cast, matters, 30.0, 110.0), by=None)
    with pytest.raises(DomainError, match="不能作为合并目标"):
        actions.merge_case(first, into=done, by=None)
    assert Case.objects.get(pk=first.pk).status == Status.REGISTERED


def test_dismissing_a_flag_keeps_the_case_open(cast, matters):
    report_at(cast, matters, 32.98, 114.02)
    second = report_at(cast, matters, 32.98, 114.02)
    second = actions.dismiss_duplicate(second, by=cast.users.dispatcher)
    assert second.duplicate_of is None and second.status == Status.REGISTERED
    with pytest.raises(DomainError, match="未被标记"):
        actions.dismiss_duplicate(second, by=None)


def test_reassigning_moves_the_case_and_keeps_the_deadline(cast, matters):
    case = actions.sign_case(actions.dispatch_case(grid_report(cast, matters), by=None), by=None)
    due = case.due_at
    with pytest.raises(DomainError, match="改派理由"):
        actions.reassign_case(case, unit=cast.units.east_office, reason=" ", by=None)
    with pytest.raises(DomainError, match="无需改派"):
        actions.reassign_case(case, unit=cast.units.land, reason="x", by=None)
    case = actions.reassign_case(case, unit=cast.units.east_office, reason="属镇里巡查职责", by=None)
    assert (case.status, case.lead_unit, case.signed_at, case.due_at) == (
        Status.DISPATCHED,
        cast.units.east_office,
        None,
        due,
    )
    assert not case.tasks.filter(unit=cast.units.east_office).exists()  # no task for the new lead unit itself


def test_a_misrouted_case_is_reassigned_by_correcting_its_matter_and_the_catalog_names_the_units(cast, matters):
    from datetime import date

    from jiceng.catalog import actions as catalog
    from jiceng.catalog.models import Area, CatalogUnit, ListKind

    office, land = CatalogUnit.objects.get(code="T01"), CatalogUnit.objects.get(code="C01")
    neighbours = catalog.save_matter(
        code="M002",
        area=Area.objects.get(code="A01"),
        effective_from=date(2025, 1, 1),
        document_no="x",
        by=None,
        fields={"name": "邻里纠纷调解", "list_kind": ListKind.BASIC, "time_limit_days": 5},
        duties=[catalog.Duty(office, True, "调解"), catalog.Duty(land, False, "界址指导")],
    ).matter
    case = actions.dispatch_case(grid_report(cast, matters), by=None)  # to 县自然资源局 for 违法占用耕地建房
    due = case.due_at
    with pytest.raises(DomainError, match="请选择改派的承办单位，或更正事项"):
        actions.reassign_case(case, reason="派错了", by=None)
    with pytest.raises(DomainError, match="事项未变"):
        actions.reassign_case(case, matter=matters["event"], reason="派错了", by=None)

    case = actions.reassign_case(case, matter=neighbours, reason="实为邻里宅基地界址纠纷", by=cast.users.dispatcher)

    assert (case.matter, case.lead_unit, case.due_at) == (neighbours, cast.units.east_office, due)
    assert list(case.tasks.values_list("unit", flat=True)) == [cast.units.land.pk]  # the new matter's cooperator
    event = case.events.get(action="reassign")
    assert event.data == {"from_unit": cast.units.land.pk, "matter": "M002", "from_matter": "M001"}
    assert "事项更正为“邻里纠纷调解”" in event.note


def test_the_command_centre_lists_the_duplicate_and_merges_it_in_one_click(client, cast, matters):
    first = report_at(cast, matters, 32.98, 114.02)
    second = report_at(cast, matters, 32.98, 114.02)
    client.force_login(cast.users.dispatcher)
    page = client.get("/cases/command/")
    assert [c.pk for c in page.context["duplicates"]] == [second.pk]
    client.post(f"/cases/{second.pk}/do/merge/", {"into": first.code})
    assert list(client.get("/cases/command/").context["duplicates"]) == []
    assert Case.objects.get(pk=second.pk).status == Status.MERGED


def test_reports_without_a_matter_are_duplicates_when_near_and_alike(cast):
    def report(title, address):
        case, _ = actions.register_case(
            channel=Channel.GRID,
            title=title,
            text="x",
            township=cast.regions.east,
            village=cast.regions.village,
            address=address,
        )
        return case

    first = report("村口路灯不亮", "村口")
    assert report("村口路灯不亮了", "村口").duplicate_of == first
    assert report("垃圾桶满了没人清运", "村口").duplicate_of is None  # the same place, another problem
    assert report("村口路灯不亮", "村西砖厂").duplicate_of is None  # the same problem elsewhere
