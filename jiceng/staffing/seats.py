"""Seat arithmetic as of a date: approved (核定), occupied (实有), reserved (预留) per unit and kind.

Every figure is derived from the append-only ledger, the placements and the hiring approvals, in a
fixed number of grouped queries whatever the number of units.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from jiceng.orgs.models import Person

from .models import LEADER_KINDS, HiringRequest, Placement, QuotaAccount, QuotaEntry, QuotaKind

Key = tuple[int, str]  # (unit id, quota kind)


@dataclass
class Seats:
    approved: int = 0
    occupied: int = 0
    reserved: int = 0

    @property
    def free(self) -> int:
        return self.approved - self.occupied - self.reserved

    @property
    def vacant(self) -> int:
        """空编数: approved seats neither filled nor reserved."""
        return max(0, self.free)

    @property
    def over(self) -> int:
        """超编数: people beyond the approved number."""
        return max(0, self.occupied - self.approved)


def approved_by_key(day: date, units=None) -> dict[Key, int]:
    entries = QuotaEntry.objects.filter(on__lte=day, account__unit__isnull=False)
    if units is not None:
        entries = entries.filter(account__unit__in=units)
    rows = entries.values("account__unit_id", "account__kind").annotate(total=Sum("delta"))
    return {(r["account__unit_id"], r["account__kind"]): r["total"] for r in rows}


def occupied_by_key(day: date, units=None) -> dict[Key, int]:
    placements = Placement.objects.on(day)
    if units is not None:
        placements = placements.filter(unit__in=units)
    out = {(r["unit_id"], r["kind"]): r["n"] for r in placements.values("unit_id", "kind").annotate(n=Count("id"))}
    # 领导职数 are occupied by the people now holding a leader rank (their history is not tracked).
    people = Person.objects.active().exclude(leader_rank="").filter(quota_unit__isnull=False)
    if units is not None:
        people = people.filter(quota_unit__in=units)
    rank_kind = {"chief": QuotaKind.LEADER_CHIEF, "deputy": QuotaKind.LEADER_DEPUTY}
    for r in people.values("quota_unit_id", "leader_rank").annotate(n=Count("id")):
        out[(r["quota_unit_id"], rank_kind[r["leader_rank"]])] = r["n"]
    return out


def reserved_by_key(day: date, units=None) -> dict[Key, int]:
    used = (
        Placement.objects.filter(request=OuterRef("pk"), start_on__lte=day)
        .order_by()
        .values("request")
        .annotate(n=Count("id"))
        .values("n")
    )
    requests = HiringRequest.objects.reserving_on(day).annotate(
        used=Coalesce(Subquery(used, output_field=IntegerField()), Value(0))
    )
    if units is not None:
        requests = requests.filter(unit__in=units)
    out: dict[Key, int] = defaultdict(int)
    for r in requests.values("unit_id", "kind", "seats", "used"):
        out[(r["unit_id"], r["kind"])] += max(0, r["seats"] - r["used"])
    return dict(out)


def seats_by_key(day: date, units=None) -> dict[Key, Seats]:
    approved = approved_by_key(day, units)
    occupied = occupied_by_key(day, units)
    reserved = reserved_by_key(day, units)
    out: dict[Key, Seats] = {}
    for key in set(approved) | set(occupied) | set(reserved):
        out[key] = Seats(approved.get(key, 0), occupied.get(key, 0), reserved.get(key, 0))
    return out


def account_seats(account: QuotaAccount, day: date) -> Seats:
    """The numbers of one account (a pool has approved seats only)."""
    balance = account.entries.filter(on__lte=day).aggregate(t=Coalesce(Sum("delta"), 0))["t"]
    if account.pool_id:
        return Seats(approved=balance)
    key = (account.unit_id, account.kind)
    unit = [account.unit_id]
    occupied = occupied_by_key(day, unit).get(key, 0)
    reserved = 0 if account.kind in LEADER_KINDS else reserved_by_key(day, unit).get(key, 0)
    return Seats(balance, occupied, reserved)


def pool_balances(day: date) -> dict[int, int]:
    rows = (
        QuotaEntry.objects.filter(on__lte=day, account__pool__isnull=False)
        .values("account_id")
        .annotate(total=Sum("delta"))
    )
    return {r["account_id"]: r["total"] for r in rows}
