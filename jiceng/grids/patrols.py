"""巡查: grid workers walking their grids, with the phone's track, findings that become cases, and coverage per grid.

Patrols are on comprehensive grids (layer 综合) only: a departmental layer's grid is a 多网合一 source, not a
place anyone patrols. Who may patrol a comprehensive grid: a holder of PATROL who is a member of the grid
(GridMember.user), or whose PATROL scope covers the grid's township (a township-level 网格员 account with 本级及下级
at the township's party and government unit); the default 仅本人 scope of a 网格员 gives only the grids they are a
member of. A worker has at most one patrol in progress (a partial unique index keeps it so when two phones race).
The worker adds track points and findings and ends the patrol; the command centre (MANAGE_GRIDS, in scope) may
also end a patrol left running.

How long a patrol counts (`ended_at`, which coverage hours add up): until the worker ends it, as a rule. A patrol
ended by someone else (the command centre closing one left running), or ended more than MAX_PATROL_HOURS after it
started, counts only until its last track point or finding, or not at all when it has neither: the time it was
left running is not time patrolled. Its END event says so, with who ended it and when (the event's time).

Track point times are stored and given out in local time (Asia/Shanghai), as every other time of the platform.

Each start, finding and end writes a PatrolEvent; track points do not (the track is their record).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from jiceng.accounts.access import access_object
from jiceng.accounts.roles import Perm
from jiceng.lib.errors import DomainError
from jiceng.workcal.calendar import get_calendar

from .importing import LAT_RANGE, LON_RANGE
from .models import (
    COMPREHENSIVE_LAYER,
    Grid,
    GridMember,
    Patrol,
    PatrolEvent,
    PatrolFinding,
    PatrolStatus,
    townships_in_scope,
)

EARTH_M = 6_371_008.8
MAX_TRACK_POINTS = 5000  # a point every 10 s for 14 hours
CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock may run this far ahead
MAX_PATROL_HOURS = 12  # a patrol ended later counts only to its last point or finding


# ---- access ------------------------------------------------------------------------------------------


def patrollable_grids(user):
    """The active comprehensive grids the user may patrol (see the module's docstring)."""
    if not user.is_authenticated or not user.can(Perm.PATROL):
        return Grid.objects.none()
    grids = Grid.objects.filter(layer=COMPREHENSIVE_LAYER, active=True)
    towns = townships_in_scope(user, Perm.PATROL)
    if towns is not None:
        grids = grids.filter(Q(members__user=user) | Q(village__parent__in=towns)).distinct()
    return grids.select_related("village__parent").order_by("code")


def supervised_patrols(user):
    """Patrols the user may end for someone else: MANAGE_GRIDS, in scope."""
    if not user.can(Perm.MANAGE_GRIDS):
        return Patrol.objects.none()
    towns = townships_in_scope(user, Perm.MANAGE_GRIDS)
    return Patrol.objects.all() if towns is None else Patrol.objects.filter(grid__village__parent__in=towns)


def can_end_for_others(user, patrol: Patrol) -> bool:
    return supervised_patrols(user).filter(pk=patrol.pk).exists()


def get_patrol_for_user(user, pk, *, write: bool = False, end: bool = False) -> Patrol:
    """Invisible → 404. `write` (points, findings): the patrol's own worker; `end`: the worker or the command centre."""
    writable = Patrol.objects.filter(user=user) if user.is_authenticated else Patrol.objects.none()
    if end:
        writable = writable | supervised_patrols(user)
    return access_object(
        Patrol.objects.visible_to(user).select_related("grid__village__parent", "user"),
        pk,
        writable=writable,
        write=write or end,
    )


def coverage_grids(user):
    """Comprehensive grids whose coverage the user may see: in their VIEW_GRIDS townships, or with them as member."""
    if not user.is_authenticated or not user.can(Perm.VIEW_GRIDS):
        return Grid.objects.none()
    towns = townships_in_scope(user, Perm.VIEW_GRIDS)
    grids = Grid.objects.filter(layer=COMPREHENSIVE_LAYER, active=True).select_related("village__parent")
    if towns is None:
        return grids
    return grids.filter(Q(village__parent__in=towns) | Q(members__user=user)).distinct()


# ---- actions -----------------------------------------------------------------------------------------


def _event(patrol: Patrol, kind: str, *, by, note: str = "") -> None:
    PatrolEvent.objects.create(patrol=patrol, kind=kind, by=by if getattr(by, "pk", None) else None, note=note[:300])


@transaction.atomic
def start_patrol(grid: Grid, *, by) -> Patrol:
    if not grid.active:
        raise DomainError(f"网格“{grid.name}”已停用，不能巡查。", field="grid")
    if grid.layer != COMPREHENSIVE_LAYER:
        raise DomainError(f"“{grid.name}”是{grid.layer}部门网格，巡查请选择所在的综合网格。", field="grid")
    if not patrollable_grids(by).filter(pk=grid.pk).exists():
        raise DomainError(f"您不是网格“{grid.name}”的成员，也不负责其所在乡镇（街道），不能巡查该网格。", field="grid")
    running = Patrol.objects.filter(user=by, status=PatrolStatus.ACTIVE).select_related("grid").first()
    if running:
        started = timezone.localtime(running.started_at)
        raise DomainError(f"您在“{running.grid.name}”的巡查（{started:%m-%d %H:%M}开始）尚未结束，请先结束巡查。")
    try:
        with transaction.atomic():
            patrol = Patrol.objects.create(
                grid=grid,
                user=by,
                member=GridMember.objects.filter(grid=grid, user=by).first(),
                started_at=timezone.now(),
            )
    except IntegrityError:
        raise DomainError("您有一次巡查尚未结束，请先结束巡查。") from None
    _event(patrol, PatrolEvent.Kind.START, by=by, note=grid.name)
    return patrol


def _own_running(patrol: Patrol, by) -> Patrol:
    patrol = Patrol.objects.select_for_update(of=("self",)).select_related("grid__village__parent").get(pk=patrol.pk)
    if patrol.user_id != getattr(by, "pk", None):
        raise DomainError("只有巡查人本人可以记录巡查轨迹和上报发现。")
    if patrol.status != PatrolStatus.ACTIVE:
        raise DomainError("该巡查已结束。")
    return patrol


def _distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_M * math.asin(math.sqrt(h))


def track_length(track: list) -> float:
    return sum(_distance_m(a[0], a[1], b[0], b[1]) for a, b in pairwise(track))


@transaction.atomic
def add_patrol_points(patrol: Patrol, points: list[tuple[float, float, datetime | None]], *, by) -> Patrol:
    """Points of the track, each (lon, lat, time or None for now); a phone that was offline sends them together."""
    patrol = _own_running(patrol, by)
    now = timezone.now()
    added = []
    for lon, lat, at in points:
        lon, lat = float(lon), float(lat)
        if not (LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]):
            raise DomainError(f"坐标 [{lon}, {lat}] 不在我国范围内，请按 [经度, 纬度] 顺序、使用 WGS-84 坐标。")
        at = at or now
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        if at < patrol.started_at - CLOCK_SKEW or at > now + CLOCK_SKEW:
            raise DomainError("轨迹点的时间应在本次巡查开始之后、当前时间之前。")
        added.append([round(lon, 7), round(lat, 7), timezone.localtime(at).isoformat()])
    if len(patrol.track) + len(added) > MAX_TRACK_POINTS:
        raise DomainError(f"一次巡查最多记录{MAX_TRACK_POINTS}个轨迹点，请结束本次巡查后重新开始。")
    # By the moment, not the text: points stored before times were local are in UTC.
    patrol.track = sorted([*patrol.track, *added], key=lambda p: datetime.fromisoformat(p[2]))
    patrol.distance_m = track_length(patrol.track)
    patrol.save(update_fields=["track", "distance_m"])
    return patrol


def add_patrol_point(patrol: Patrol, lon: float, lat: float, *, by, at: datetime | None = None) -> Patrol:
    return add_patrol_points(patrol, [(lon, lat, at)], by=by)


@transaction.atomic
def report_finding(
    patrol: Patrol,
    *,
    by,
    title: str,
    description: str,
    lon: float | None = None,
    lat: float | None = None,
    address: str = "",
    photos=(),
    token: str = "",
):
    """A problem found on the patrol becomes a 网格上报 case registered by the worker (it shows among their
    reports), placed by its point, else in the patrol's grid; `token` makes a resent form harmless: the case
    registered the first time comes back. Return (case, whether it was registered now)."""
    from jiceng.cases import actions as case_actions
    from jiceng.cases.models import Channel
    from jiceng.cases.permissions import registering_unit

    patrol = _own_running(patrol, by)
    grid = patrol.grid
    located = lon is not None and lat is not None
    case, created = case_actions.register_case(
        channel=Channel.GRID,
        title=title,
        text=description,
        by=by,
        unit=registering_unit(by),
        township=grid.village.parent,
        village=grid.village,
        address=address.strip() or f"{grid.name}（巡查发现）",
        latitude=lat if located else None,
        longitude=lon if located else None,
        idempotency_key=f"patrol-{patrol.pk}-{token}" if token else None,
        grid=grid,
    )
    if created:
        case_actions.attach_photos(case, photos, by=by)
        PatrolFinding.objects.create(patrol=patrol, case=case)
        _event(patrol, PatrolEvent.Kind.FINDING, by=by, note=f"{case.code} {case.title}")
    return case, created


@transaction.atomic
def end_patrol(patrol: Patrol, *, by, note: str = "") -> Patrol:
    patrol = Patrol.objects.select_for_update().get(pk=patrol.pk)
    if patrol.status != PatrolStatus.ACTIVE:
        raise DomainError("该巡查已结束。")
    if patrol.user_id != getattr(by, "pk", None) and not supervised_patrols(by).filter(pk=patrol.pk).exists():
        raise DomainError("只有巡查人本人或指挥中心可以结束巡查。")
    now = timezone.now()
    reason = cut_short_reason(patrol, ended_by=by, ended_at=now)
    patrol.status, patrol.ended_at = PatrolStatus.ENDED, last_activity(patrol, until=now) if reason else now
    patrol.note = note.strip()
    patrol.save(update_fields=["status", "ended_at", "note"])
    timing = f"{reason}，计至{timezone.localtime(patrol.ended_at):%m-%d %H:%M}" if reason else ""
    _event(patrol, PatrolEvent.Kind.END, by=by, note="；".join(n for n in (timing, patrol.note) if n))
    return patrol


def cut_short_reason(patrol: Patrol, *, ended_by, ended_at: datetime) -> str:
    """Why the patrol counts only to its last point or finding, or "" when it counts to its end (see the module's
    docstring); `ended_by` and `ended_at` are who ended it and when, as its END event records."""
    if getattr(ended_by, "pk", None) != patrol.user_id:
        who = f"指挥中心（{ended_by.display_name}）" if ended_by else "指挥中心"
        return f"由{who}结束，按最后一次定位或上报计时"
    if ended_at - patrol.started_at > timedelta(hours=MAX_PATROL_HOURS):
        return f"超过{MAX_PATROL_HOURS}小时才结束，按最后一次定位或上报计时"
    return ""


def last_activity(patrol: Patrol, *, until: datetime) -> datetime:
    """The time of the patrol's last track point or finding (its start without either), no later than `until`."""
    found = patrol.findings.aggregate(last=Max("created_at"))["last"]
    times = [patrol.started_at, *(at for *_, at in patrol.track_points()), *([found] if found else [])]
    return min(max(times), until)


# ---- coverage ----------------------------------------------------------------------------------------


@dataclass
class GridCoverage:
    grid: Grid
    patrols: int = 0
    hours: float = 0.0  # of ended patrols
    days: int = 0  # days with a patrol started
    workdays_patrolled: int = 0
    workdays: int = 0
    findings: int = 0
    last_patrol_at: datetime | None = None  # ever, not only in the period

    @property
    def rate(self) -> float | None:
        """Working days with a patrol ÷ working days in the period."""
        return self.workdays_patrolled / self.workdays if self.workdays else None

    @property
    def unpatrolled(self) -> bool:
        return self.patrols == 0


def month_so_far(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today.replace(day=1), today


def patrol_coverage(grids, *, start: date, end: date) -> list[GridCoverage]:
    """Per grid of `grids`, patrols started from `start` to `end` (both included, local dates): their number, hours,
    days with a patrol against the working days of the calendar, and findings."""
    if end < start:
        raise DomainError("结束日期不能早于开始日期。", field="end")
    if (end - start).days > 366:
        raise DomainError("统计期间不能超过一年。", field="end")
    zone = timezone.get_current_timezone()
    begin = datetime.combine(start, time.min, tzinfo=zone)
    stop = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    workdays = set(get_calendar().workdays_in(start, end))
    rows = {g.pk: GridCoverage(grid=g, workdays=len(workdays)) for g in grids}
    in_period = Patrol.objects.filter(grid_id__in=list(rows), started_at__gte=begin, started_at__lt=stop)
    days: dict[int, set[date]] = defaultdict(set)
    for grid_id, started, ended in in_period.values_list("grid_id", "started_at", "ended_at"):
        row = rows[grid_id]
        row.patrols += 1
        if ended:
            row.hours += (ended - started).total_seconds() / 3600
        days[grid_id].add(timezone.localtime(started, zone).date())
    for grid_id, seen in days.items():
        rows[grid_id].days = len(seen)
        rows[grid_id].workdays_patrolled = len(seen & workdays)
    found = PatrolFinding.objects.filter(patrol__in=in_period).values_list("patrol__grid_id").annotate(n=Count("id"))
    for grid_id, n in found:
        rows[grid_id].findings = n
    last = Patrol.objects.filter(grid_id__in=list(rows)).values_list("grid_id").annotate(last=Max("started_at"))
    for grid_id, at in last:
        rows[grid_id].last_patrol_at = at
    return list(rows.values())
