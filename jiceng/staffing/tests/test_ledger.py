"""The quota ledger: balances are sums of entries; moves sum to zero; nothing falls below the people on it."""

import contextlib
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.lib.errors import DomainError
from jiceng.staffing import actions
from jiceng.staffing.models import EntryReason, MoveType, QuotaEntry, QuotaKind, QuotaMove
from jiceng.staffing.seats import account_seats

from .conftest import DAY, DOC


def balance(account, day=DAY):
    return account_seats(account, day).approved


def test_a_balance_is_the_sum_of_its_entries_as_of_a_date(quotas):
    east = quotas["east"]
    actions.record_entry(east, delta=2, reason=EntryReason.INCREASE, on=date(2026, 6, 1), document_no=DOC, by=None)
    assert balance(east, date(2026, 5, 31)) == 3
    assert balance(east, date(2026, 6, 1)) == 5


def test_every_entry_needs_a_document_number(quotas):
    with pytest.raises(DomainError, match="文号"):
        actions.record_entry(quotas["east"], delta=1, reason=EntryReason.INCREASE, on=DAY, document_no=" ", by=None)


def test_a_decrease_below_the_people_on_the_quota_is_refused(quotas):
    with pytest.raises(DomainError, match="超编") as error:
        actions.record_entry(quotas["east"], delta=-2, reason=EntryReason.DECREASE, on=DAY, document_no=DOC, by=None)
    assert "实有2人" in error.value.message
    assert balance(quotas["east"]) == 3


def test_a_decrease_recorded_as_creating_overstaffing_is_kept_with_its_flag(quotas):
    entry = actions.record_entry(
        quotas["east"],
        delta=-2,
        reason=EntryReason.DECREASE,
        on=DAY,
        document_no=DOC,
        allow_overstaffing=True,
        note="机构职能调整，多出人员三年内消化",
        by=None,
    )
    assert entry.creates_overstaffing
    seats = account_seats(quotas["east"], DAY)
    assert (seats.approved, seats.occupied, seats.over) == (1, 2, 1)


def test_a_move_writes_two_entries_that_sum_to_zero(quotas):
    move = actions.move_quota(
        quotas["land"], quotas["west"], amount=2, move_type=MoveType.DOWNWARD, on=DAY, document_no=DOC, by=None
    )
    assert move.status == QuotaMove.Status.RECORDED
    deltas = sorted(QuotaEntry.objects.filter(move=move).values_list("delta", flat=True))
    assert deltas == [-2, 2]
    assert (balance(quotas["land"]), balance(quotas["west"])) == (2, 4)


def test_administrative_and_institutional_quotas_never_mix(quotas, cast):
    institutional = actions.get_account(cast.units.east_hall, QuotaKind.INSTITUTIONAL)
    with pytest.raises(DomainError, match="不得混用"):
        actions.move_quota(
            quotas["land"], institutional, amount=1, move_type=MoveType.LATERAL, on=DAY, document_no=DOC, by=None
        )
    assert not QuotaEntry.objects.filter(account=institutional).exists()


def test_a_move_that_would_leave_people_without_seats_is_refused_and_changes_nothing(quotas):
    with pytest.raises(DomainError, match="超编"):
        actions.move_quota(
            quotas["east"], quotas["west"], amount=2, move_type=MoveType.LATERAL, on=DAY, document_no=DOC, by=None
        )
    assert (balance(quotas["east"]), balance(quotas["west"])) == (3, 2)
    assert not QuotaMove.objects.exists()


def test_the_pool_takes_back_and_hands_out(quotas):
    actions.move_quota(
        quotas["land"], quotas["pool"], amount=3, move_type=MoveType.TO_POOL, on=DAY, document_no=DOC, by=None
    )
    actions.move_quota(
        quotas["pool"], quotas["east"], amount=4, move_type=MoveType.FROM_POOL, on=DAY, document_no=DOC, by=None
    )
    assert (balance(quotas["land"]), balance(quotas["pool"]), balance(quotas["east"])) == (1, 1, 7)
    reasons = set(QuotaEntry.objects.filter(account=quotas["land"], delta__lt=0).values_list("reason", flat=True))
    assert reasons == {EntryReason.RECLAIM}


def test_a_draft_move_changes_nothing_until_recorded(quotas):
    move = actions.draft_move(quotas["land"], quotas["west"], amount=1, move_type=MoveType.DOWNWARD, by=None)
    assert balance(quotas["west"]) == 2
    actions.record_move(move, on=DAY, document_no=DOC, by=None)
    assert balance(quotas["west"]) == 3
    with pytest.raises(DomainError, match="已执行"):
        actions.record_move(move, on=DAY, document_no=DOC, by=None)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(1, 4)), max_size=12))
def test_any_sequence_of_moves_conserves_the_total_and_never_strands_people(quotas, moves):
    accounts = [quotas["east"], quotas["west"], quotas["land"], quotas["pool"]]
    total_before = sum(balance(a) for a in accounts)
    for i, j, amount in moves:
        with contextlib.suppress(DomainError):  # a refused move must change nothing
            actions.move_quota(
                accounts[i], accounts[j], amount=amount, move_type=MoveType.LATERAL, on=DAY, document_no=DOC, by=None
            )
        assert sum(balance(a) for a in accounts) == total_before
        for account in accounts:
            seats = account_seats(account, DAY)
            assert seats.approved >= seats.occupied + seats.reserved


def test_creating_overstaffing_needs_a_written_reason(quotas):
    with pytest.raises(DomainError, match="理由"):
        actions.record_entry(
            quotas["east"],
            delta=-2,
            reason=EntryReason.DECREASE,
            on=DAY,
            document_no=DOC,
            allow_overstaffing=True,
            by=None,
        )
