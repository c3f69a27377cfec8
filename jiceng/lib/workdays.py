"""Working-day arithmetic on a Chinese holiday table (放假 and 调休上班 days).

Convention (the one 行政许可法 time limits use): the day a matter starts does not count; a time limit
of N working days ends at the end of the N-th working day after the start day. A year the table
does not know falls back to Monday–Friday, and every result says which years fell back, so the
user can see it instead of the platform failing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

MAX_DAYS = 3650
MAX_SPAN_DAYS = 201 * 366  # enough for any two dates between 1900 and 2100


@dataclass(frozen=True)
class WorkdayResult:
    value: date | int
    fallback_years: tuple[int, ...] = ()

    @property
    def fallback(self) -> bool:
        return bool(self.fallback_years)

    @property
    def notice(self) -> str:
        if not self.fallback_years:
            return ""
        years = "、".join(f"{y}年" for y in self.fallback_years)
        return f"{years}的节假日安排尚未录入，按周一至周五为工作日计算，结果可能与实际不符。"


@dataclass
class WorkCalendar:
    """A holiday table: `overrides` maps a date to True (调休上班) or False (放假)."""

    overrides: Mapping[date, bool] = field(default_factory=dict)
    known_years: frozenset[int] = frozenset()

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return day.weekday() < 5

    def knows(self, year: int) -> bool:
        return year in self.known_years

    def _fallbacks(self, days: Iterable[date]) -> tuple[int, ...]:
        return tuple(sorted({d.year for d in days if d.year not in self.known_years}))

    def add(self, start: date, days: int) -> WorkdayResult:
        """The date on which a time limit of `days` working days from `start` ends.

        0 days (即办件) ends on the start day itself.
        """
        if days < 0:
            raise ValueError("工作日数不能为负数。")
        if days > MAX_DAYS:
            raise ValueError(f"工作日数不能超过{MAX_DAYS}。")
        current = start
        counted = 0
        years = {start.year}
        while counted < days:
            current += timedelta(days=1)
            years.add(current.year)
            if self.is_workday(current):
                counted += 1
        return WorkdayResult(current, self._fallbacks(date(y, 1, 1) for y in years))

    def between(self, start: date, end: date) -> WorkdayResult:
        """Working days after `start` up to and including `end` (negative when end < start)."""
        sign = 1
        if end < start:
            start, end, sign = end, start, -1
        if (end - start).days > MAX_SPAN_DAYS:
            raise ValueError("日期跨度过大。")
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_workday(current):
                count += 1
        years = range(start.year, end.year + 1)
        return WorkdayResult(sign * count, self._fallbacks(date(y, 1, 1) for y in years))

    def workdays_in(self, start: date, end: date) -> list[date]:
        """Working days from `start` to `end`, both included."""
        out = []
        current = start
        while current <= end:
            if self.is_workday(current):
                out.append(current)
            current += timedelta(days=1)
        return out
