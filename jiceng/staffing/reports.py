"""Staffing reports as of a date: per unit and kind, rolled up per township and for the county,
long-idle vacancies, and the "无编可用 beside 空编未用" view with a suggested rebalancing.

All figures come from `seats.py` (ledger, placements, approvals) in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max, Sum

from jiceng.orgs.models import Region, Unit

from .models import (
    LEADER_KINDS,
    SEAT_KINDS,
    HiringRequest,
    MoveType,
    Placement,
    QuotaAccount,
    QuotaEntry,
    QuotaKind,
    QuotaPool,
)
from .seats import Key, Seats, pool_balances, seats_by_key

COUNTY = "县直"
KIND_ORDER = {k: i for i, k in enumerate(QuotaKind)}


@dataclass
class Row:
    unit: Unit
    kind: str
    seats: Seats
    township: str  # the 乡镇(街道) name, or 县直 for county-level units
    account_id: int | None = None

    @property
    def kind_label(self) -> str:
        return QuotaKind(self.kind).label


def township_names() -> dict[int, str]:
    """Region id → the name of its 乡镇(街道), or 县直 above township level."""
    regions = {r.pk: r for r in Region.objects.only("pk", "name", "level", "parent_id")}
    out = {}
    for pk, region in regions.items():
        r = region
        while r is not None and r.level > 4:
            r = regions.get(r.parent_id)
        out[pk] = r.name if r is not None and r.level == 4 else COUNTY
    return out


def unit_rows(day: date, units=None, kinds=None) -> list[Row]:
    """One row per unit and kind that has any approved, occupied or reserved seat on `day`."""
    units_qs = Unit.objects.all() if units is None else units
    seats = seats_by_key(day, units_qs.values("pk") if units is not None else None)
    unit_map = Unit.objects.select_related("region").in_bulk({k[0] for k in seats})
    townships = township_names()
    accounts = {
        (u, k): pk
        for pk, u, k in QuotaAccount.objects.filter(unit__in=list(unit_map)).values_list("pk", "unit", "kind")
    }
    rows = [
        Row(unit_map[uid], kind, s, townships.get(unit_map[uid].region_id, COUNTY), accounts.get((uid, kind)))
        for (uid, kind), s in seats.items()
        if uid in unit_map and (kinds is None or kind in kinds)
    ]
    rows.sort(key=lambda r: (r.unit.path, KIND_ORDER[r.kind]))
    return rows


@dataclass
class Summary:
    """Totals of rows: approved/occupied/reserved summed, and vacancies and over-staffing summed per unit."""

    name: str
    kind: str
    approved: int = 0
    occupied: int = 0
    reserved: int = 0
    vacant: int = 0
    over: int = 0

    @property
    def kind_label(self) -> str:
        return QuotaKind(self.kind).label

    def add(self, s: Seats) -> None:
        self.approved += s.approved
        self.occupied += s.occupied
        self.reserved += s.reserved
        self.vacant += s.vacant
        self.over += s.over


def summarise(rows: list[Row], by_township: bool) -> list[Summary]:
    out: dict[tuple[str, str], Summary] = {}
    for row in rows:
        name = row.township if by_township else "全县"
        key = (name, row.kind)
        if key not in out:
            out[key] = Summary(name, row.kind)
        out[key].add(row.seats)
    return sorted(out.values(), key=lambda s: (s.name != COUNTY, s.name, KIND_ORDER[s.kind]))


def last_change(day: date, units=None) -> dict[Key, date]:
    """The last day each unit's quota or people changed: how long a vacancy has been idle."""
    out: dict[Key, date] = {}

    def keep(key, value):
        if value and value <= day and (key not in out or value > out[key]):
            out[key] = value

    entries = QuotaEntry.objects.filter(on__lte=day, account__unit__isnull=False)
    placements = Placement.objects.filter(start_on__lte=day)
    if units is not None:
        entries = entries.filter(account__unit__in=units)
        placements = placements.filter(unit__in=units)
    for r in entries.values("account__unit_id", "account__kind").annotate(last=Max("on")):
        keep((r["account__unit_id"], r["account__kind"]), r["last"])
    for r in placements.values("unit_id", "kind").annotate(s=Max("start_on"), e=Max("end_on")):
        keep((r["unit_id"], r["kind"]), r["s"])
        keep((r["unit_id"], r["kind"]), r["e"])
    return out


@dataclass
class Idle:
    row: Row
    since: date
    days: int


def idle_vacancies(day: date, units=None, min_days: int = 180) -> list[Idle]:
    rows = [r for r in unit_rows(day, units, SEAT_KINDS) if r.seats.vacant > 0]
    changed = last_change(day, units.values("pk") if units is not None else None)
    out = []
    for row in rows:
        since = changed.get((row.unit.pk, row.kind))
        days = (day - since).days if since else None
        if days is None or days >= min_days:
            out.append(Idle(row, since, days if days is not None else 9999))
    out.sort(key=lambda i: -i.days)
    return out


# ---- 无编可用 beside 空编未用 -------------------------------------------------------------------------


@dataclass
class Need:
    row: Row
    over: int
    refused: int
    waiting: int

    @property
    def demand(self) -> int:
        return self.over + self.refused + self.waiting


@dataclass
class Supply:
    account: QuotaAccount | None
    row: Row | None
    pool: QuotaPool | None
    available: int
    idle_days: int

    total: int = 0  # the seats on offer before any suggestion uses them

    @property
    def name(self) -> str:
        return self.pool.name if self.pool else self.row.unit.name

    @property
    def kind_label(self) -> str:
        return QuotaKind(self.account.kind).label

    @property
    def township(self) -> str:
        return COUNTY if self.pool else self.row.township


@dataclass
class Suggestion:
    kind: str
    source: Supply
    target: Need
    amount: int
    move_type: str

    @property
    def kind_label(self) -> str:
        return QuotaKind(self.kind).label

    @property
    def move_type_label(self) -> str:
        return MoveType(self.move_type).label


def paradox(day: date, units=None, window_days: int = 365, min_idle_days: int = 90):
    """Units short of quota, units with idle vacancies, and moves that cover the first from the second.

    Demand = over-staffing + seats refused in the last `window_days` + pending requests beyond the free seats.
    Supply = the pool's balance, then vacancies idle for at least `min_idle_days` with nobody waiting.
    Suggestions stay within one kind; the county's totals are unchanged by construction.
    """
    from .actions import default_move_type

    rows = unit_rows(day, units, SEAT_KINDS)
    by_key = {(r.unit.pk, r.kind): r for r in rows}
    since = day - timedelta(days=window_days)
    requests = HiringRequest.objects.all() if units is None else HiringRequest.objects.filter(unit__in=units)
    refused = {
        (u, k): n
        for u, k, n in requests.filter(status=HiringRequest.Status.REFUSED, decided_on__gt=since, decided_on__lte=day)
        .values("unit_id", "kind")
        .annotate(n=Sum("seats"))
        .values_list("unit_id", "kind", "n")
    }
    pending = {
        (u, k): n
        for u, k, n in requests.filter(status=HiringRequest.Status.PENDING, requested_on__lte=day)
        .values("unit_id", "kind")
        .annotate(n=Sum("seats"))
        .values_list("unit_id", "kind", "n")
    }
    unit_map = Unit.objects.select_related("region").in_bulk(
        {k[0] for k in set(refused) | set(pending) if k not in by_key}
    )
    townships = township_names()
    for key in set(refused) | set(pending):
        if key not in by_key and key[0] in unit_map:
            unit = unit_map[key[0]]
            by_key[key] = Row(unit, key[1], Seats(), townships.get(unit.region_id, COUNTY))
    needs = []
    for key, row in by_key.items():
        waiting = max(0, pending.get(key, 0) - max(row.seats.free, 0))
        need = Need(row, row.seats.over, refused.get(key, 0), waiting)
        if need.demand > 0:
            needs.append(need)
    needs.sort(key=lambda n: (-n.demand, n.row.unit.path))

    changed = last_change(day)
    accounts = {(a.unit_id, a.kind): a for a in QuotaAccount.objects.filter(unit__isnull=False, kind__in=SEAT_KINDS)}
    supplies = []
    balances = pool_balances(day)
    for pool_account in QuotaAccount.objects.filter(pool__isnull=False).select_related("pool"):
        balance = balances.get(pool_account.pk, 0)
        if balance > 0:
            supplies.append(Supply(pool_account, None, pool_account.pool, balance, 99999, balance))
    for key, row in by_key.items():
        if row.seats.vacant <= 0 or pending.get(key) or key not in accounts:
            continue
        last = changed.get(key)
        idle = (day - last).days if last else 99999
        if idle >= min_idle_days:
            supplies.append(Supply(accounts[key], row, None, row.seats.vacant, idle, row.seats.vacant))

    suggestions = []
    for need in needs:
        remaining = need.demand
        candidates = [s for s in supplies if s.available > 0 and s.account.kind == need.row.kind]
        # The pool first, then the same township, then the longest idle.
        candidates.sort(key=lambda s: (s.pool is None, s.township != need.row.township, -s.idle_days))
        for supply in candidates:
            if remaining == 0:
                break
            amount = min(remaining, supply.available)
            supply.available -= amount
            remaining -= amount
            move_type = default_move_type(supply.pool or supply.row.unit, need.row.unit)
            suggestions.append(Suggestion(need.row.kind, supply, need, amount, move_type))
    return needs, supplies, suggestions


def leader_rows(day: date, units=None) -> list[Row]:
    return unit_rows(day, units, LEADER_KINDS)
