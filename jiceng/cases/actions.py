"""Every change to a case goes through these functions; each writes its event through `transition`."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from jiceng.accounts.audit import log_operation
from jiceng.catalog.models import ListKind, Matter
from jiceng.catalog.resolve import Unresolvable, resolve, version_on
from jiceng.grids import geometry as grids
from jiceng.grids import places
from jiceng.lib.errors import DomainError
from jiceng.lib.validators import check_mobile, parse_id_number
from jiceng.orgs.duty import case_handler
from jiceng.orgs.models import Region, Unit
from jiceng.routing import suggest as routing
from jiceng.workcal.calendar import add_workdays, workdays_between

from . import deadlines, duplicates, permissions
from .lifecycle import registered, transition
from .models import (
    Attachment,
    Case,
    CaseEvent,
    CaseTask,
    Channel,
    Evaluation,
    Notification,
    Rectification,
    Result,
    Status,
)
from .uploads import check_photo

MAX_RETURNS = 3
RETURN_WINDOW_WORKDAYS = 1
MAX_EXTENSION_WORKDAYS = 60


def _today() -> date:
    return timezone.localdate()


def _refresh_clock(case: Case, *, stage: int | None = None) -> list[str]:
    case.due_at = deadlines.due_at(case)
    case.next_alert_at, _ = deadlines.next_alert(case, case.alert_stage if stage is None else stage)
    return ["due_at", "next_alert_at"]


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def register_case(*, by=None, unit: Unit | None = None, route: bool = True, **report) -> tuple[Case, bool]:
    """Register one report from any channel (its fields are `_new_case`'s: channel, title, text, matter, township,
    village, address, latitude, longitude, requester_…, external_no, idempotency_key, grid). Returns (case,
    created): a retry with the same idempotency key, or a hotline order already imported, returns the existing
    case instead of a second one. `grid` is the grid the reporter stood in (a patrol's); a point inside another
    grid wins over it."""
    try:
        ((case, created),) = register_cases([report], by=by, unit=unit, route=route)
    except RejectedReport as e:
        raise DomainError(e.message, field=e.field) from None
    return case, created


class RejectedReport(DomainError):
    """A report of a batch failed its checks: `index` (from 0) says which. Nothing of the batch was written."""

    def __init__(self, index: int, error: DomainError):
        super().__init__(error.message, field=error.field)
        self.index = index


def register_cases(reports: list[dict], *, by=None, unit: Unit | None = None, route: bool = True) -> list:
    """Register reports (the keyword arguments of `register_case`, one dict each; a report's own `unit` wins
    over the batch's): a single form, a 12345 file,
    a hotline system's batch. Each report gets its checks, its place, its duplicate flag, the routing model's
    guesses and, when they are sure enough, 智能派单; the batch is written with one INSERT per table.

    Returns (case, created) per report, in order. All or nothing: a report that fails its checks raises
    RejectedReport and nothing is written. A report registered before (its idempotency key, its hotline order
    number) comes back with created=False."""
    news = []
    for index, report in enumerate(reports):
        try:
            news.append(_new_case(**{"by": by, "unit": unit, **report}, route=route))
        except DomainError as e:
            raise RejectedReport(index, e) from None
    cases = [case for case, _ in news]
    seen: set = set()
    for index, case in enumerate(cases):  # the unique indexes would refuse the whole batch without saying which
        keys = {("key", case.idempotency_key)} if case.idempotency_key else set()
        keys |= {("order", case.channel, case.external_no)} if case.external_no else set()
        if keys & seen:
            error = DomainError(f"同一批中重复提交了外部工单号“{case.external_no}”或幂等键。", field="external_no")
            raise RejectedReport(index, error)
        seen |= keys
    duplicates.flag(cases)
    events = [registered(case, by=by, unit=case.registered_unit, note=Channel(case.channel).label) for case in cases]
    before: dict[int, Case] = {}
    try:
        with transaction.atomic():
            _insert(cases, events)
    except IntegrityError:
        # A retry, or an order already imported: the unique indexes say so, so new reports (nearly every call)
        # pay for no lookup first. The rest of the batch is written once the old ones are set aside.
        before = _registered_before(cases)
        if not before:
            raise
        rest = [i for i in range(len(cases)) if i not in before]
        with transaction.atomic():
            _insert([cases[i] for i in rest], [events[i] for i in rest])
    results = []
    for index, (case, guesses) in enumerate(news):
        if index in before:
            results.append((before[index], False))
            continue
        if guesses and routing.should_auto_dispatch(guesses) and case.duplicate_of_id is None:
            case = _auto_dispatch(case, guesses[0])
        results.append((case, True))
    return results


def _new_case(
    *,
    channel: str,
    title: str,
    text: str,
    by=None,
    unit: Unit | None = None,
    matter: Matter | None = None,
    township: Region | None = None,
    village: Region | None = None,
    address: str = "",
    latitude=None,
    longitude=None,
    requester_name: str = "",
    requester_phone: str = "",
    requester_id_number: str = "",
    requester_address: str = "",
    external_no: str = "",
    idempotency_key: str | None = None,
    grid=None,
    route: bool = True,
) -> tuple[Case, list]:
    """A report checked and placed, as an unsaved case, and the model's guesses."""
    if channel not in Channel.values:
        raise DomainError("来源渠道无效。", field="channel")
    if not (title or "").strip() or not (text or "").strip():
        raise DomainError("请填写标题和内容。", field="text")
    try:
        if requester_phone:
            requester_phone = check_mobile(requester_phone) if requester_phone.strip()[:1] == "1" else requester_phone
    except ValidationError as e:
        raise DomainError(e.messages[0], field="requester_phone") from None
    try:
        if requester_id_number.strip():
            requester_id_number = parse_id_number(requester_id_number).value
    except ValidationError as e:
        raise DomainError(e.messages[0], field="requester_id_number") from None
    if latitude is not None and longitude is not None:
        # Point → grid → village → township: the place where it happened beats the form's choice.
        grid = grids.locate(float(latitude), float(longitude)) or grid
    if grid is not None:
        village, township = grid.village, grid.village.parent
    if village is not None and township is None:
        township = village.parent if village.level == 5 else None
    if township is None and grid is None and address:
        township, village = places.find_place(address)
    if township is not None and township.level != 4:
        raise DomainError("请选择乡镇（街道）。", field="township")
    version = version_on(matter, _today()) if matter else None
    case = Case(
        channel=channel,
        title=title.strip(),
        text=text.strip(),
        matter=matter,
        matter_version=version,
        is_service=bool(version and version.list_kind == ListKind.SERVICE),
        township=township,
        village=village,
        grid=grid,
        address=address or "",
        latitude=latitude,
        longitude=longitude,
        requester_name=requester_name or "",
        requester_phone=requester_phone or "",
        requester_id_number=requester_id_number,
        requester_address=requester_address or "",
        registered_by=by if getattr(by, "pk", None) else None,
        registered_unit=unit,
        external_no=external_no or "",
        idempotency_key=idempotency_key or None,
        status="",  # not yet registered: the "register" transition starts from nothing
    )
    guesses = _suggest(case) if route and matter is None and channel in ROUTED_CHANNELS else []
    return case, guesses


def _insert(cases: list[Case], events: list) -> None:
    if len(cases) == 1:  # one report (a form, an API call): saved row by row, with Django's post_save signals
        cases[0].save()
        events[0].save()
        return
    Case.objects.bulk_create(cases)
    CaseEvent.objects.bulk_create(events)
    duplicates.flag_within(cases)


def _registered_before(cases: list[Case]) -> dict[int, Case]:
    """Which of these unsaved cases were registered before, by idempotency key or hotline order number."""
    keys = {case.idempotency_key for case in cases if case.idempotency_key}
    orders = {(case.channel, case.external_no) for case in cases if case.external_no}
    by_key = {c.idempotency_key: c for c in Case.objects.filter(idempotency_key__in=keys)} if keys else {}
    by_order = {}
    if orders:
        # The partial unique index (external_no <> '') answers this only when the query says so.
        numbers = Case.objects.filter(
            channel__in={c for c, _ in orders}, external_no__in={n for _, n in orders}
        ).exclude(external_no="")
        by_order = {(c.channel, c.external_no): c for c in numbers}
    found = {}
    for index, case in enumerate(cases):
        old = by_key.get(case.idempotency_key) or by_order.get((case.channel, case.external_no))
        if old is not None:
            found[index] = old
    return found


# Channels whose reports arrive without a matter and wait for the command centre: the routing model reads them.
ROUTED_CHANNELS = {Channel.GRID, Channel.HOTLINE, Channel.ONLINE, Channel.OPEN311}


def _suggest(case: Case) -> list:
    """The routing model's top three matters for the report, stored on the case for the command centre."""
    guesses = routing.suggest((case.title, case.text), k=3)
    _store_guesses(case, guesses)
    return guesses


def _store_guesses(case: Case, guesses: list) -> None:
    if not guesses:
        return
    case.routed_matter = guesses[0].matter
    case.routing = {
        "auto": False,
        **{key: value for key, value in case.routing.items() if key in ("auto", "held", "refreshed")},
        "version": guesses[0].version,
        "top": [
            {
                "matter": g.matter.code,
                "name": g.name,
                "probability": round(g.probability, 4),
                "words": g.words,
                **({"phrase": g.phrase} if g.phrase else {}),
            }
            for g in guesses
        ],
        "vague": guesses[0].vague,
        "refined": guesses[0].refined,
    }


def _waiting():
    """Cases waiting for the command centre: no matter yet, not dispatched."""
    return Case.objects.filter(status__in=[Status.REGISTERED, Status.RETURNED], matter__isnull=True)


def refresh_suggestions() -> int:
    """After a model version is put in use: the cases still waiting for the command centre get its guesses
    (never dispatched by it: the dispatcher has them in hand). Returns how many were refreshed."""
    count = 0
    for case in _waiting().only("pk", "title", "text", "routing", "routed_matter"):
        case.routing = {"refreshed": True}  # in the dispatcher's hands: 语义复核 refines it but never dispatches
        _suggest(case)
        case.save(update_fields=["routing", "routed_matter"])
        count += 1
    return count


REFINE_BATCH = 100  # cases refined per worker round (7–15 ms of CPU each: one or two seconds)
# Not refined yet: cases stored before 语义复核 existed have no key at all (and a NOT over a missing JSON key is
# NULL, not true, in SQL: an exclude would skip them).
UNREFINED = Q(routing__refined=False) | ~Q(routing__has_key="refined")


def refine_suggestions(limit: int = REFINE_BATCH) -> int:
    """语义复核 in the worker: the cases waiting for the command centre whose guesses came from the lexical model
    alone get guesses with the meaning of the report weighed in (see routing/semantic.py); oldest first. A report
    registered under the version in use whose refined top matter clears the threshold is dispatched as at intake
    (智能派单); one returned by a unit, or waiting since before the version (see refresh_suggestions), stays with
    the dispatcher. Returns how many cases were refined."""
    if not routing.can_refine():
        return 0
    cases = list(
        _waiting()
        .filter(UNREFINED, routing__has_key="top")
        .only("pk", "title", "text", "status", "duplicate_of", "routing", "routed_matter")
        .order_by("created_at", "pk")[:limit]
    )
    for case, guesses in zip(cases, routing.refine([(c.title, c.text) for c in cases]), strict=True):
        _store_guesses(case, guesses)
        case.routing["refined"] = True  # also when the model had nothing more to say: not asked again
        # Conditional: of two workers refining the same case, one writes it, and only that one may dispatch it.
        still_waiting = Case.objects.filter(UNREFINED, pk=case.pk, matter__isnull=True).update(
            routing=case.routing, routed_matter=case.routed_matter
        )
        if (
            still_waiting
            and case.status == Status.REGISTERED
            and not case.routing.get("refreshed")
            and case.duplicate_of_id is None
            and routing.should_auto_dispatch(guesses)
        ):
            _auto_dispatch(case, guesses[0])
    return len(cases)


def _auto_dispatch(case: Case, top) -> Case:
    """智能派单: the top matter cleared the deployment's threshold, so the case goes to the catalog's lead unit
    at once. When the catalog cannot name the unit (no township, an unbound role) it waits for the dispatcher."""
    try:
        with transaction.atomic():
            how = "智能派单（语义复核）" if top.refined else "智能派单"
            note = f"{how}：{top.name}（置信度{top.probability:.0%}）"
            dispatched = dispatch_case(case, by=None, matter=top.matter, note=note)
    except DomainError as e:
        case.refresh_from_db()
        case.routing = {**case.routing, "held": e.message}
        case.save(update_fields=["routing"])
        return case
    dispatched.auto_dispatched = True
    dispatched.routing = {**dispatched.routing, "auto": True}
    dispatched.save(update_fields=["auto_dispatched", "routing"])
    return dispatched


def limit_of(version) -> int | None:
    """The working days a matter allows: the committed limit of a service item (承诺时限, 0 = 即办), else its
    statutory limit; for other matters the catalog's 办理时限."""
    if version is None:
        return None
    if version.list_kind == ListKind.SERVICE:
        return version.committed_days if version.committed_days is not None else version.statutory_days
    return version.time_limit_days


@transaction.atomic
def accept_case(case: Case, *, by, unit: Unit | None = None, missing: list[str] | tuple = ()) -> Case:
    """受理 a service case: the clock starts. With materials missing, one 补正 notice lists them all and the
    case waits at the desk that took it in; otherwise it goes to whoever handles it (see `_route`)."""
    case = _locked(case)
    version = case.matter_version or (version_on(case.matter, _today()) if case.matter else None)
    case.started_on = _today()
    case.limit_days = limit_of(version)
    fields = ["started_on", "limit_days", *_refresh_clock(case, stage=0)]
    transition(case, "accept", by=by, unit=unit, fields=tuple(fields))
    if missing:
        return request_supplement(case, missing=list(missing), by=by, unit=unit)
    return _route(case, by=by, unit=unit)


def _route(case: Case, *, by, unit: Unit | None) -> Case:
    """After 受理: a service item the receiving unit handles itself starts at once; one the catalog gives to
    another unit is dispatched to it (一窗受理、后台分类审批)."""
    if unit is None or not case.is_service:
        return case
    lead = _catalog_lead(case)
    if lead is not None and lead.pk != unit.pk:
        return dispatch_case(case, by=by, note=f"{unit.name}受理，按清单转{lead.name}办理")
    case.lead_unit = unit
    transition(case, "start", by=by, unit=unit, fields=("lead_unit",))
    return case


def _catalog_lead(case: Case) -> Unit | None:
    if case.matter is None or case.township is None:
        return None
    try:
        return resolve(case.matter, case.township, case.started_on or _today()).lead.unit
    except Unresolvable:
        return None


@transaction.atomic
def reject_case(case: Case, *, reason: str, by) -> Case:
    if not reason.strip():
        raise DomainError("请填写不予受理的理由。", field="reason")
    case = _locked(case)
    transition(case, "reject", by=by, note=reason.strip())
    return case


@transaction.atomic
def dispatch_case(
    case: Case,
    *,
    by,
    unit: Unit | None = None,
    matter: Matter | None = None,
    designate: bool = False,
    note: str = "",
) -> Case:
    """派单: to `unit`, or to the lead unit the catalog gives for the case's matter, township and start date.
    `matter` sets or corrects the case's matter first (the dispatcher confirming a routing suggestion).

    Cooperating units each get a task. After three returns the dispatcher must designate (指定) the unit,
    which then cannot return it.
    """
    case = _locked(case)
    if case.return_count >= MAX_RETURNS and not designate:
        raise DomainError(f"该办件已退单{case.return_count}次，请指定承办单位（指定后不能再退单）。", field="designate")
    if matter is not None:
        case.matter = matter
    cooperating = []
    limit = case.limit_days
    response = case.response_days
    if unit is None:
        if case.matter is None or case.township is None:
            raise DomainError("未确定事项或乡镇，不能按清单派单，请指定承办单位。", field="unit")
        day = case.started_on or _today()
        try:
            resolution = resolve(case.matter, case.township, day)
        except Unresolvable as e:
            raise DomainError(f"按清单无法确定承办单位：{e.message}", field="unit") from None
        unit = resolution.lead.unit
        cooperating = [(p.unit, p.duty) for p in resolution.cooperating if p.unit is not None]
        if limit is None:
            limit = limit_of(resolution.version) if case.is_service else resolution.time_limit_days
        response = resolution.response_days
        case.matter_version = resolution.version
    if not unit.is_active:
        raise DomainError(f"“{unit.name}”{unit.get_status_display()}，不能承办。", field="unit")
    if limit is None:  # no matter, or a matter without a time limit: the deployment's default applies
        limit = settings.CASE_DEFAULT_LIMIT_DAYS
    if response is None:
        response = settings.CASE_DEFAULT_RESPONSE_DAYS
    now = timezone.now()
    case.lead_unit, case.designated, case.dispatched_at, case.signed_at = unit, designate, now, None
    case.limit_days, case.response_days = limit, response
    if not case.is_service or case.started_on is None:
        case.started_on = timezone.localdate(now)  # 乡呼 and events: the clock starts at 派单
    case.alert_stage = 0
    fields = [
        *_assign_on_duty(case, unit, now),
        "lead_unit",
        "designated",
        "dispatched_at",
        "signed_at",
        "limit_days",
        "response_days",
        "started_on",
        "matter",
        "matter_version",
        "alert_stage",
        *_refresh_clock(case, stage=0),
    ]
    CaseTask.objects.filter(case=case).delete()
    CaseTask.objects.bulk_create(CaseTask(case=case, unit=u, duty=d) for u, d in cooperating if u.pk != unit.pk)
    transition(
        case,
        "dispatch",
        by=by,
        unit=unit,
        note=note or ("指定承办" if designate else ""),
        data={"cooperating": [u.pk for u, _ in cooperating], "matter": case.matter.code if case.matter else None},
        fields=tuple(fields),
    )
    return case


@transaction.atomic
def reassign_case(case: Case, *, unit: Unit | None = None, matter: Matter | None = None, reason: str, by) -> Case:
    """改派 by the dispatcher, keeping the requester's clock (the deadline does not restart): to another unit, or,
    when the matter was wrong (a misrouted report), to the corrected matter's lead unit, whose cooperating units
    then get the tasks. The corrected matter is what the next routing model learns from."""
    if unit is None and matter is None:
        raise DomainError("请选择改派的承办单位，或更正事项。", field="unit")
    if not reason.strip():
        raise DomainError("请填写改派理由。", field="reason")
    case = _locked(case)
    before, before_matter = case.lead_unit, case.matter
    fields = ["lead_unit", "dispatched_at", "signed_at"]
    cooperating = None
    if matter is not None and matter.pk != case.matter_id:
        if case.township is None:
            raise DomainError("办件未确定乡镇，不能按清单改派，请选择承办单位。", field="unit")
        try:
            resolution = resolve(matter, case.township, case.started_on or _today())
        except Unresolvable as e:
            raise DomainError(f"按清单无法确定承办单位：{e.message}", field="matter") from None
        case.matter, case.matter_version = matter, resolution.version
        fields += ["matter", "matter_version"]
        unit = unit or resolution.lead.unit
        cooperating = [(p.unit, p.duty) for p in resolution.cooperating if p.unit is not None]
    elif unit is None:
        raise DomainError("事项未变，请选择改派的承办单位。", field="unit")
    if case.lead_unit_id == unit.pk and cooperating is None:
        raise DomainError(f"办件已由“{unit.name}”承办，无需改派。", field="unit")
    if not unit.is_active:
        raise DomainError(f"“{unit.name}”{unit.get_status_display()}，不能承办。", field="unit")
    case.lead_unit, case.dispatched_at, case.signed_at = unit, timezone.now(), None
    fields += _assign_on_duty(case, unit, case.dispatched_at)
    if cooperating is None:
        CaseTask.objects.filter(case=case, unit=unit).delete()
    else:
        CaseTask.objects.filter(case=case).delete()
        CaseTask.objects.bulk_create(CaseTask(case=case, unit=u, duty=d) for u, d in cooperating if u.pk != unit.pk)
    note = f"由“{before.name if before else '—'}”改派"
    data = {"from_unit": before.pk if before else None}
    if cooperating is not None:
        note += f"，事项更正为“{resolution.version.name}”"
        data |= {"matter": matter.code, "from_matter": before_matter.code if before_matter else None}
    transition(case, "reassign", by=by, unit=unit, note=f"{note}：{reason.strip()}", data=data, fields=tuple(fields))
    return case


def _assign_on_duty(case: Case, unit: Unit, now: datetime) -> tuple[str, ...]:
    """The unit's person on duty for its 承接派单 post (A, or the B standing in) becomes the case's 经办人 and
    gets an in-app message; the fields this changed."""
    duty = case_handler(unit, now)
    person = duty.person if duty else None
    case.assignee = person
    if duty is None:
        case.assignee_note = "单位未设承接派单岗位，由单位工作台签收"
    elif person is None:
        case.assignee_note = f"{duty.post.name}：{duty.reason}，由单位工作台签收"
    else:
        case.assignee_note = f"{duty.post.name}：{duty.reason}"
        account = getattr(person, "account", None)
        if account is not None and account.is_active:
            Notification.objects.create(
                case=case,
                kind=Notification.Kind.DISPATCH,
                user=account,
                text=f"【派单】办件{case.code}“{case.title}”已派至{unit.name}，由您经办，请及时签收。",
                state=Notification.State.SENT,
                sent_at=now,
            )
    return ("assignee", "assignee_note")


@transaction.atomic
def merge_case(case: Case, *, into: Case, by, note: str = "") -> Case:
    """合并 a duplicate into the case that will be handled; the duplicate's requester follows the main case."""
    if into.pk == case.pk:
        raise DomainError("不能合并到自身。", field="into")
    case, into = _locked(case), _locked(into)
    if into.merged_into_id or not into.is_open:
        raise DomainError(f"办件{into.code}{into.get_status_display()}，不能作为合并目标。", field="into")
    case.merged_into, case.duplicate_of, case.next_alert_at = into, None, None
    transition(
        case,
        "merge",
        by=by,
        note=note or f"与{into.code}重复，合并办理",
        data={"into": into.pk},
        fields=("merged_into", "duplicate_of", "next_alert_at"),
    )
    transition(into, "merged_in", by=by, note=f"并入重复件{case.code}", data={"case": case.pk})
    return case


@transaction.atomic
def dismiss_duplicate(case: Case, *, by) -> Case:
    """排除重复: the dispatcher judged the flagged case to be a separate matter."""
    case = _locked(case)
    if case.duplicate_of_id is None:
        raise DomainError("该办件未被标记为疑似重复。")
    other = case.duplicate_of
    case.duplicate_of = None
    transition(case, "not_duplicate", by=by, note=f"与{other.code}不是同一问题", fields=("duplicate_of",))
    return case


@transaction.atomic
def report_task(case: Case, *, unit: Unit, note: str, by) -> Case:
    """配合反馈: a cooperating unit reports what it did for its part (配合责任) of a dispatched case."""
    if not note.strip():
        raise DomainError("请填写配合情况。", field="note")
    case = _locked(case)
    task = CaseTask.objects.filter(case=case, unit=unit).first()
    if task is None:
        raise DomainError(f"“{unit.name}”不是该办件的配合单位。")
    if task.state == CaseTask.State.DONE:
        raise DomainError("本单位已反馈配合情况。")
    task.state, task.note = CaseTask.State.DONE, note.strip()
    task.save(update_fields=["state", "note", "updated_at"])
    transition(case, "task_report", by=by, unit=unit, note=note.strip(), data={"task": task.pk})
    return case


def _require_lead(case: Case, unit: Unit | None) -> None:
    if unit is not None and case.lead_unit_id != unit.pk:
        raise DomainError("该办件不是派给本单位的。", field="unit")


def sign_case(case: Case, *, by, unit: Unit | None = None) -> Case:
    """签收: the first clerk to sign wins; a second one at the same moment is told who signed."""
    with transaction.atomic():
        locked = _locked(case)
        _require_lead(locked, unit)
        if locked.status == Status.HANDLING and locked.signed_at:
            signer = locked.events.filter(action="sign").order_by("-at").first()
            who = signer.by.display_name if signer and signer.by else "其他人"
            raise DomainError(f"该办件已由{who}于{timezone.localtime(locked.signed_at):%H:%M}签收，无需重复签收。")
        locked.signed_at = timezone.now()
        transition(locked, "sign", by=by, unit=locked.lead_unit, fields=("signed_at",))
        return locked


@transaction.atomic
def return_case(case: Case, *, reason: str, by, unit: Unit | None = None) -> Case:
    """退单 within one working day of 派单, with a reason; not for a designated unit."""
    case = _locked(case)
    _require_lead(case, unit)
    if not reason.strip():
        raise DomainError("请填写退单理由。", field="reason")
    if case.designated:
        raise DomainError("该办件为指定承办，不能退单。")
    if case.dispatched_at is not None:
        elapsed = workdays_between(timezone.localdate(case.dispatched_at), _today()).value
        if elapsed > RETURN_WINDOW_WORKDAYS:
            raise DomainError(
                f"派单已超过{RETURN_WINDOW_WORKDAYS}个工作日，不能退单；如确非本单位职责，请联系指挥中心改派。"
            )
    returned_by = case.lead_unit
    case.return_count += 1
    case.lead_unit, case.next_alert_at, case.assignee, case.assignee_note = None, None, None, ""
    transition(
        case,
        "return",
        by=by,
        unit=returned_by,
        note=reason.strip(),
        fields=("return_count", "lead_unit", "next_alert_at", "assignee", "assignee_note"),
    )
    return case


@transaction.atomic
def request_supplement(case: Case, *, missing: list[str], by, unit: Unit | None = None) -> Case:
    """补正: one notice listing every missing material; the clock stops until they arrive."""
    items = [m.strip() for m in missing if m and m.strip()]
    if not items:
        raise DomainError("请列出需要补正的全部材料。", field="missing")
    case = _locked(case)
    if case.events.filter(action="supplement").exists() and case.is_service:
        raise DomainError("补正应一次性告知；本办件已发过补正告知，不能再次补正。", field="missing")
    case.paused_on, case.next_alert_at = _today(), None
    transition(
        case,
        "supplement",
        by=by,
        unit=unit,
        note="；".join(items),
        data={"missing": items},
        fields=("paused_on", "next_alert_at"),
    )
    return case


@transaction.atomic
def resume_case(case: Case, *, by, unit: Unit | None = None, on: date | None = None) -> Case:
    """材料补齐: the clock runs again. A case paused at the desk that took it in (no handling unit yet)
    goes back to 受理 and on to whoever handles it."""
    case = _locked(case)
    on = on or _today()
    paused = deadlines.paused_workdays(case.paused_on or on, on)
    case.paused_days += paused
    case.paused_on = None
    case.visits += 1
    fields = ["paused_days", "paused_on", "visits", *_refresh_clock(case)]
    note = f"材料补齐，暂停{paused}个工作日"
    if case.lead_unit_id is None:
        transition(case, "complete_intake", by=by, unit=unit, note=note, fields=tuple(fields))
        return _route(case, by=by, unit=case.registered_unit)
    transition(case, "resume", by=by, unit=unit, note=note, fields=tuple(fields))
    return case


@transaction.atomic
def request_extension(case: Case, *, days: int, reason: str, by, unit: Unit | None = None) -> Case:
    case = _locked(case)
    if not 1 <= days <= MAX_EXTENSION_WORKDAYS:
        raise DomainError(f"延期天数应为1至{MAX_EXTENSION_WORKDAYS}个工作日。", field="days")
    if not reason.strip():
        raise DomainError("请填写延期理由。", field="reason")
    if case.due_at and timezone.now() > case.due_at:
        raise DomainError("已超过办结期限，不能再申请延期。")
    if case.events.filter(action="request_extension", data__pending=True).exists():
        raise DomainError("已有待审批的延期申请。")
    transition(case, "request_extension", by=by, unit=unit, note=reason.strip(), data={"days": days, "pending": True})
    return case


@transaction.atomic
def decide_extension(case: Case, *, approve: bool, note: str = "", by) -> Case:
    case = _locked(case)
    pending = case.events.filter(action="request_extension", data__pending=True).order_by("-at").first()
    if pending is None:
        raise DomainError("没有待审批的延期申请。")
    pending.data = {**pending.data, "pending": False, "approved": approve}
    pending.save(update_fields=["data"])
    fields: tuple[str, ...] = ()
    if approve:
        case.extension_days += pending.data["days"]
        fields = ("extension_days", *_refresh_clock(case))
    transition(
        case,
        "decide_extension",
        by=by,
        note=note or ("同意延期" if approve else "不同意延期"),
        data={"approved": approve, "days": pending.data["days"]},
        fields=fields,
    )
    return case


@transaction.atomic
def finish_case(case: Case, *, result: str, reply: str, by, unit: Unit | None = None) -> Case:
    if result not in Result.values:
        raise DomainError("请选择办理结果。", field="result")
    if not reply.strip():
        raise DomainError("请填写对群众的答复。", field="reply")
    case = _locked(case)
    _require_lead(case, unit)
    case.result, case.reply, case.finished_at, case.next_alert_at = result, reply.strip(), timezone.now(), None
    transition(
        case,
        "finish",
        by=by,
        unit=case.lead_unit,
        note=Result(result).label,
        fields=("result", "reply", "finished_at", "next_alert_at"),
    )
    return case


@transaction.atomic
def verify_case(case: Case, *, passed: bool, note: str = "", by) -> Case:
    """核查: the reporting grid worker confirms on site, or sends the case back to the handling unit."""
    case = _locked(case)
    if passed:
        transition(case, "verify", by=by, note=note or "现场核查，已处置")
    else:
        if not note.strip():
            raise DomainError("退回时请说明现场情况。", field="note")
        case.finished_at, case.result = None, ""
        fields = ("finished_at", "result", *_refresh_clock(case))
        transition(case, "send_back", by=by, note=note.strip(), fields=fields)
    return case


@transaction.atomic
def withdraw_case(case: Case, *, reason: str = "", by=None) -> Case:
    case = _locked(case)
    case.next_alert_at = None
    transition(case, "withdraw", by=by, note=reason or "申请人撤回", fields=("next_alert_at",))
    return case


@transaction.atomic
def archive_case(case: Case, *, by=None) -> Case:
    case = _locked(case)
    transition(case, "archive", by=by)
    return case


def overdue_workdays(case: Case, now: datetime | None = None) -> int:
    now = now or timezone.now()
    if case.due_at is None or now <= case.due_at:
        return 0
    return workdays_between(timezone.localdate(case.due_at), timezone.localdate(now)).value


RECTIFY_WORKDAYS = 5


@transaction.atomic
def rate_case(case: Case, *, score: int, comment: str = "", by=None) -> Case:
    """好差评 by the requester (1–5). A 差评 (1–2) opens a rectification with a deadline."""
    if score not in (1, 2, 3, 4, 5):
        raise DomainError("评分应为1至5。", field="score")
    case = _locked(case)
    if case.evaluations.filter(kind=Evaluation.Kind.REQUESTER).exists():
        raise DomainError("该办件已评价，不能重复评价。")
    evaluation = Evaluation.objects.create(
        case=case,
        kind=Evaluation.Kind.REQUESTER,
        score=score,
        comment=comment,
        unit=case.lead_unit,
        by=by if getattr(by, "pk", None) else None,
    )
    transition(case, "rate", by=by, note=f"{score}分 {comment}".strip(), data={"score": score})
    if evaluation.is_bad:
        due = add_workdays_from_today(RECTIFY_WORKDAYS)
        Rectification.objects.create(case=case, due_on=due)
    return case


def add_workdays_from_today(days: int) -> date:
    return add_workdays(_today(), days).value


@transaction.atomic
def rectify_case(case: Case, *, note: str, by) -> Case:
    if not note.strip():
        raise DomainError("请填写整改情况。", field="note")
    rectification = getattr(case, "rectification", None)
    if rectification is None or rectification.done_at:
        raise DomainError("该办件没有待完成的整改。")
    rectification.done_note, rectification.done_at = note.strip(), timezone.now()
    rectification.save(update_fields=["done_note", "done_at"])
    return case


@transaction.atomic
def rate_follow_up(case: Case, *, score: int, comment: str = "", by=None) -> Case:
    """The one follow-up rating after a rectification."""
    rectification = getattr(case, "rectification", None)
    if rectification is None or rectification.done_at is None:
        raise DomainError("整改完成后才能复评。")
    if score not in (1, 2, 3, 4, 5):
        raise DomainError("评分应为1至5。", field="score")
    if case.evaluations.filter(kind=Evaluation.Kind.FOLLOW_UP).exists():
        raise DomainError("整改后只能复评一次。")
    Evaluation.objects.create(
        case=case,
        kind=Evaluation.Kind.FOLLOW_UP,
        score=score,
        comment=comment,
        unit=case.lead_unit,
        by=by if getattr(by, "pk", None) else None,
    )
    return case


@transaction.atomic
def reverse_evaluate(case: Case, *, response: int, quality: int, cooperation: int, comment: str = "", by) -> Case:
    """反向评价: the township rates the county department that handled its 乡呼 (1–5 each)."""
    scores = (response, quality, cooperation)
    if any(s not in (1, 2, 3, 4, 5) for s in scores):
        raise DomainError("各项评分应为1至5。", field="response")
    if case.channel not in (Channel.TOWNSHIP_CALL, Channel.GRID):
        raise DomainError("只有乡呼县应的办件才能反向评价县直部门。")
    if case.status not in (Status.FINISHED, Status.VERIFIED, Status.RATED, Status.ARCHIVED):
        raise DomainError("办结后才能反向评价。")
    if case.evaluations.filter(kind=Evaluation.Kind.REVERSE).exists():
        raise DomainError("该办件已反向评价。")
    Evaluation.objects.create(
        case=case,
        kind=Evaluation.Kind.REVERSE,
        score=round(sum(scores) / 3),
        response_score=response,
        quality_score=quality,
        cooperation_score=cooperation,
        unit=case.lead_unit,
        comment=comment,
        by=by,
    )
    return case


@transaction.atomic
def reopen_case(case: Case, *, reason: str, by) -> Case:
    """重办 after a bad rating or result: a new case linked to the old one, sent to the same unit with the same
    limit and counted separately; the old case records it, and a case is re-opened only once."""
    if not reason.strip():
        raise DomainError("请填写重办原因。", field="reason")
    case = _locked(case)
    if case.reopenings.exists():
        raise DomainError(f"该办件已重办（{case.reopenings.first().code}），请在重办件上继续办理。")
    again, _ = register_case(
        channel=case.channel,
        title=f"【重办】{case.title}",
        text=f"{reason.strip()}\n原办件：{case.code}\n{case.text}",
        by=by,
        unit=case.registered_unit,
        matter=case.matter,
        township=case.township,
        village=case.village,
        address=case.address,
        requester_name=case.requester_name,
        requester_phone=case.requester_phone,
        route=False,  # 重办 goes back to the unit that handled it, below
    )
    again.reopened_from, again.limit_days = case, case.limit_days
    again.save(update_fields=["reopened_from", "limit_days"])
    transition(case, "reopen", by=by, note=f"{reason.strip()}（重办件{again.code}）", data={"case": again.pk})
    return dispatch_case(again, by=by, unit=case.lead_unit, note="重办")


MAX_PHOTOS = 6


@transaction.atomic
def attach_photos(case: Case, photos, *, by=None) -> list:
    """Attach checked photos to a case (all or none)."""
    photos = list(photos)
    if len(photos) + case.attachments.count() > MAX_PHOTOS:
        raise DomainError(f"每件最多上传{MAX_PHOTOS}张照片。", field="photos")
    checked = [(p, check_photo(p)) for p in photos]
    return [
        Attachment.objects.create(
            case=case, file=p, content_type=t, size=p.size, uploaded_by=by if getattr(by, "pk", None) else None
        )
        for p, t in checked
    ]


REQUESTER_FIELDS = ("requester_name", "requester_phone", "requester_id_number", "requester_address")


def reveal_requester(case: Case, *, by) -> dict[str, str]:
    """The requester's full contact details, for those who must reach them; every look is logged."""
    if not permissions.can_see_requester(by, case):
        raise PermissionDenied("您没有查看该办件申请人完整信息的权限。")
    log_operation(by, "查看办件申请人信息", case, detail="姓名、联系电话、身份证号、联系地址")
    return {field: getattr(case, field) for field in REQUESTER_FIELDS}
