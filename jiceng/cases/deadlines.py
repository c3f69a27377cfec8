"""Deadlines in working days: the clock starts at 派单 (at 受理 for service items) and stops during 补正.

A limit of N working days ends at the end of the N-th working day after the start day (the
foundation's convention); 即办件 (0 days) end on the start day itself.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from jiceng.workcal.calendar import add_workdays, workdays_between

END_OF_DAY = time(23, 59, 59)
# Alert stages: 1 = 催办 on the morning of the deadline day, 2 = 督办 the next working morning after it passes,
# 3 = 通报 when five working days late.
REMIND, SUPERVISE, NOTIFY = 1, 2, 3
LATE_FOR_NOTICE = 5


def end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, END_OF_DAY))


def due_date(started_on: date, limit_days: int, *, paused_days: int = 0, extension_days: int = 0) -> date:
    return add_workdays(started_on, limit_days + paused_days + extension_days).value


def due_at(case) -> datetime | None:
    if case.started_on is None or case.limit_days is None:
        return None
    return end_of(
        due_date(case.started_on, case.limit_days, paused_days=case.paused_days, extension_days=case.extension_days)
    )


def next_alert(case, after_stage: int) -> tuple[datetime | None, int]:
    """When the next alert is due and which one; (None, stage) when nothing more is to be sent."""
    if case.due_at is None:
        return None, after_stage
    due_day = timezone.localtime(case.due_at).date()
    if after_stage < REMIND:
        # 催办 on the morning of the last working day.
        return timezone.make_aware(datetime.combine(due_day, time(8, 30))), REMIND
    if after_stage < SUPERVISE:
        # 督办 on the morning of the first working day after the deadline passed (no SMS at midnight).
        return timezone.make_aware(datetime.combine(add_workdays(due_day, 1).value, time(8, 30))), SUPERVISE
    if after_stage < NOTIFY:
        late = add_workdays(due_day, LATE_FOR_NOTICE).value
        return timezone.make_aware(datetime.combine(late, time(8, 30))), NOTIFY
    return None, after_stage


def paused_workdays(since: date, until: date) -> int:
    """Working days the clock was stopped: from the day after the 补正 notice up to the day materials came."""
    return max(0, workdays_between(since, until).value)
