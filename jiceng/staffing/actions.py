"""Every change to quotas, hiring approvals and placements goes through these functions.

Decisions about free seats lock the quota account row (`select_for_update`) first, so two officers
approving the last seat at the same moment cannot both succeed.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jiceng.accounts.audit import log_operation
from jiceng.lib.errors import DomainError
from jiceng.orgs import actions as org_actions
from jiceng.orgs.models import Person, Unit

from .models import (
    LEAVING_REASONS,
    MOVE_REASONS,
    QUOTA_OF_STAFFING,
    STAFFING_OF_QUOTA,
    EntryKind,
    EntryReason,
    ExitReason,
    HiringRequest,
    MoveType,
    Placement,
    QuotaAccount,
    QuotaEntry,
    QuotaKind,
    QuotaMove,
    QuotaPool,
)
from .seats import account_seats

DECREASING = {EntryReason.DECREASE, EntryReason.RECLAIM}


def get_account(holder: Unit | QuotaPool, kind: str) -> QuotaAccount:
    field = "pool" if isinstance(holder, QuotaPool) else "unit"
    account, _ = QuotaAccount.objects.get_or_create(**{field: holder, "kind": kind})
    return account


def _locked(*accounts: QuotaAccount) -> list[QuotaAccount]:
    """Lock accounts in primary-key order (no deadlock between two moves in opposite directions)."""
    ids = sorted({a.pk for a in accounts})
    locked = {
        a.pk: a
        for a in QuotaAccount.objects.select_for_update(of=("self",)).filter(pk__in=ids).select_related("unit", "pool")
    }
    return [locked[a.pk] for a in accounts]


def _check_day(day: date) -> date:
    return max(day, timezone.localdate())


def _refuse_below_occupied(
    account: QuotaAccount, delta: int, on: date, allow_overstaffing: bool, field: str = "amount", reason: str = ""
) -> bool:
    """A decrease may not leave fewer seats than people and reservations, unless recorded as 超编."""
    seats = account_seats(account, _check_day(on))
    after = seats.approved + delta
    if after < 0:
        raise DomainError(f"{account}：核定数{seats.approved}，不能减少{-delta}。", field=field)
    if account.pool_id or after >= seats.occupied + seats.reserved:
        return False
    if allow_overstaffing and not reason.strip():
        raise DomainError("明确造成超编的，须在说明中写明理由。", field="note")
    if not allow_overstaffing:
        raise DomainError(
            f"{account}：核定{seats.approved}名，实有{seats.occupied}人，预留{seats.reserved}名，"
            f"减少{-delta}名后将超编{seats.occupied + seats.reserved - after}名。"
            "如确需执行，请勾选“明确造成超编”并说明理由。",
            field=field,
        )
    return True


@transaction.atomic
def record_entry(
    account: QuotaAccount,
    *,
    delta: int,
    reason: str,
    on: date,
    document_no: str,
    note: str = "",
    allow_overstaffing: bool = False,
    by,
) -> QuotaEntry:
    """核定, 核增 or 核减 one account's quota, backed by a document."""
    if not document_no.strip():
        raise DomainError("请填写批准文号。", field="document_no")
    if delta == 0:
        raise DomainError("增减数不能为0。", field="delta")
    if (reason == EntryReason.INCREASE and delta < 0) or (reason == EntryReason.DECREASE and delta > 0):
        raise DomainError("核增应为正数，核减应为负数。", field="delta")
    (account,) = _locked(account)
    over = delta < 0 and _refuse_below_occupied(account, delta, on, allow_overstaffing, field="delta", reason=note)
    entry = QuotaEntry.objects.create(
        account=account,
        delta=delta,
        reason=reason,
        on=on,
        document_no=document_no.strip(),
        note=note,
        creates_overstaffing=over,
        by=by,
    )
    log_operation(by, f"编制{entry.get_reason_display()}", account, detail=f"{delta:+d}名，{document_no}")
    return entry


def _validate_move(source: QuotaAccount, target: QuotaAccount, amount: int) -> None:
    if source.pk == target.pk:
        raise DomainError("调出和调入不能是同一个账户。", field="target")
    if source.kind != target.kind:
        raise DomainError(
            f"{source.get_kind_display()}和{target.get_kind_display()}不能互相调剂（行政、事业编制不得混用）。",
            field="target",
        )
    if amount < 1:
        raise DomainError("调剂数量至少为1名。", field="amount")


@transaction.atomic
def draft_move(
    source: QuotaAccount, target: QuotaAccount, *, amount: int, move_type: str, note: str = "", by
) -> QuotaMove:
    _validate_move(source, target, amount)
    move = QuotaMove.objects.create(
        move_type=move_type, kind=source.kind, amount=amount, source=source, target=target, note=note, created_by=by
    )
    log_operation(by, "拟定编制调剂", move)
    return move


@transaction.atomic
def record_move(move: QuotaMove, *, on: date, document_no: str, allow_overstaffing: bool = False, by) -> QuotaMove:
    """Execute a move: two entries that sum to zero, in one transaction."""
    move = QuotaMove.objects.select_for_update().get(pk=move.pk)
    if move.status != QuotaMove.Status.DRAFT:
        raise DomainError(f"该调剂{move.get_status_display()}，不能再执行。")
    if not document_no.strip():
        raise DomainError("请填写批准文号。", field="document_no")
    _validate_move(move.source, move.target, move.amount)
    source, target = _locked(move.source, move.target)
    over = _refuse_below_occupied(source, -move.amount, on, allow_overstaffing, reason=move.note)
    out_reason, in_reason = MOVE_REASONS[move.move_type]
    common = {"on": on, "document_no": document_no.strip(), "move": move, "by": by}
    QuotaEntry.objects.create(
        account=source,
        delta=-move.amount,
        reason=out_reason,
        creates_overstaffing=over,
        note=f"{move.get_move_type_display()}至{target.holder_name}",
        **common,
    )
    QuotaEntry.objects.create(
        account=target,
        delta=move.amount,
        reason=in_reason,
        note=f"{move.get_move_type_display()}自{source.holder_name}",
        **common,
    )
    move.status = QuotaMove.Status.RECORDED
    move.on, move.document_no, move.creates_overstaffing = on, document_no.strip(), over
    move.recorded_by, move.recorded_at = by, timezone.now()
    move.save(update_fields=["status", "on", "document_no", "creates_overstaffing", "recorded_by", "recorded_at"])
    log_operation(by, "执行编制调剂", move, detail=f"{move.amount}名，{document_no}")
    return move


def move_quota(
    source: QuotaAccount,
    target: QuotaAccount,
    *,
    amount: int,
    move_type: str,
    on: date,
    document_no: str,
    note: str = "",
    allow_overstaffing: bool = False,
    by,
) -> QuotaMove:
    """Draft and execute a move in one step."""
    with transaction.atomic():
        move = draft_move(source, target, amount=amount, move_type=move_type, note=note, by=by)
        return record_move(move, on=on, document_no=document_no, allow_overstaffing=allow_overstaffing, by=by)


@transaction.atomic
def cancel_move(move: QuotaMove, *, by) -> QuotaMove:
    move = QuotaMove.objects.select_for_update().get(pk=move.pk)
    if move.status != QuotaMove.Status.DRAFT:
        raise DomainError("只能作废草稿状态的调剂。")
    move.status = QuotaMove.Status.CANCELLED
    move.save(update_fields=["status"])
    log_operation(by, "作废编制调剂", move)
    return move


def default_move_type(source: Unit | QuotaPool, target: Unit | QuotaPool) -> str:
    """减上补下 from a county unit to a township; pools are their own types; otherwise 平级调剂."""
    if isinstance(source, QuotaPool):
        return MoveType.FROM_POOL
    if isinstance(target, QuotaPool):
        return MoveType.TO_POOL
    if source.region.level <= 3 and target.region.level >= 4:
        return MoveType.DOWNWARD
    return MoveType.LATERAL


# ---- hiring --------------------------------------------------------------------------------------


@transaction.atomic
def submit_hiring_request(
    unit: Unit, *, kind: str, seats: int, purpose: str, channel: str = "", on: date | None = None, by
) -> HiringRequest:
    if kind not in QUOTA_OF_STAFFING.values():
        raise DomainError("用编申请只适用于行政、事业、工勤编制。", field="kind")
    if seats < 1:
        raise DomainError("用编数至少为1名。", field="seats")
    if not unit.is_active:
        raise DomainError(f"“{unit.name}”{unit.get_status_display()}，不能申请用编。")
    request = HiringRequest.objects.create(
        unit=unit,
        kind=kind,
        seats=seats,
        purpose=purpose.strip(),
        channel=channel,
        requested_on=on or timezone.localdate(),
        requested_by=by,
    )
    log_operation(by, "提出用编申请", request)
    return request


@transaction.atomic
def approve_hiring_request(request: HiringRequest, *, on: date | None = None, note: str = "", by) -> HiringRequest:
    """核准 if approved − occupied − reserved ≥ seats; otherwise record the refusal (超编不得进人).

    Returns the request with its new status; a refusal is a result, not an error, so it is kept.
    """
    on = on or timezone.localdate()
    request = HiringRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != HiringRequest.Status.PENDING:
        raise DomainError(f"该申请{request.get_status_display()}，不能再核准。")
    if on < request.requested_on:
        raise DomainError("核准日期不能早于申请日期。", field="on")
    (account,) = _locked(get_account(request.unit, request.kind))
    seats = account_seats(account, on)
    request.decided_on, request.decided_by = on, by
    if seats.free >= request.seats:
        request.status = HiringRequest.Status.APPROVED
        request.expires_on = on + timedelta(days=settings.HIRING_APPROVAL_VALID_DAYS)
        request.number = f"编核〔{on.year}〕{request.pk:05d}号"
        request.decision_note = note or f"核准使用{request.get_kind_display()}{request.seats}名。"
        action = "核准用编"
    else:
        request.status = HiringRequest.Status.REFUSED
        request.decision_note = (
            f"超编不得进人：{request.unit.name}{request.get_kind_display()}核定{seats.approved}名，"
            f"实有{seats.occupied}人，已预留{seats.reserved}名，可用{max(seats.free, 0)}名，不足{request.seats}名。"
        )
        action = "不予核准用编"
    request.save(update_fields=["status", "decided_on", "decided_by", "expires_on", "number", "decision_note"])
    log_operation(by, action, request, detail=request.decision_note)
    return request


@transaction.atomic
def refuse_hiring_request(request: HiringRequest, *, note: str, by) -> HiringRequest:
    request = HiringRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != HiringRequest.Status.PENDING:
        raise DomainError(f"该申请{request.get_status_display()}，不能再处理。")
    if not note.strip():
        raise DomainError("请填写不予核准的理由。", field="note")
    request.status = HiringRequest.Status.REFUSED
    request.decided_on, request.decided_by, request.decision_note = timezone.localdate(), by, note.strip()
    request.save(update_fields=["status", "decided_on", "decided_by", "decision_note"])
    log_operation(by, "不予核准用编", request, detail=note)
    return request


@transaction.atomic
def withdraw_hiring_request(request: HiringRequest, *, on: date | None = None, by) -> HiringRequest:
    """Release an approval's unused seats (or drop a pending request)."""
    request = HiringRequest.objects.select_for_update().get(pk=request.pk)
    if request.status not in (HiringRequest.Status.PENDING, HiringRequest.Status.APPROVED):
        raise DomainError(f"该申请{request.get_status_display()}，不能撤回。")
    request.status = HiringRequest.Status.WITHDRAWN
    request.withdrawn_on = on or timezone.localdate()
    request.save(update_fields=["status", "withdrawn_on"])
    log_operation(by, "撤回用编核准", request)
    return request


def _open_placement(
    person: Person,
    unit: Unit,
    kind: str,
    *,
    on: date,
    entry_kind: str,
    by,
    request=None,
    plan=None,
    document_no: str = "",
) -> Placement:
    if Placement.objects.filter(person=person, end_on__isnull=True).exists():
        raise DomainError(f"{person.name}已在编，须先出编或办理调动。", field="person")
    placement = Placement.objects.create(
        person=person,
        unit=unit,
        kind=kind,
        start_on=on,
        entry_kind=entry_kind,
        request=request,
        plan=plan,
        document_no=document_no,
        by=by,
    )
    fields = {"quota_unit": unit, "staffing_kind": STAFFING_OF_QUOTA[kind]}
    changed = [f for f, v in fields.items() if getattr(person, f) != v]
    for f, v in fields.items():
        setattr(person, f, v)
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
    return placement


def _close_placement(person: Person, *, on: date, reason: str, document_no: str = "") -> Placement:
    placement = Placement.objects.select_for_update().filter(person=person, end_on__isnull=True).first()
    if placement is None:
        raise DomainError(f"{person.name}当前不在编。", field="person")
    if on < placement.start_on:
        raise DomainError(f"出编日期不能早于进编日期（{placement.start_on}）。", field="on")
    placement.end_on, placement.exit_reason, placement.exit_document_no = on, reason, document_no
    placement.save(update_fields=["end_on", "exit_reason", "exit_document_no"])
    return placement


def _entry_request(request: HiringRequest, on: date) -> HiringRequest:
    """Lock an approval and check that it can seat one more person on `on`."""
    request = HiringRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != HiringRequest.Status.APPROVED:
        raise DomainError(f"用编核准{request.get_status_display()}，不能据此进编。", field="request")
    if request.expires_on and on > request.expires_on:
        raise DomainError(f"用编核准已于{request.expires_on:%Y年%m月%d日}过期，请重新申请。", field="on")
    if on < request.decided_on:
        raise DomainError("进编日期不能早于核准日期。", field="on")
    if request.used_seats() >= request.seats:
        raise DomainError("该核准的用编数已用完。", field="request")
    return request


def _after_entry(request: HiringRequest, person: Person, by) -> None:
    if request.used_seats() >= request.seats:
        request.status = HiringRequest.Status.USED
        request.save(update_fields=["status"])
    log_operation(by, "进编", person, detail=f"{request.unit.name} {request.get_kind_display()}，{request.number}")


@transaction.atomic
def enter_person(request: HiringRequest, person: Person, *, on: date, document_no: str = "", by) -> Placement:
    """进编: a person takes one seat of an approval."""
    request = _entry_request(request, on)
    placement = _open_placement(
        person,
        request.unit,
        request.kind,
        on=on,
        entry_kind=EntryKind.APPROVED,
        request=request,
        document_no=document_no or request.number,
        by=by,
    )
    _after_entry(request, person, by)
    return placement


@transaction.atomic
def exit_person(person: Person, *, on: date, reason: str, document_no: str = "", by) -> Placement:
    """出编: 退休, 调出, 辞职, 辞退, 死亡…; the seat is free from `on` (the 出编日期) onwards."""
    if reason in (ExitReason.TRANSFER, ExitReason.REFORM):
        raise DomainError("调动请使用“调动”，改革划转由改革方案完成。", field="reason")
    placement = _close_placement(person, on=on, reason=reason, document_no=document_no)
    person.quota_unit = None
    fields = ["quota_unit", "updated_at"]
    if person.leader_rank:
        person.leader_rank = ""
        fields.append("leader_rank")
    if reason in LEAVING_REASONS:
        person.active = False
        fields.append("active")
    person.save(update_fields=fields)
    log_operation(by, "出编", person, detail=f"{placement.unit.name}，{ExitReason(reason).label}，{on}")
    return placement


@transaction.atomic
def transfer_person(
    person: Person,
    *,
    to_unit: Unit,
    on: date,
    request: HiringRequest | None = None,
    document_no: str = "",
    move_work_unit: bool = True,
    by,
) -> Placement:
    """调动: 出编 from the current unit and 进编 into another, atomically.

    The target needs a free seat of the same kind, or an approval (用编核准) for it.
    """
    current = Placement.objects.filter(person=person, end_on__isnull=True).first()
    if current is None:
        raise DomainError(f"{person.name}当前不在编，不能调动。", field="person")
    if to_unit.pk == current.unit_id:
        raise DomainError("调入单位与现编制所在单位相同。", field="to_unit")
    kind = request.kind if request else current.kind
    _close_placement(
        person,
        on=on - timedelta(days=1) if on > current.start_on else on,
        reason=ExitReason.TRANSFER,
        document_no=document_no,
    )
    if request is not None:
        if request.unit_id != to_unit.pk:
            raise DomainError("所选用编核准不属于调入单位。", field="request")
        placement = enter_person(request, person, on=on, document_no=document_no, by=by)
        placement.entry_kind = EntryKind.TRANSFER_IN
        placement.save(update_fields=["entry_kind"])
    else:
        (account,) = _locked(get_account(to_unit, kind))
        seats = account_seats(account, on)
        if seats.free < 1:
            raise DomainError(
                f"超编不得进人：{to_unit.name}{QuotaKind(kind).label}核定{seats.approved}名，实有{seats.occupied}人，"
                f"预留{seats.reserved}名，没有空编。请先办理用编核准。",
                field="to_unit",
            )
        placement = _open_placement(
            person, to_unit, kind, on=on, entry_kind=EntryKind.TRANSFER_IN, document_no=document_no, by=by
        )
    if move_work_unit and person.work_unit_id != to_unit.pk:
        person.work_unit = to_unit
        person.save(update_fields=["work_unit", "updated_at"])
    log_operation(by, "调动", person, detail=f"调入{to_unit.name}，{document_no}")
    return placement


@transaction.atomic
def place_existing(person: Person, *, on: date, document_no: str = "", by) -> Placement:
    """Record an already-employed person's current seat (台账导入 of the 实名制 roster)."""
    kind = QUOTA_OF_STAFFING.get(person.staffing_kind)
    if kind is None or person.quota_unit_id is None:
        raise DomainError(f"{person.name}为编外聘用或未填编制所在单位，不占编制。")
    return _open_placement(
        person, person.quota_unit, kind, on=on, entry_kind=EntryKind.INITIAL, document_no=document_no, by=by
    )


@transaction.atomic
def new_person_and_enter(request: HiringRequest, *, on: date, document_no: str = "", by, **person_fields) -> Placement:
    """进编 of someone not yet in the platform: create the person record on the approval's seat, atomically."""
    request = _entry_request(request, on)
    fields = {k: v for k, v in person_fields.items() if k not in ("staffing_kind", "quota_unit", "active")}
    person = org_actions.create_person(
        by=by, staffing_kind=STAFFING_OF_QUOTA[request.kind], quota_unit=request.unit, **fields
    )
    # Creating the record opened its seat; that seat is the approval's.
    placement = Placement.objects.get(person=person, end_on__isnull=True)
    placement.start_on, placement.entry_kind, placement.request = on, EntryKind.APPROVED, request
    placement.document_no = document_no or request.number
    placement.save(update_fields=["start_on", "entry_kind", "request", "document_no"])
    _after_entry(request, person, by)
    return placement


def sync_placement(person: Person, *, on: date | None = None, by) -> None:
    """Keep the 实名制 record in step after a direct correction of a person's quota unit or kind.

    Direct corrections (台账更正) are for the staffing office; hiring goes through 用编核准 and 进编.
    """
    on = on or timezone.localdate()
    kind = QUOTA_OF_STAFFING.get(person.staffing_kind)
    wanted = (person.quota_unit_id, kind) if person.active and person.quota_unit_id and kind else None
    current = Placement.objects.select_for_update().filter(person=person, end_on__isnull=True).first()
    if current and wanted == (current.unit_id, current.kind):
        return
    if current:
        current.end_on = max(on, current.start_on)
        current.exit_reason = ExitReason.OTHER
        current.save(update_fields=["end_on", "exit_reason"])
    if wanted:
        Placement.objects.create(
            person=person, unit_id=wanted[0], kind=wanted[1], start_on=on, entry_kind=EntryKind.INITIAL, by=by
        )


@transaction.atomic
def carry_over(unit: Unit, into: Unit, *, on: date, document_no: str, by, plan=None, people=None) -> tuple[int, int]:
    """改革划转 of a merged unit: its quota balances and its people's seats go to `into`.

    `people` limits which placements move (a plan may send some people elsewhere); balances always move.
    Returns (seats of quota moved, people moved).
    """
    moved_quota = 0
    for account in QuotaAccount.objects.filter(unit=unit):
        balance = account_seats(account, on).approved
        if balance == 0:
            continue
        target = get_account(into, account.kind)
        source, target = _locked(account, target)
        common = {"on": on, "document_no": document_no, "reason": EntryReason.REFORM, "plan": plan, "by": by}
        QuotaEntry.objects.create(account=source, delta=-balance, note=f"改革划转至{into.name}", **common)
        QuotaEntry.objects.create(account=target, delta=balance, note=f"改革划转自{unit.name}", **common)
        moved_quota += balance
    placements = Placement.objects.select_for_update().filter(unit=unit, end_on__isnull=True).select_related("person")
    if people is not None:
        placements = placements.filter(person__in=people)
    moved_people = 0
    for placement in placements:
        move_placement(placement, into, on=on, document_no=document_no, by=by, plan=plan)
        moved_people += 1
    return moved_quota, moved_people


def move_placement(placement: Placement, into: Unit, *, on: date, document_no: str, by, plan=None) -> Placement:
    """Close a seat and open the same kind of seat in `into` on the same day (改革划转)."""
    on = max(on, placement.start_on)  # a seat taken after the reform date moves on the day it was taken
    placement.end_on, placement.exit_reason, placement.exit_document_no = on, ExitReason.REFORM, document_no
    placement.save(update_fields=["end_on", "exit_reason", "exit_document_no"])
    return _open_placement(
        placement.person,
        into,
        placement.kind,
        on=on,
        entry_kind=EntryKind.REFORM,
        plan=plan,
        document_no=document_no,
        by=by,
    )
