"""The published lists of a township (职责任务清单, 权力责任清单, 职责边界清单) and the service guide.

Read-only queries over the versions in force on a date; public pages and Excel exports use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from jiceng.orgs.models import Region

from .models import POWER_TYPES, DelegatedPower, Delegation, DelegationStatus, Level, ListKind, MatterVersion
from .resolve import Unresolvable, resolve


@dataclass
class ListRow:
    version: MatterVersion
    lead: str
    cooperating: str
    township_role: str  # what the township does
    delegated: bool = False


def versions_on(day: date):
    return (
        MatterVersion.objects.in_force(day)
        .select_related("matter__area")
        .prefetch_related("responsibilities__catalog_unit")
        .order_by("matter__area__sort", "matter__code")
    )


def _rows(versions, township: Region, day: date) -> list[ListRow]:
    rows = []
    for v in versions:
        try:
            r = resolve(v.matter, township, day)
        except Unresolvable:
            lead = next((x.catalog_unit.name for x in v.responsibilities.all() if x.is_lead), "")
            rows.append(
                ListRow(
                    v,
                    lead,
                    "、".join(x.catalog_unit.name for x in v.responsibilities.all() if not x.is_lead),
                    v.township_duty,
                )
            )
            continue
        rows.append(ListRow(v, r.lead.name, "、".join(p.name for p in r.cooperating), v.township_duty, r.delegated))
    return rows


def duty_list(township: Region, day: date) -> list[ListRow]:
    """职责任务清单: everything the township does — its own duties and what it does in others' matters."""
    versions = (
        versions_on(day)
        .exclude(list_kind__in=[ListKind.SERVICE, ListKind.RECLAIMED])
        .filter(Q(responsibilities__catalog_unit__level=Level.TOWNSHIP) | ~Q(township_duty=""))
        .distinct()
    )
    return _rows(versions, township, day)


def power_list(township: Region, day: date) -> list[ListRow]:
    """权力责任清单: the administrative powers the township exercises — service items that are powers and
    led by a township office, and the delegated powers it has accepted."""
    latest: dict[int, str] = {}
    for power_id, status in (
        Delegation.objects.filter(township=township, on__lte=day).order_by("on", "id").values_list("power_id", "status")
    ):
        latest[power_id] = status
    accepted = [pid for pid, status in latest.items() if status == DelegationStatus.ACCEPTED]
    accepted_matters = DelegatedPower.objects.filter(pk__in=accepted, matter__isnull=False).values("matter")
    versions = (
        versions_on(day)
        .filter(
            Q(matter__in=accepted_matters)
            | Q(
                service_type__in=POWER_TYPES,
                responsibilities__is_lead=True,
                responsibilities__catalog_unit__level=Level.TOWNSHIP,
            )
        )
        .distinct()
    )
    return _rows(versions, township, day)


def boundary_list(township: Region, day: date) -> list[ListRow]:
    """职责边界清单: matters shared by a county unit and the township — who does what."""
    versions = (
        versions_on(day)
        .filter(list_kind__in=[ListKind.LOCAL, ListKind.COOPERATE])
        .exclude(township_duty="", county_duty="")
    )
    return _rows(versions, township, day)


LISTS = {
    "duties": ("职责任务清单", duty_list),
    "powers": ("权力责任清单", power_list),
    "boundaries": ("职责边界清单", boundary_list),
}


def service_items(day: date, q: str = ""):
    versions = versions_on(day).filter(list_kind=ListKind.SERVICE)
    if q:
        versions = versions.filter(Q(name__icontains=q) | Q(keywords__icontains=q) | Q(matter__code__iexact=q))
    return versions


@dataclass
class Progress:
    township: Region
    counts: dict[str, int]
    total: int

    @property
    def accepted(self) -> int:
        return self.counts.get(DelegationStatus.ACCEPTED, 0)

    @property
    def not_accepted(self) -> int:
        return self.total - sum(self.counts.values()) + self.counts.get(DelegationStatus.NOT_ACCEPTED, 0)


def delegation_progress(day: date) -> list[Progress]:
    """承接进度 per township as of `day`: the latest status of each power (no row = 未承接)."""
    total = DelegatedPower.objects.filter(offered_on__lte=day).count()
    latest: dict[tuple[int, int], str] = {}
    rows = Delegation.objects.filter(on__lte=day).order_by("on", "id").values_list("township_id", "power_id", "status")
    for township_id, power_id, status in rows:
        latest[(township_id, power_id)] = status
    counts: dict[int, dict[str, int]] = {}
    for (township_id, _), status in latest.items():
        bucket = counts.setdefault(township_id, {})
        bucket[status] = bucket.get(status, 0) + 1
    return [Progress(t, counts.get(t.pk, {}), total) for t in Region.objects.townships().order_by("code")]


def accepted_powers(township: Region, day: date) -> list[DelegatedPower]:
    """The delegated powers the township has accepted and not given back, as of `day`."""
    latest: dict[int, str] = {}
    for power_id, status in (
        Delegation.objects.filter(township=township, on__lte=day).order_by("on", "id").values_list("power_id", "status")
    ):
        latest[power_id] = status
    accepted = [pid for pid, status in latest.items() if status == DelegationStatus.ACCEPTED]
    return list(DelegatedPower.objects.filter(pk__in=accepted).select_related("county_unit", "township_role"))
