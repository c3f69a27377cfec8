"""先核准后进人: approvals reserve seats only when free; 进编, 出编 and 调动 keep the 实名制 record."""

from datetime import date, timedelta

import pytest

from jiceng.lib.errors import DomainError
from jiceng.orgs.models import Person
from jiceng.staffing import actions
from jiceng.staffing.models import ExitReason, HiringRequest, Placement, QuotaKind
from jiceng.staffing.seats import account_seats

from .conftest import DAY

A = QuotaKind.ADMINISTRATIVE


def request(unit, seats=1, on=DAY):
    return actions.submit_hiring_request(unit, kind=A, seats=seats, purpose="综合文字岗", on=on, by=None)


def test_an_approval_reserves_a_free_seat_and_is_numbered(quotas, cast, settings):
    approved = actions.approve_hiring_request(request(cast.units.east_office), on=DAY, by=None)
    assert approved.status == HiringRequest.Status.APPROVED
    assert approved.number == f"编核〔2026〕{approved.pk:05d}号"
    assert approved.expires_on == DAY + timedelta(days=settings.HIRING_APPROVAL_VALID_DAYS)
    seats = account_seats(quotas["east"], DAY)
    assert (seats.approved, seats.occupied, seats.reserved, seats.vacant) == (3, 2, 1, 0)


def test_at_full_quota_the_request_is_refused_and_the_refusal_is_kept(quotas, cast):
    actions.approve_hiring_request(request(cast.units.east_office), on=DAY, by=None)
    refused = actions.approve_hiring_request(request(cast.units.east_office), on=DAY, by=None)
    assert refused.status == HiringRequest.Status.REFUSED
    assert refused.decision_note.startswith("超编不得进人")
    assert "核定3名，实有2人，已预留1名" in refused.decision_note
    assert HiringRequest.objects.get(pk=refused.pk).status == HiringRequest.Status.REFUSED


def test_a_unit_without_any_quota_is_refused(cast, quotas):
    refused = actions.approve_hiring_request(request(cast.units.east_hall), on=DAY, by=None)
    assert refused.status == HiringRequest.Status.REFUSED


def test_expired_approvals_release_their_seats(quotas, cast, settings):
    approved = actions.approve_hiring_request(request(cast.units.east_office), on=DAY, by=None)
    later = approved.expires_on + timedelta(days=1)
    assert account_seats(quotas["east"], later).reserved == 0
    with pytest.raises(DomainError, match="过期"):
        actions.enter_person(approved, cast.people.grid, on=later, by=None)


def test_entering_a_new_person_fills_the_reserved_seat(quotas, cast):
    approved = actions.approve_hiring_request(request(cast.units.east_office), on=DAY, by=None)
    placement = actions.new_person_and_enter(
        approved,
        on=DAY + timedelta(days=10),
        by=None,
        name="吴新人",
        id_number="11010519491231002X",
        work_unit=cast.units.east_office,
    )
    person = Person.objects.get(name="吴新人")
    assert person.quota_unit == cast.units.east_office and person.staffing_kind == "administrative"
    assert placement.request == approved
    assert HiringRequest.objects.get(pk=approved.pk).status == HiringRequest.Status.USED
    seats = account_seats(quotas["east"], DAY + timedelta(days=10))
    assert (seats.occupied, seats.reserved) == (3, 0)


def test_a_person_already_on_a_quota_cannot_enter_again(quotas, cast):
    approved = actions.approve_hiring_request(request(cast.units.east_office), on=DAY, by=None)
    with pytest.raises(DomainError, match="已在编"):
        actions.enter_person(approved, cast.people.west_staff, on=DAY, by=None)


def test_retirement_frees_the_seat_from_the_exit_date(quotas, cast):
    actions.exit_person(cast.people.east_staff, on=date(2026, 6, 30), reason=ExitReason.RETIRED, by=None)
    assert account_seats(quotas["east"], date(2026, 6, 29)).occupied == 2
    assert account_seats(quotas["east"], date(2026, 6, 30)).occupied == 1
    person = Person.objects.get(pk=cast.people.east_staff.pk)
    assert person.quota_unit is None and not person.active


def test_a_transfer_is_one_exit_and_one_entry(quotas, cast):
    actions.transfer_person(cast.people.east_staff, to_unit=cast.units.west_office, on=DAY, by=None)
    assert account_seats(quotas["east"], DAY).occupied == 1
    assert account_seats(quotas["west"], DAY).occupied == 2
    history = list(Placement.objects.filter(person=cast.people.east_staff).order_by("start_on", "id"))
    assert [(p.unit_id, p.exit_reason) for p in history] == [
        (cast.units.east_office.pk, ExitReason.TRANSFER),
        (cast.units.west_office.pk, ""),
    ]
    assert Person.objects.get(pk=cast.people.east_staff.pk).work_unit == cast.units.west_office


def test_a_transfer_into_a_full_unit_is_refused_and_changes_nothing(quotas, cast):
    actions.approve_hiring_request(request(cast.units.west_office), on=DAY, by=None)  # west: 2 − 1 − 1 = 0 free
    with pytest.raises(DomainError, match="超编不得进人"):
        actions.transfer_person(cast.people.east_staff, to_unit=cast.units.west_office, on=DAY, by=None)
    assert Placement.objects.get(person=cast.people.east_staff, end_on__isnull=True).unit == cast.units.east_office


def test_a_seat_taken_later_stays_reserved_until_the_entry_date(quotas, cast):
    approved = actions.approve_hiring_request(request(cast.units.east_office), on=DAY, by=None)
    actions.new_person_and_enter(
        approved,
        on=DAY + timedelta(days=30),
        by=None,
        name="晚进编",
        id_number="11010519491231002X",
        work_unit=cast.units.east_office,
    )
    seats = account_seats(quotas["east"], DAY + timedelta(days=10))
    assert (seats.occupied, seats.reserved, seats.free) == (2, 1, 0)
    refused = actions.approve_hiring_request(
        request(cast.units.east_office, on=DAY + timedelta(days=10)), on=DAY + timedelta(days=10), by=None
    )
    assert refused.status == HiringRequest.Status.REFUSED
