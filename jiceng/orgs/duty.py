"""Who is on duty (在岗) for a post at a moment, and where nobody is (coverage gaps)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from jiceng.workcal.calendar import get_calendar

from .models import Absence, Post, PostHolder

MAX_GAP_RANGE_DAYS = 366


@dataclass
class Duty:
    """The answer for one post on one day: the person on duty (or None) and why."""

    post: Post
    day: date
    holder: PostHolder | None
    reason: str
    workday: bool = True

    @property
    def person(self):
        return self.holder.person if self.holder else None

    @property
    def covered(self) -> bool:
        return self.holder is not None


def _absence_text(holder: PostHolder, absence: Absence | None) -> str:
    if absence is None:
        return f"{holder.label}{holder.person.name}已不在职"
    return f"{holder.label}{holder.person.name}{absence.describe}"


def resolve_duty(post: Post, day: date, holders: list[PostHolder], away: dict[int, Absence | None]) -> Duty:
    """A, else the first present B in order, else nobody. `away` maps absent person ids to their absence."""
    a = next((h for h in holders if h.role == PostHolder.Role.A), None)
    bs = sorted((h for h in holders if h.role == PostHolder.Role.B), key=lambda h: h.order)
    notes = []
    if a is None:
        notes.append("未设A岗")
    elif a.person_id in away:
        notes.append(_absence_text(a, away[a.person_id]))
    else:
        return Duty(post, day, a, f"A岗{a.person.name}在岗")
    for b in bs:
        if b.person_id in away:
            notes.append(_absence_text(b, away[b.person_id]))
        else:
            return Duty(post, day, b, "；".join(notes) + f"，由{b.label}{b.person.name}顶岗")
    if not bs:
        notes.append("未设B岗")
    return Duty(post, day, None, "无人在岗：" + "；".join(notes))


def _away_by_person(person_ids, start: date, end: date) -> dict[int, list[Absence]]:
    out: dict[int, list[Absence]] = defaultdict(list)
    for absence in Absence.objects.filter(person_id__in=person_ids).overlapping(start, end):
        out[absence.person_id].append(absence)
    return out


def _away_on(day: date, holders: list[PostHolder], absences: dict[int, list[Absence]]) -> dict[int, Absence | None]:
    away: dict[int, Absence | None] = {}
    for h in holders:
        if not h.person.active:
            away[h.person_id] = None
            continue
        for absence in absences.get(h.person_id, ()):
            if absence.start_date <= day <= absence.end_date:
                away[h.person_id] = absence
                break
    return away


def on_duty(post: Post, at: date | datetime | None = None) -> Duty:
    """Who is on duty for `post` at `at` (default: now, in Asia/Shanghai)."""
    if at is None:
        day = timezone.localdate()
    elif isinstance(at, datetime):
        day = timezone.localtime(at).date() if timezone.is_aware(at) else at.date()
    else:
        day = at
    holders = list(post.holders.select_related("person"))
    absences = _away_by_person([h.person_id for h in holders], day, day)
    duty = resolve_duty(post, day, holders, _away_on(day, holders, absences))
    duty.workday = get_calendar().is_workday(day)
    return duty


@dataclass
class Gap:
    """A run of consecutive working days on which nobody is on duty for a post."""

    post: Post
    start: date
    end: date
    days: list[date] = field(default_factory=list)
    reason: str = ""

    @property
    def workdays(self) -> int:
        return len(self.days)


def coverage_gaps(posts, start: date, end: date) -> list[Gap]:
    """Working days between `start` and `end` (inclusive) on which a post has nobody on duty."""
    if end < start:
        raise ValueError("结束日期不能早于开始日期。")
    if (end - start).days >= MAX_GAP_RANGE_DAYS:
        raise ValueError(f"查询范围不能超过{MAX_GAP_RANGE_DAYS}天。")
    posts = list(posts.filter(active=True).select_related("unit").prefetch_related("holders__person"))
    holders_by_post = {p.pk: list(p.holders.all()) for p in posts}
    person_ids = {h.person_id for hs in holders_by_post.values() for h in hs}
    absences = _away_by_person(person_ids, start, end)
    days = get_calendar().workdays_in(start, end)
    gaps: list[Gap] = []
    for post in posts:
        holders = holders_by_post[post.pk]
        current: Gap | None = None
        previous_index = -2
        for index, day in enumerate(days):
            duty = resolve_duty(post, day, holders, _away_on(day, holders, absences))
            if duty.covered:
                continue
            if current is not None and index == previous_index + 1 and duty.reason == current.reason:
                current.end = day
                current.days.append(day)
            else:
                current = Gap(post, day, day, [day], duty.reason)
                gaps.append(current)
            previous_index = index
    gaps.sort(key=lambda g: (g.start, g.post.unit.sort, g.post.unit_id, g.post.sort, g.post.pk))
    return gaps


def duties_on(posts, day: date) -> dict[int, Duty]:
    """On-duty answers for many posts on one day, in three queries."""
    posts = list(posts.prefetch_related("holders__person"))
    holders_by_post = {p.pk: list(p.holders.all()) for p in posts}
    person_ids = {h.person_id for hs in holders_by_post.values() for h in hs}
    absences = _away_by_person(person_ids, day, day)
    workday = get_calendar().is_workday(day)
    out = {}
    for post in posts:
        holders = holders_by_post[post.pk]
        duty = resolve_duty(post, day, holders, _away_on(day, holders, absences))
        duty.workday = workday
        out[post.pk] = duty
    return out


def case_handler(unit, at: date | datetime | None = None) -> Duty | None:
    """Who handles a case dispatched to `unit`: the person on duty for its first active 承接派单 post.
    None when the unit has no such post (the case then waits on the unit's workbench for anyone to sign)."""
    post = unit.posts.filter(active=True, takes_cases=True).order_by("sort", "id").first()
    return on_duty(post, at) if post is not None else None
