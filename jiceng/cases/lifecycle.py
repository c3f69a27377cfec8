"""The case lifecycle as data: which action may move a case from which statuses to which status.

`transition` is the only code that assigns `Case.status`; everything else asks it.
"""

from __future__ import annotations

from django.utils import timezone

from jiceng.lib.errors import DomainError

from .models import Case, CaseEvent, Status

S = Status
OPEN_FOR_WITHDRAWAL = {S.REGISTERED, S.ACCEPTED, S.DISPATCHED, S.RETURNED, S.HANDLING, S.PAUSED}

# action → (label, statuses it may start from, status it leads to; None keeps the status)
TRANSITIONS: dict[str, tuple[str, frozenset[str], str | None]] = {
    "register": ("登记", frozenset({""}), S.REGISTERED),
    "accept": ("受理", frozenset({S.REGISTERED}), S.ACCEPTED),
    "reject": ("不予受理", frozenset({S.REGISTERED}), S.REJECTED),
    "start": ("开始办理", frozenset({S.ACCEPTED}), S.HANDLING),
    "dispatch": ("派单", frozenset({S.REGISTERED, S.ACCEPTED, S.RETURNED}), S.DISPATCHED),
    "sign": ("签收", frozenset({S.DISPATCHED}), S.HANDLING),
    "return": ("退单", frozenset({S.DISPATCHED}), S.RETURNED),
    "reassign": ("改派", frozenset({S.DISPATCHED, S.HANDLING}), S.DISPATCHED),
    "supplement": ("补正", frozenset({S.ACCEPTED, S.HANDLING}), S.PAUSED),
    "resume": ("补正完成", frozenset({S.PAUSED}), S.HANDLING),
    "complete_intake": ("补正完成", frozenset({S.PAUSED}), S.ACCEPTED),
    "request_extension": ("申请延期", frozenset({S.DISPATCHED, S.HANDLING}), None),
    "decide_extension": ("审批延期", frozenset({S.DISPATCHED, S.HANDLING}), None),
    "finish": ("办结", frozenset({S.HANDLING}), S.FINISHED),
    "verify": ("核查通过", frozenset({S.FINISHED}), S.VERIFIED),
    "send_back": ("核查退回", frozenset({S.FINISHED}), S.HANDLING),
    "rate": ("评价", frozenset({S.FINISHED, S.VERIFIED}), S.RATED),
    "archive": ("归档", frozenset({S.FINISHED, S.VERIFIED, S.RATED, S.REJECTED, S.WITHDRAWN}), S.ARCHIVED),
    "withdraw": ("撤回", frozenset(OPEN_FOR_WITHDRAWAL), S.WITHDRAWN),
    "merge": ("合并", frozenset({S.REGISTERED, S.ACCEPTED, S.RETURNED, S.DISPATCHED}), S.MERGED),
    "merged_in": ("并入重复件", frozenset(OPEN_FOR_WITHDRAWAL), None),
    "not_duplicate": ("排除重复", frozenset(OPEN_FOR_WITHDRAWAL), None),
    "task_report": ("配合反馈", frozenset({S.DISPATCHED, S.HANDLING, S.PAUSED}), None),
    "reopen": ("重办", frozenset({S.FINISHED, S.VERIFIED, S.RATED, S.ARCHIVED}), None),
    "remind": ("催办", frozenset({S.DISPATCHED, S.HANDLING}), None),
    "supervise": ("督办", frozenset({S.DISPATCHED, S.HANDLING, S.RETURNED}), None),
    "notify": ("通报", frozenset({S.DISPATCHED, S.HANDLING, S.RETURNED}), None),
}


def can(case: Case, action: str) -> bool:
    return case.status in TRANSITIONS[action][1]


def transition(
    case: Case,
    action: str,
    *,
    by,
    note: str = "",
    unit=None,
    data: dict | None = None,
    at=None,
    fields: tuple[str, ...] = (),
) -> CaseEvent:
    """Check the move, set the status, save the given fields and write the event row."""
    label, sources, target = TRANSITIONS[action]
    if case.status not in sources:
        raise DomainError(f"办件{case.get_status_display()}，不能{label}。")
    before = case.status
    if target is not None:
        case.status = target
    update = set(fields) | ({"status"} if target is not None and target != before else set())
    if case.pk is None:
        case.save()
    elif update:
        case.save(update_fields=sorted(update))
    event = _event(case, action, before, by=by, note=note, unit=unit, data=data, at=at)
    event.save()
    return event


def registered(case: Case, *, by, unit=None, note: str = "") -> CaseEvent:
    """For callers that write new cases in bulk: the case takes its first status, and its unsaved 登记 event."""
    label, sources, target = TRANSITIONS["register"]
    if case.status not in sources:
        raise DomainError(f"办件{case.get_status_display()}，不能{label}。")
    case.status = target
    return _event(case, "register", "", by=by, note=note, unit=unit)


def event_row(case: Case, action: str, *, by, note: str = "", at=None) -> CaseEvent:
    """An unsaved event for an action that keeps the status (催办, 督办…), for callers that write rows in bulk."""
    label, sources, target = TRANSITIONS[action]
    if target is not None:
        raise ValueError(f"{action} changes the status: use transition()")
    if case.status not in sources:
        raise DomainError(f"办件{case.get_status_display()}，不能{label}。")
    return _event(case, action, case.status, by=by, note=note, at=at)


def _event(case: Case, action: str, before: str, *, by, note="", unit=None, data=None, at=None) -> CaseEvent:
    return CaseEvent(
        case=case,
        action=action,
        from_status=before,
        to_status=case.status,
        note=note,
        unit=unit,
        data=data or {},
        by=by if getattr(by, "pk", None) else None,
        at=at or timezone.now(),
    )
