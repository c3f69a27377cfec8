"""The unit workbench's queues: 待签收, 办理中, 即将超期, 已超期 for the units a user handles cases for.

The workbench page and the REST API count and list the same querysets.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from django.db.models import QuerySet
from django.utils import timezone

from jiceng.workcal.calendar import add_workdays

from . import deadlines
from .models import OPEN_STATUSES, Case, CaseTask, Rectification, Status
from .permissions import handling_units

OPEN_TASK_STATES = (CaseTask.State.PENDING, CaseTask.State.SIGNED)


class Queue(NamedTuple):
    label: str
    cases: QuerySet


def workbench_queues(user, now: datetime | None = None) -> dict[str, Queue]:
    """The queues in tab order; 即将超期 means due by the end of the next working day. 配合任务 are cases where
    one of the user's units cooperates (配合责任) and has not reported yet; 待整改 are 差评 awaiting 整改."""
    now = now or timezone.now()
    soon = deadlines.end_of(add_workdays(timezone.localdate(now), 1).value)
    units = list(handling_units(user).values_list("pk", flat=True))  # ids, so the (lead_unit, status) index is used
    base = Case.objects.filter(lead_unit__in=units)
    return {
        "signing": Queue("待签收", base.filter(status=Status.DISPATCHED)),
        "handling": Queue("办理中", base.filter(status__in=[Status.HANDLING, Status.PAUSED])),
        "due_soon": Queue(
            "即将超期",
            base.filter(status__in=OPEN_STATUSES, due_at__gte=now, due_at__lte=soon).exclude(status=Status.PAUSED),
        ),
        "overdue": Queue("已超期", base.filter(status__in=OPEN_STATUSES, due_at__lt=now).exclude(status=Status.PAUSED)),
        "cooperating": Queue(
            "配合任务",
            Case.objects.filter(
                status__in=OPEN_STATUSES,
                pk__in=CaseTask.objects.filter(unit__in=units, state__in=OPEN_TASK_STATES).values("case_id"),
            ),
        ),
        "rectifying": Queue(
            "待整改", base.filter(pk__in=Rectification.objects.filter(done_at__isnull=True).values("case_id"))
        ),
    }
