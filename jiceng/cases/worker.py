"""The background steps `manage.py run_worker` repeats: deadline alerts and the notification outbox.

Every step claims its rows with a conditional UPDATE (the row still has the value this worker saw),
so several workers on several machines never send the same notice twice.
"""

from __future__ import annotations

import socket
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.accounts.roles import Role

from . import deadlines
from .actions import overdue_workdays
from .lifecycle import transition
from .models import OPEN_STATUSES, Case, Notification, Status
from .sms import backend

BATCH = 500
ALERT_ACTIONS = {deadlines.REMIND: "remind", deadlines.SUPERVISE: "supervise", deadlines.NOTIFY: "notify"}
ALERT_KINDS = {
    deadlines.REMIND: Notification.Kind.REMIND,
    deadlines.SUPERVISE: Notification.Kind.SUPERVISE,
    deadlines.NOTIFY: Notification.Kind.NOTIFY,
}


def worker_name() -> str:
    return f"{socket.gethostname()}:{id(object())}"


def _unit_users(unit_id: int):
    return User.objects.filter(is_active=True, roles__unit_id=unit_id).distinct()


def _township_leaders(case: Case):
    if case.township_id is None:
        return User.objects.none()
    return User.objects.filter(
        is_active=True, roles__role=Role.TOWNSHIP_LEADER, roles__unit__region__code__startswith=case.township.code[:9]
    ).distinct()


def _recipients(case: Case, stage: int):
    users = set(_unit_users(case.lead_unit_id)) if case.lead_unit_id else set()
    if stage == deadlines.NOTIFY:
        users |= set(_township_leaders(case))
    return users


def _message(case: Case, stage: int, now: datetime) -> str:
    due = timezone.localtime(case.due_at)
    if stage == deadlines.REMIND:
        return f"【催办】办件{case.code}“{case.title}”将于{due:%m月%d日}到期，请抓紧办理。"
    late = overdue_workdays(case, now)
    label = "督办" if stage == deadlines.SUPERVISE else "通报"
    return f"【{label}】办件{case.code}“{case.title}”已于{due:%m月%d日}到期，已超期{late}个工作日，请立即办理并反馈。"


def sweep_alerts(now: datetime | None = None, *, limit: int = BATCH) -> int:
    """Send the alerts that are due; returns how many this worker sent."""
    now = now or timezone.now()
    sent = 0
    candidates = (
        Case.objects.filter(next_alert_at__lte=now, status__in=OPEN_STATUSES)
        .exclude(status=Status.PAUSED)
        .order_by("next_alert_at")
        .values_list("pk", "alert_stage", "next_alert_at")[:limit]
    )
    for pk, stage, alert_at in candidates:
        with transaction.atomic():
            case = Case.objects.select_related("township", "lead_unit").get(pk=pk)
            new_stage = stage + 1
            case.alert_stage = new_stage
            following, _ = deadlines.next_alert(case, new_stage)
            claimed = Case.objects.filter(pk=pk, alert_stage=stage, next_alert_at=alert_at).update(
                alert_stage=new_stage, next_alert_at=following
            )
            if not claimed:
                continue  # another worker got there first
            text = _message(case, new_stage, now)
            if case.status in ("dispatched", "handling", "returned"):
                transition(case, ALERT_ACTIONS[new_stage], by=None, note=text, at=now)
            for user in _recipients(case, new_stage):
                # An in-app message is delivered by being stored; only SMS goes through the outbox.
                Notification.objects.create(
                    case=case,
                    kind=ALERT_KINDS[new_stage],
                    user=user,
                    text=text,
                    state=Notification.State.SENT,
                    sent_at=now,
                )
                if user.phone and new_stage >= deadlines.SUPERVISE:
                    Notification.objects.create(
                        case=case,
                        kind=ALERT_KINDS[new_stage],
                        user=user,
                        phone=user.phone,
                        channel=Notification.Channel.SMS,
                        text=text,
                    )
            sent += 1
    return sent


def deliver_outbox(*, limit: int = BATCH, name: str | None = None) -> int:
    """Send pending SMS (in-app messages are stored as sent and never queue here); returns how many were sent."""
    name = name or worker_name()
    sms = backend()
    delivered = 0
    pending = Notification.objects.filter(state=Notification.State.PENDING).order_by("id").values_list("pk", "channel")
    for pk, channel in pending[:limit]:
        claimed = Notification.objects.filter(pk=pk, state=Notification.State.PENDING).update(
            state=Notification.State.SENDING, claimed_by=name
        )
        if not claimed:
            continue
        note = Notification.objects.get(pk=pk)
        try:
            if channel == Notification.Channel.SMS:
                sms.send(note.phone, note.text)
        except Exception:  # a gateway failure is recorded; the message is retried three times
            note.attempts += 1
            note.state = Notification.State.FAILED if note.attempts >= 3 else Notification.State.PENDING
            note.save(update_fields=["attempts", "state"])
            continue
        Notification.objects.filter(pk=pk).update(state=Notification.State.SENT, sent_at=timezone.now())
        delivered += 1
    return delivered


def run_once(now: datetime | None = None) -> tuple[int, int]:
    return sweep_alerts(now), deliver_outbox()
