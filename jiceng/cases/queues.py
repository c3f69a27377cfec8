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
from .models import OPEN_STATUSES, Case, Status
from .permissions import handling_units


class Queue(NamedTuple):
    label: str
    cases: QuerySet


def workbench_queues(user, now: datetime | None = None) -> dict[str, Queue]:
    """The four queues in tab order; 即将超期 means due by the end of the next working day."""
    now = now or timezone.now()
    soon = deadlines.end_of(add_workdays(timezone.localdate(now), 1).value)
    base = Case.objects.filter(lead_unit__in=handling_units(user).values("pk"))
    return {
        "signing": Queue("待签收", base.filter(status=Status.DISPATCHED)),
        "handling": Queue("办理中", base.filter(status__in=[Status.HANDLING, Status.PAUSED])),
        "due_soon": Queue(
            "即将超期",
            base.filter(status__in=OPEN_STATUSES, due_at__gte=now, due_at__lte=soon).exclude(status=Status.PAUSED),
        ),
        "overdue": Queue("已超期", base.filter(status__in=OPEN_STATUSES, due_at__lt=now).exclude(status=Status.PAUSED)),
    }
