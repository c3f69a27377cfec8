"""The background steps `manage.py run_worker` repeats: deadline alerts and the notification outbox.

Every step claims a batch of rows in one transaction (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL;
SQLite runs one write transaction at a time), so several workers on several machines never send the
same notice twice and each takes its own rows.
"""

from __future__ import annotations

import socket
from collections import defaultdict
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.accounts.roles import Role

from . import deadlines
from .actions import overdue_workdays
from .lifecycle import event_row
from .models import OPEN_STATUSES, Case, CaseEvent, Notification, Status
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


class _Recipients:
    """Who hears of a case's alert, looked up once per unit and per township for the whole batch."""

    def __init__(self, cases: list[Case]):
        self.by_unit: dict[int, list[tuple[int, str]]] = defaultdict(list)
        unit_ids = {c.lead_unit_id for c in cases if c.lead_unit_id}
        rows = (
            User.objects.filter(is_active=True, roles__unit_id__in=unit_ids)
            .values_list("roles__unit_id", "pk", "phone")
            .distinct()
        )
        for unit_id, pk, phone in rows:
            self.by_unit[unit_id].append((pk, phone))
        self.leaders: dict[str, list[tuple[int, str]]] = {}

    def _township_leaders(self, township) -> list[tuple[int, str]]:
        prefix = township.code[:9]
        if prefix not in self.leaders:
            self.leaders[prefix] = list(
                User.objects.filter(
                    is_active=True, roles__role=Role.TOWNSHIP_LEADER, roles__unit__region__code__startswith=prefix
                )
                .values_list("pk", "phone")
                .distinct()
            )
        return self.leaders[prefix]

    def of(self, case: Case, stage: int) -> dict[int, str]:
        users = dict(self.by_unit.get(case.lead_unit_id, ()))
        if stage == deadlines.NOTIFY and case.township_id is not None:
            users.update(self._township_leaders(case.township))
        return users


def _message(case: Case, stage: int, now: datetime) -> str:
    due = timezone.localtime(case.due_at)
    if stage == deadlines.REMIND:
        return f"【催办】办件{case.code}“{case.title}”将于{due:%m月%d日}到期，请抓紧办理。"
    late = overdue_workdays(case, now)
    label = "督办" if stage == deadlines.SUPERVISE else "通报"
    return f"【{label}】办件{case.code}“{case.title}”已于{due:%m月%d日}到期，已超期{late}个工作日，请立即办理并反馈。"


def _due_batch(now: datetime, limit: int) -> list[Case]:
    """The batch this worker claims: locked with SKIP LOCKED on PostgreSQL, so a second worker takes the next
    rows; SQLite runs write transactions one at a time (IMMEDIATE), so there the second worker waits and then
    sees the rows already moved on."""
    rows = (
        Case.objects.filter(next_alert_at__lte=now, status__in=OPEN_STATUSES)
        .exclude(status=Status.PAUSED)
        .select_related("township")
        .order_by("next_alert_at")
    )
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    return list(rows[:limit])


def sweep_alerts(now: datetime | None = None, *, limit: int = BATCH) -> int:
    """Send the alerts that are due, one batch in one transaction; returns how many this worker sent.

    Each case moves one alert stage per sweep: the stage column, its event row and the messages are
    written together, so a notice is never sent twice and never lost."""
    now = now or timezone.now()
    with transaction.atomic():
        cases = _due_batch(now, limit)
        if not cases:
            return 0
        recipients = _Recipients(cases)
        events, notes = [], []
        for case in cases:
            case.alert_stage += 1
            stage = case.alert_stage
            case.next_alert_at, _ = deadlines.next_alert(case, stage)
            text = _message(case, stage, now)
            kind = ALERT_KINDS[stage]
            if case.status in ("dispatched", "handling", "returned"):
                events.append(event_row(case, ALERT_ACTIONS[stage], by=None, note=text, at=now))
            for user_id, phone in recipients.of(case, stage).items():
                # An in-app message is delivered by being stored; only SMS goes through the outbox.
                notes.append(
                    Notification(
                        case=case, kind=kind, user_id=user_id, text=text, state=Notification.State.SENT, sent_at=now
                    )
                )
                if phone and stage >= deadlines.SUPERVISE:
                    notes.append(
                        Notification(
                            case=case,
                            kind=kind,
                            user_id=user_id,
                            phone=phone,
                            channel=Notification.Channel.SMS,
                            text=text,
                        )
                    )
        # Most cases of a batch share their next alert time (08:30 of some day): one UPDATE per time.
        moves = defaultdict(list)
        for case in cases:
            moves[case.alert_stage, case.next_alert_at].append(case.pk)
        for (stage, following), ids in moves.items():
            Case.objects.filter(pk__in=ids).update(alert_stage=stage, next_alert_at=following)
        CaseEvent.objects.bulk_create(events)
        Notification.objects.bulk_create(notes)
    return len(cases)


def _claim_outbox(name: str, limit: int) -> list[Notification]:
    """Mark a batch of pending messages as this worker's (SENDING) in one short transaction."""
    with transaction.atomic():
        pending = Notification.objects.filter(state=Notification.State.PENDING).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        batch = list(pending[:limit])
        Notification.objects.filter(pk__in=[n.pk for n in batch], state=Notification.State.PENDING).update(
            state=Notification.State.SENDING, claimed_by=name
        )
    return batch


def deliver_outbox(*, limit: int = BATCH, name: str | None = None) -> int:
    """Send pending SMS (in-app messages are stored as sent and never queue here); returns how many were sent."""
    sms = backend()
    sent, failed = [], []
    for note in _claim_outbox(name or worker_name(), limit):
        try:
            if note.channel == Notification.Channel.SMS:
                sms.send(note.phone, note.text)
        except Exception:  # a gateway failure is recorded; the message is retried three times
            note.attempts += 1
            note.state = Notification.State.FAILED if note.attempts >= 3 else Notification.State.PENDING
            failed.append(note)
            continue
        sent.append(note.pk)
    Notification.objects.filter(pk__in=sent).update(state=Notification.State.SENT, sent_at=timezone.now())
    Notification.objects.bulk_update(failed, ["attempts", "state"])
    return len(sent)


def run_once(now: datetime | None = None) -> tuple[int, int]:
    return sweep_alerts(now), deliver_outbox()
