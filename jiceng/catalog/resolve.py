"""The resolution contract: (matter, township, date) → who leads, who cooperates, and the time limits.

Used by the case engine and the API. It honours versions (the catalog in force on the date) and
delegations (a township that has accepted a delegated power handles that matter itself). The whole
catalog is indexed in memory per process; the index is rebuilt when a cheap fingerprint of the tables
changes (checked at most every CATALOG_CHECK_SECONDS, and at once after the catalog actions).
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Count, Max

from jiceng.lib.errors import DomainError
from jiceng.orgs.models import Region, Unit, UnitEvent, UnitStatus

from .models import (
    CatalogUnit,
    DelegatedPower,
    Delegation,
    DelegationStatus,
    Level,
    Matter,
    MatterVersion,
    Responsibility,
    RoleBinding,
)


class Unresolvable(DomainError):
    """The combination cannot be resolved; the message says why."""


@dataclass(frozen=True)
class Party:
    catalog_unit: CatalogUnit
    unit: Unit | None  # the actual unit in this township (None when the township lacks it)
    duty: str

    @property
    def name(self) -> str:
        return self.unit.name if self.unit else f"{self.catalog_unit.name}（本乡镇未设）"


@dataclass
class Resolution:
    matter: Matter
    version: MatterVersion
    township: Region
    day: date
    lead: Party
    cooperating: list[Party] = field(default_factory=list)
    response_days: int | None = None
    time_limit_days: int | None = None
    delegated: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass
class _Index:
    versions: dict[int, list[tuple[date, date, int]]]  # matter → [(from, to or date.max, version id)], by from
    version_objs: dict[int, MatterVersion]
    responsibilities: dict[int, list[Responsibility]]
    catalog_units: dict[int, CatalogUnit]
    bindings: dict[tuple[int, int], int]  # (role, township) → unit id
    delegations: dict[tuple[int, int], list[tuple[date, str, int]]]  # (matter, township) → [(on, status, power)]
    powers: dict[int, DelegatedPower]
    units: dict[int, Unit]
    matters: dict[int, Matter]


_lock = threading.Lock()
_state: dict = {"key": None, "index": None, "checked": 0.0}


def _fingerprint() -> tuple:
    parts = []
    for model in (
        MatterVersion,
        Responsibility,
        CatalogUnit,
        RoleBinding,
        Delegation,
        DelegatedPower,
        Matter,
        UnitEvent,
    ):
        agg = model.objects.aggregate(n=Count("pk"), m=Max("pk"))
        parts += [agg["n"], agg["m"]]
    for model in (MatterVersion, CatalogUnit, RoleBinding, DelegatedPower):
        parts.append(model.objects.aggregate(t=Max("updated_at"))["t"])
    return tuple(parts)


def _build() -> _Index:
    versions: dict[int, list] = defaultdict(list)
    version_objs = {}
    for v in MatterVersion.objects.all():
        versions[v.matter_id].append((v.effective_from, v.effective_to or date.max, v.pk))
        version_objs[v.pk] = v
    for rows in versions.values():
        rows.sort()
    responsibilities: dict[int, list] = defaultdict(list)
    for r in Responsibility.objects.order_by("-is_lead", "sort", "id"):
        responsibilities[r.version_id].append(r)
    powers = {p.pk: p for p in DelegatedPower.objects.all()}
    delegations: dict[tuple[int, int], list] = defaultdict(list)
    for d in Delegation.objects.order_by("on", "id").values("power_id", "township_id", "status", "on"):
        matter_id = powers[d["power_id"]].matter_id
        if matter_id:
            delegations[(matter_id, d["township_id"])].append((d["on"], d["status"], d["power_id"]))
    return _Index(
        versions=dict(versions),
        version_objs=version_objs,
        responsibilities=dict(responsibilities),
        catalog_units={c.pk: c for c in CatalogUnit.objects.all()},
        bindings={(b["role_id"], b["township_id"]): b["unit_id"] for b in RoleBinding.objects.values()},
        delegations=dict(delegations),
        powers=powers,
        units=Unit.objects.in_bulk(),
        matters=Matter.objects.in_bulk(),
    )


def invalidate() -> None:
    with _lock:
        _state["key"] = None


def index() -> _Index:
    now = time.monotonic()
    if (
        _state["index"] is not None
        and _state["key"] is not None
        and now - _state["checked"] < settings.CATALOG_CHECK_SECONDS
    ):
        return _state["index"]
    key = _fingerprint()
    with _lock:
        if _state["key"] != key or _state["index"] is None:
            _state["index"], _state["key"] = _build(), key
        _state["checked"] = now
        return _state["index"]


def _current(idx: _Index, unit_id: int | None) -> Unit | None:
    """Follow 已合并 units to the unit that absorbed them; a revoked unit resolves to nothing."""
    unit = idx.units.get(unit_id) if unit_id else None
    seen = 0
    while unit is not None and unit.status == UnitStatus.MERGED and unit.merged_into_id and seen < 10:
        unit, seen = idx.units.get(unit.merged_into_id), seen + 1
    return unit if unit is not None and unit.status == UnitStatus.ACTIVE else None


def _party(idx: _Index, catalog_unit_id: int, township: Region, duty: str) -> Party:
    cu = idx.catalog_units[catalog_unit_id]
    unit_id = idx.bindings.get((cu.pk, township.pk)) if cu.level == Level.TOWNSHIP else cu.unit_id
    return Party(cu, _current(idx, unit_id), duty)


def version_on(matter: Matter, day: date) -> MatterVersion | None:
    idx = index()
    rows = idx.versions.get(matter.pk, [])
    i = bisect.bisect_right(rows, (day, date.max, 2**63)) - 1
    while i >= 0:
        start, end, vid = rows[i]
        if start <= day < end:
            return idx.version_objs[vid]
        i -= 1
    return None


def delegation_on(matter: Matter, township: Region, day: date) -> tuple[str, DelegatedPower] | None:
    idx = index()
    rows = idx.delegations.get((matter.pk, township.pk), [])
    i = bisect.bisect_right([r[0] for r in rows], day) - 1
    if i < 0:
        return None
    _, status, power_id = rows[i]
    return status, idx.powers[power_id]


def _distinct(lead: Party, parties: list[Party]) -> list[Party]:
    """One entry per actual unit (two roles may be played by one office); the lead is not its own helper."""
    seen = {lead.unit.pk} if lead.unit else set()
    out = []
    for party in parties:
        if party.unit is not None:
            if party.unit.pk in seen:
                continue
            seen.add(party.unit.pk)
        out.append(party)
    return out


def resolve(matter: Matter, township: Region, day: date) -> Resolution:
    """Who handles `matter` in `township` on `day`. Raises Unresolvable with the reason."""
    if township.level != 4:
        raise Unresolvable(f"“{township.name}”不是乡镇（街道），请指定事项发生地所在的乡镇（街道）。")
    idx = index()
    version = version_on(matter, day)
    if version is None:
        raise Unresolvable(f"事项“{matter.code}”在{day:%Y年%m月%d日}没有有效的清单版本（尚未生效或已废止）。")
    duties = idx.responsibilities.get(version.pk, [])
    lead_row = next((r for r in duties if r.is_lead), None)
    if lead_row is None:
        raise Unresolvable(f"事项“{version.name}”未确定主体责任单位。")
    notes: list[str] = []
    delegated = delegation_on(matter, township, day)
    if delegated and delegated[0] == DelegationStatus.ACCEPTED:
        power = delegated[1]
        lead = _party(idx, power.township_role_id, township, version.township_duty or lead_row.duty)
        former = _party(idx, lead_row.catalog_unit_id, township, "业务指导和监督")
        cooperating = [former] + [
            _party(idx, r.catalog_unit_id, township, r.duty)
            for r in duties
            if not r.is_lead and r.catalog_unit_id != power.township_role_id
        ]
        notes.append(f"本乡镇已承接赋权事项“{power.name}”（{power.code}），由乡镇实施。")
        is_delegated = True
    else:
        lead = _party(idx, lead_row.catalog_unit_id, township, lead_row.duty)
        cooperating = [_party(idx, r.catalog_unit_id, township, r.duty) for r in duties if not r.is_lead]
        is_delegated = False
    cooperating = _distinct(lead, cooperating)
    if lead.unit is None:
        raise Unresolvable(
            f"主体责任单位“{lead.catalog_unit.name}”在{township.name}没有对应的在用单位，请县编办维护乡镇单位对应关系。"
        )
    for party in cooperating:
        if party.unit is None:
            notes.append(f"配合单位“{party.catalog_unit.name}”在{township.name}没有对应单位。")
    return Resolution(
        matter=matter,
        version=version,
        township=township,
        day=day,
        lead=lead,
        cooperating=cooperating,
        response_days=version.response_days,
        time_limit_days=version.time_limit_days,
        delegated=is_delegated,
        notes=notes,
    )
