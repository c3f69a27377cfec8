"""The platform's working-day calendar, built from the holiday table and cached per process.

The cache is keyed on a cheap fingerprint of the table (row count and last change), checked at most
every WORKCAL_CHECK_SECONDS: an edit made by the administrator on one machine is seen by every web
and worker process within that time, and at once in the process that made it (the actions call
`invalidate`).
"""

from __future__ import annotations

import threading
import time
from datetime import date

from django.conf import settings
from django.db.models import Count, Max

from jiceng.lib.workdays import WorkCalendar, WorkdayResult

from .models import CalendarDay, CalendarYear

_lock = threading.Lock()
_cached: tuple[tuple, WorkCalendar] | None = None
_checked_at = 0.0


def _fingerprint() -> tuple:
    days = CalendarDay.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    years = CalendarYear.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    return (days["n"], days["t"], years["n"], years["t"])


def invalidate() -> None:
    global _cached
    with _lock:
        _cached = None


def get_calendar() -> WorkCalendar:
    global _cached, _checked_at
    now = time.monotonic()
    if _cached is not None and now - _checked_at < settings.WORKCAL_CHECK_SECONDS:
        return _cached[1]
    key = _fingerprint()
    _checked_at = now
    with _lock:
        if _cached is None or _cached[0] != key:
            overrides = dict(CalendarDay.objects.values_list("date", "is_workday"))
            years = frozenset(CalendarYear.objects.values_list("year", flat=True))
            _cached = (key, WorkCalendar(overrides=overrides, known_years=years))
        return _cached[1]


def add_workdays(start: date, days: int) -> WorkdayResult:
    return get_calendar().add(start, days)


def workdays_between(start: date, end: date) -> WorkdayResult:
    return get_calendar().between(start, end)


def is_workday(day: date) -> bool:
    return get_calendar().is_workday(day)
