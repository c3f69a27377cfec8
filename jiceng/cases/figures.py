"""Figures for leaders, derived from the cases and their events: on-time rate, average working days,
working days saved against the statutory limit, 一次办好 share, 三率, and department rankings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from jiceng.workcal.calendar import get_calendar

from .models import CLOSED_STATUSES, Case, CaseEvent, Evaluation

MIN_CASES_FOR_RANKING = 5


@dataclass
class UnitFigures:
    unit_id: int
    name: str
    finished: int = 0
    on_time: int = 0
    workdays: int = 0
    signed_in_time: int = 0
    dispatched: int = 0
    solved: int = 0
    satisfied: int = 0
    rated: int = 0
    reverse_scores: list[int] = field(default_factory=list)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.finished if self.finished else None

    @property
    def average_workdays(self) -> float | None:
        return self.workdays / self.finished if self.finished else None

    @property
    def response_rate(self) -> float | None:
        return self.signed_in_time / self.dispatched if self.dispatched else None

    @property
    def solve_rate(self) -> float | None:
        return self.solved / self.finished if self.finished else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    @property
    def reverse_score(self) -> float | None:
        return sum(self.reverse_scores) / len(self.reverse_scores) if self.reverse_scores else None


def handling_workdays(case: Case, calendar) -> int:
    """Working days from the start of the clock to 办结, without the days paused for 补正."""
    return max(0, calendar.between(case.started_on, timezone.localdate(case.finished_at)).value - case.paused_days)


def unit_figures(since: date, cases=None) -> list[UnitFigures]:
    """Per handling unit, for cases registered since `since`."""
    calendar = get_calendar()
    qs = (
        (cases if cases is not None else Case.objects.all())
        .filter(created_at__date__gte=since, lead_unit__isnull=False)
        .select_related("lead_unit")
    )
    out: dict[int, UnitFigures] = {}
    for c in qs:
        f = out.setdefault(c.lead_unit_id, UnitFigures(c.lead_unit_id, c.lead_unit.name))
        if c.dispatched_at:
            f.dispatched += 1
            if c.signed_at and c.response_days is not None:
                limit = calendar.add(timezone.localdate(c.dispatched_at), c.response_days).value
                f.signed_in_time += timezone.localdate(c.signed_at) <= limit
            elif c.signed_at:
                f.signed_in_time += 1
        if c.finished_at and c.status in CLOSED_STATUSES:
            f.finished += 1
            f.on_time += c.due_at is None or c.finished_at <= c.due_at
            if c.started_on:
                f.workdays += handling_workdays(c, calendar)
            f.solved += c.result == "solved"
    evaluations = Evaluation.objects.filter(case__in=qs.values("pk"), unit__isnull=False)
    for e in evaluations:
        f = out.get(e.unit_id)
        if f is None:
            continue
        if e.kind == Evaluation.Kind.REVERSE:
            f.reverse_scores.append(e.score)
        elif e.kind == Evaluation.Kind.REQUESTER:
            f.rated += 1
            f.satisfied += e.score >= 3
    return sorted(out.values(), key=lambda f: f.name)


def ranking(figures: list[UnitFigures]) -> list[UnitFigures]:
    """Units with enough finished cases, best on-time rate first (ties: fewer working days)."""
    eligible = [f for f in figures if f.finished >= MIN_CASES_FOR_RANKING]
    return sorted(eligible, key=lambda f: (-(f.on_time_rate or 0), f.average_workdays or 0))


@dataclass
class Totals:
    finished: int
    on_time_rate: float | None
    average_workdays: float | None
    saved_workdays: float | None  # against the statutory limit, service items only
    once_share: float | None  # 一次办好: service cases finished with no 补正 and one visit


def totals(since: date, cases=None) -> Totals:
    """Headline figures over `cases` (default: all) registered since `since` and finished."""
    calendar = get_calendar()
    scope = (cases if cases is not None else Case.objects.all()).filter(
        created_at__date__gte=since, finished_at__isnull=False, status__in=CLOSED_STATUSES
    )
    finished = list(scope.select_related("matter_version"))
    days, saved, saved_n, once, service = [], 0, 0, 0, 0
    on_time = 0
    supplemented = set(
        CaseEvent.objects.filter(action="supplement", case__in=scope.values("pk")).values_list("case_id", flat=True)
    )
    for c in finished:
        on_time += c.due_at is None or c.finished_at <= c.due_at
        if c.started_on:
            used = handling_workdays(c, calendar)
            days.append(used)
            statutory = c.matter_version.statutory_days if c.matter_version else None
            if c.is_service and statutory is not None:
                saved += statutory - used
                saved_n += 1
        if c.is_service:
            service += 1
            once += c.pk not in supplemented and c.visits <= 1
    n = len(finished)
    return Totals(
        finished=n,
        on_time_rate=on_time / n if n else None,
        average_workdays=sum(days) / len(days) if days else None,
        saved_workdays=saved / saved_n if saved_n else None,
        once_share=once / service if service else None,
    )


def overdue(now=None):
    """督办 list: open cases past their deadline, the latest first."""
    now = now or timezone.now()
    return Case.objects.overdue(now).select_related("lead_unit", "township").order_by("due_at")


@dataclass
class RoutingFigures:
    """How the routing model did over a period. An auto-dispatched case counts as wrong when it was returned,
    re-dispatched elsewhere, or ended under another matter; a suggestion was taken when the dispatcher sent
    the case under the model's first choice."""

    auto: int
    auto_right: int
    suggested: int
    suggestion_taken: int
    threshold: float
    days: int

    @property
    def auto_accuracy(self) -> float | None:
        return self.auto_right / self.auto if self.auto else None

    @property
    def take_rate(self) -> float | None:
        return self.suggestion_taken / self.suggested if self.suggested else None


ROUTING_DAYS = 30


def routing_figures(days: int = ROUTING_DAYS) -> RoutingFigures:
    """The last `days` days of 智能派单, for the command centre and the routing page."""
    since = timezone.now() - timedelta(days=days)
    routed = Case.objects.filter(created_at__gte=since, routed_matter__isnull=False)
    redirected = CaseEvent.objects.filter(case=OuterRef("pk"), action__in=["return", "reassign"])
    auto = routed.filter(auto_dispatched=True)
    manual = routed.filter(auto_dispatched=False, dispatched_at__isnull=False, matter__isnull=False)
    return RoutingFigures(
        auto=auto.count(),
        auto_right=auto.filter(matter=F("routed_matter")).exclude(Exists(redirected)).count(),
        suggested=manual.count(),
        suggestion_taken=manual.filter(matter=F("routed_matter")).count(),
        threshold=settings.ROUTING_AUTO_THRESHOLD,
        days=days,
    )
