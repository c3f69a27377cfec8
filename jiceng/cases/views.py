"""Case pages: the case with its actions, the unit workbench, the command centre queue, the window desk
and the township's 乡呼."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import require_perm
from jiceng.accounts.roles import Perm
from jiceng.catalog.lists import service_items
from jiceng.catalog.models import Matter
from jiceng.catalog.resolve import Unresolvable, resolve
from jiceng.lib.errors import DomainError
from jiceng.lib.excel import xlsx_response
from jiceng.lib.forms import querystring_base, show_error
from jiceng.lib.paging import CappedPaginator
from jiceng.orgs.models import Region, Unit

from . import actions, figures, permissions, queues, search
from .access import get_case_for_user
from .forms import (
    DispatchForm,
    ExtensionForm,
    FinishForm,
    GridReportForm,
    ReasonForm,
    SupplementForm,
    TownshipCallForm,
    WindowForm,
)
from .models import CLOSED_STATUSES, Case, CaseEvent, Channel, Evaluation, Rating, Status

PAGE = 30


@require_perm(Perm.VIEW_CASES)
def case(request, pk):
    c = get_case_for_user(request.user, pk)
    user = request.user
    pending_extension = c.events.filter(action="request_extension", data__pending=True).first()
    evaluations = {e.kind: e for e in c.evaluations.all()}
    rectification = getattr(c, "rectification", None)
    closed = c.status in CLOSED_STATUSES
    offer = {  # what the registering side (受理与回访) can do now
        "reject": c.status == Status.REGISTERED,
        "withdraw": c.is_open,
        "resume_intake": c.status == Status.PAUSED and not c.lead_unit_id,
        "rate": c.status in (Status.FINISHED, Status.VERIFIED) and Evaluation.Kind.REQUESTER not in evaluations,
        "follow_up": bool(rectification and rectification.done_at) and Evaluation.Kind.FOLLOW_UP not in evaluations,
        "reverse": closed
        and c.channel in (Channel.TOWNSHIP_CALL, Channel.GRID)
        and bool(c.lead_unit_id)
        and Evaluation.Kind.REVERSE not in evaluations,
    }
    return render(
        request,
        "cases/case.html",
        {
            "case": c,
            "events": c.events.select_related("by", "unit"),
            "tasks": c.tasks.select_related("unit"),
            "attachments": c.attachments.all(),
            "handles": permissions.handles(user, c),
            "my_task": permissions.cooperating_task(user, c) if c.is_open else None,
            "dispatches": user.can(Perm.DISPATCH_CASES),
            "registers": permissions.acts_for_requester(user, c) and any(offer.values()),
            "offer": offer,
            "can_reveal": permissions.can_see_requester(user, c) and bool(c.requester_name or c.requester_phone),
            "reporter": c.registered_by_id == user.pk,
            "pending_extension": pending_extension,
            "rated": evaluations.get(Evaluation.Kind.REQUESTER),
            "follow_up": evaluations.get(Evaluation.Kind.FOLLOW_UP),
            "reverse": evaluations.get(Evaluation.Kind.REVERSE),
            "rectification": rectification,
            "supplemented": c.events.filter(action="supplement").exists(),
            "ratings": Rating.choices,
            "merged_cases": c.merged_cases.all(),
            "reopened": c.reopenings.first(),
            "forms": {
                "dispatch": DispatchForm(),
                "reason": ReasonForm(),
                "finish": FinishForm(),
                "supplement": SupplementForm(),
                "extension": ExtensionForm(),
            },
        },
    )


def _score(post, name: str) -> int:
    value = post.get(name, "")
    if not value.isdigit():
        raise DomainError("请选择评分（1至5分）。", field=name)
    return int(value)


def _merge_target(user, post) -> Case:
    code = post.get("into", "").strip().upper()
    target = Case.objects.visible_to(user).filter(code=code).first() if code else None
    if target is None:
        raise DomainError(f"找不到查询码为“{code}”的办件。" if code else "请填写合并到的办件查询码。", field="into")
    return target


def _do(request, c: Case, name: str):
    """Run one action from the case page; who may do what is decided here, the rules in the actions."""
    user, post = request.user, request.POST
    handler = {
        "sign": lambda: actions.sign_case(c, by=user, unit=c.lead_unit),
        "return": lambda: actions.return_case(c, reason=post.get("reason", ""), by=user),
        "supplement": lambda: actions.request_supplement(
            c, missing=post.get("missing", "").splitlines(), by=user, unit=c.lead_unit
        ),
        "resume": lambda: actions.resume_case(c, by=user, unit=c.lead_unit),
        "resume_intake": lambda: actions.resume_case(c, by=user, unit=c.registered_unit),
        "extension": lambda: actions.request_extension(
            c, days=int(post.get("days") or 0), reason=post.get("reason", ""), by=user, unit=c.lead_unit
        ),
        "finish": lambda: actions.finish_case(c, result=post.get("result", ""), reply=post.get("reply", ""), by=user),
        "dispatch": lambda: actions.dispatch_case(
            c,
            by=user,
            unit=Unit.objects.filter(pk=post.get("unit") or 0).first(),
            matter=Matter.objects.filter(code=post.get("matter") or "").first(),
            designate=bool(post.get("designate")),
        ),
        "reassign": lambda: actions.reassign_case(
            c,
            unit=Unit.objects.filter(pk=post.get("unit") or 0).first(),
            matter=Matter.objects.filter(code=post.get("matter") or "").first(),
            reason=post.get("reason", ""),
            by=user,
        ),
        "merge": lambda: actions.merge_case(c, into=_merge_target(user, post), by=user),
        "not_duplicate": lambda: actions.dismiss_duplicate(c, by=user),
        "archive": lambda: actions.archive_case(c, by=user),
        "reopen": lambda: actions.reopen_case(c, reason=post.get("reason", ""), by=user),
        "withdraw": lambda: actions.withdraw_case(c, reason=post.get("reason", ""), by=user),
        "rate": lambda: actions.rate_case(c, score=_score(post, "score"), comment=post.get("comment", ""), by=user),
        "follow_up": lambda: actions.rate_follow_up(
            c, score=_score(post, "score"), comment=post.get("comment", ""), by=user
        ),
        "reverse_evaluate": lambda: actions.reverse_evaluate(
            c,
            response=_score(post, "response"),
            quality=_score(post, "quality"),
            cooperation=_score(post, "cooperation"),
            comment=post.get("comment", ""),
            by=user,
        ),
        "rectify": lambda: actions.rectify_case(c, note=post.get("note", ""), by=user),
        "task_report": lambda: actions.report_task(
            c, unit=permissions.cooperating_task(user, c).unit, note=post.get("note", ""), by=user
        ),
        "approve_extension": lambda: actions.decide_extension(c, approve=True, by=user),
        "refuse_extension": lambda: actions.decide_extension(c, approve=False, by=user),
        "reject": lambda: actions.reject_case(c, reason=post.get("reason", ""), by=user),
        "verify": lambda: actions.verify_case(c, passed=True, by=user),
        "send_back": lambda: actions.verify_case(c, passed=False, note=post.get("reason", ""), by=user),
    }
    if name not in handler:
        raise PermissionDenied
    permissions.check_action(user, c, name)
    return handler[name]()


@require_POST
@require_perm(Perm.VIEW_CASES)
def reveal_requester(request, pk):
    """The requester's full contact details, for those who call back (logged in 操作日志)."""
    c = get_case_for_user(request.user, pk)
    return render(request, "cases/requester_full.html", {"r": actions.reveal_requester(c, by=request.user)})


@require_POST
@require_perm(Perm.VIEW_CASES)
def case_action(request, pk, name):
    c = get_case_for_user(request.user, pk)
    try:
        _do(request, c, name)
    except DomainError as e:
        messages.error(request, e.message)
    except ValueError:
        messages.error(request, "输入的数字不正确。")
    else:
        messages.success(request, "已办理。")
        if not Case.objects.visible_to(request.user).filter(pk=c.pk).exists():
            # e.g. a 退单: the case has left the unit's hands, so its page is no longer the unit's to see.
            return redirect("cases:workbench" if request.user.can(Perm.HANDLE_CASES) else "cases:list")
    return redirect(c)


@require_perm(Perm.VIEW_CASES)
def case_list(request):
    """All cases in the user's data scope: search, filters, pagination and Excel export (masked contacts)."""
    form = search.CaseFilterForm(request.GET or None, units=Unit.objects.visible_to(request.user, Perm.VIEW_CASES))
    qs = Case.objects.visible_to(request.user)
    if form.is_valid():
        qs = search.filter_cases(qs, form.cleaned_data)
    elif form.is_bound:
        qs = qs.none()
    qs = qs.order_by("-created_at", "-id")
    if request.GET.get("export") == "xlsx":
        return xlsx_response("办件清单.xlsx", "办件", search.EXPORT_HEADERS, search.export_rows(qs))
    page = CappedPaginator(qs.select_related("matter_version", "township", "lead_unit"), PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cases/list.html",
        {
            "form": form,
            "page": page,
            "now": timezone.now(),
            "export_limit": search.EXPORT_LIMIT,
            "querystring_base": querystring_base(request),
        },
    )


@require_perm(Perm.HANDLE_CASES)
def workbench(request):
    """待签收, 办理中, 即将超期, 已超期 for the user's units, with counts."""
    now = timezone.now()
    tabs = queues.workbench_queues(request.user, now)
    tab = request.GET.get("tab") if request.GET.get("tab") in tabs else "signing"
    counts = {key: q.cases.count() for key, q in tabs.items()}
    page = Paginator(tabs[tab].cases.select_related("lead_unit", "township").order_by("due_at", "id"), PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cases/workbench.html",
        {
            "tabs": [(k, q.label, counts[k]) for k, q in tabs.items()],
            "tab": tab,
            "page": page,
            "now": now,
            "querystring_base": querystring_base(request),
        },
    )


@require_perm(Perm.DISPATCH_CASES)
def command_centre(request):
    """Undispatched cases with the catalog's suggested lead unit, returns to handle, extension requests."""
    queue = (
        Case.objects.filter(status__in=[Status.REGISTERED, Status.RETURNED, Status.ACCEPTED])  # partial index
        .exclude(status=Status.ACCEPTED, is_service=True)
        .select_related("matter", "matter_version", "township")
        .order_by("created_at", "id")
    )
    page = CappedPaginator(queue, COMMAND_PAGE).get_page(request.GET.get("page"))
    rows = []
    today = timezone.localdate()
    for c in page:
        suggestion = reason = None
        if c.matter and c.township:
            try:
                suggestion = resolve(c.matter, c.township, today).lead.unit
            except Unresolvable as e:
                reason = e.message
        rows.append((c, suggestion, reason))
    extensions = Case.objects.filter(
        pk__in=CaseEvent.objects.filter(action="request_extension", data__pending=True).values("case_id")
    ).select_related("lead_unit")
    duplicates = (
        Case.objects.open()
        .filter(duplicate_of__isnull=False)
        .select_related("duplicate_of", "township", "village")
        .order_by("created_at")[:100]
    )
    return render(
        request,
        "cases/command_centre.html",
        {
            "rows": rows,
            "page": page,
            "querystring_base": querystring_base(request),
            "extensions": extensions,
            "duplicates": duplicates,
            "routing": figures.routing_figures(),
        },
    )


COMMAND_PAGE = 50  # the oldest first: what waits longest is dispatched first


@require_perm(Perm.REGISTER_CASES)
def window(request):
    """Window desk: find the service item, tick the materials brought, register and print the receipt."""
    unit = permissions.registering_unit(request.user)
    q = request.GET.get("q", "").strip()
    items = service_items(timezone.localdate(), q)[:20] if q else []
    matters = Matter.objects.filter(versions__list_kind="政务服务").distinct()
    form = WindowForm(request.POST or None, matters=matters, initial={"matter": request.GET.get("matter")})
    chosen = None
    if request.GET.get("matter"):
        chosen = Matter.objects.filter(pk=request.GET["matter"]).first()
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        version = d["matter"].current_version()
        brought = set(request.POST.getlist("materials"))
        missing = [m for m in (version.material_list if version else []) if m not in brought]
        township = Region.objects.filter(pk=unit.region_id).first() if unit else None
        if township and township.level == 5:
            township = township.parent
        refuse = request.POST.get("decision") == "reject"
        try:
            with transaction.atomic():  # registered, accepted and routed together, or not at all
                c = _window_intake(request, d, unit, township, version, missing, refuse)
        except DomainError as e:
            show_error(form, e)
        else:
            if refuse:
                messages.success(request, f"已登记并决定不予受理，查询码{c.code}。")
                return redirect(reverse("cases:receipt", args=[c.pk]) + "?doc=rejection")
            messages.success(request, f"已受理，查询码{c.code}。" + ("已出具补正告知。" if missing else ""))
            return redirect("cases:receipt", c.pk)
    today = timezone.localdate()
    queue = Case.objects.filter(registered_unit=unit, created_at__date=today).order_by("-created_at") if unit else []
    return render(
        request,
        "cases/window.html",
        {
            "form": form,
            "items": items,
            "q": q,
            "chosen": chosen,
            "version": chosen.current_version() if chosen else None,
            "queue": queue,
            "unit": unit,
        },
    )


def _window_intake(request, d, unit, township, version, missing, refuse) -> Case:
    c, created = actions.register_case(
        channel=Channel.WINDOW,
        title=version.name if version else str(d["matter"]),
        text=d["note"] or "窗口受理",
        by=request.user,
        unit=unit,
        matter=d["matter"],
        township=township if township and township.level == 4 else None,
        requester_name=d["requester_name"],
        requester_phone=d["requester_phone"],
        requester_id_number=d["requester_id_number"],
        idempotency_key=request.POST.get("idempotency_key") or None,
    )
    if not created:  # the same form sent twice: the first one did the work
        return c
    if refuse:
        return actions.reject_case(c, reason=d["reason"], by=request.user)
    return actions.accept_case(c, by=request.user, unit=unit, missing=missing)


@require_perm(Perm.VIEW_CASES)
def receipt(request, pk):
    """The printed papers of a case: 受理回执, 补正告知书 (every missing material at once), 不予受理通知书."""
    c = get_case_for_user(request.user, pk)
    supplement = c.events.filter(action="supplement").first()
    rejection = c.events.filter(action="reject").first()
    default = "rejection" if rejection else "supplement" if supplement and c.status == Status.PAUSED else "receipt"
    doc = request.GET.get("doc", default)
    if (doc == "rejection" and not rejection) or (doc == "supplement" and not supplement) or doc not in NOTICES:
        doc = default
    return render(
        request,
        "cases/receipt.html",
        {
            "case": c,
            "doc": doc,
            "heading": NOTICES[doc],
            "missing": supplement.data.get("missing", []) if supplement else [],
            "rejection": rejection,
        },
    )


NOTICES = {"receipt": "受理回执", "supplement": "补正告知书", "rejection": "不予受理通知书"}


@require_perm(Perm.REGISTER_CASES)
def township_call(request):
    """乡呼: a township calls the county; the command centre dispatches by the catalog."""
    unit = permissions.registering_unit(request.user)
    township = unit.region if unit else None
    while township is not None and township.level > 4:
        township = township.parent
    matters = Matter.objects.exclude(versions__list_kind="政务服务").distinct()
    villages = Region.objects.filter(parent=township) if township else Region.objects.none()
    form = TownshipCallForm(request.POST or None, matters=matters, villages=villages)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            c, _ = actions.register_case(
                channel=Channel.TOWNSHIP_CALL,
                title=d["title"],
                text=d["text"],
                by=request.user,
                unit=unit,
                matter=d["matter"],
                township=township if township and township.level == 4 else None,
                village=d["village"],
                address=d["address"],
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, f"已呼叫，查询码{c.code}，等待指挥中心派单。")
            return redirect(c)
    mine = Case.objects.filter(channel=Channel.TOWNSHIP_CALL, registered_unit=unit).order_by("-created_at")[:20]
    return render(request, "cases/township_call.html", {"form": form, "mine": mine, "township": township})


@require_perm(Perm.REGISTER_CASES)
def grid(request):
    """The grid worker's page (for a phone): report with photos and place; my reports and their status."""
    unit = permissions.registering_unit(request.user)
    township = unit.region if unit else None
    while township is not None and township.level > 4:
        township = township.parent
    villages = Region.objects.filter(parent=township) if township else Region.objects.none()
    form = GridReportForm(request.POST or None, request.FILES or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                c, created = actions.register_case(
                    channel=Channel.GRID,
                    title=d["title"],
                    text=d["text"],
                    by=request.user,
                    unit=unit,
                    township=township if township and township.level == 4 else None,
                    village=d["village"],
                    address=d["address"],
                    latitude=d["latitude"],
                    longitude=d["longitude"],
                    idempotency_key=f"grid-{request.user.pk}-{d['token']}",
                )
                if created:
                    actions.attach_photos(c, request.FILES.getlist("photos"), by=request.user)
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, f"已上报，查询码{c.code}。")
            return redirect("cases:grid")
    mine = Case.objects.filter(registered_by=request.user).order_by("-created_at")[:30]
    return render(request, "cases/grid.html", {"form": form, "mine": mine, "township": township})


@require_perm(Perm.VIEW_CASES)
def leaders(request):
    """督办 list, on-time rate, average working days, working days saved, 一次办好 share, 三率, ranking."""
    visible = Case.objects.visible_to(request.user)
    since = timezone.localdate() - timedelta(days=365)
    units = figures.unit_figures(since, visible)
    late = [(c, actions.overdue_workdays(c)) for c in figures.overdue().filter(pk__in=visible.values("pk"))[:200]]
    return render(
        request,
        "cases/leaders.html",
        {
            "late": late,
            "totals": figures.totals(since, visible),
            "units": units,
            "ranking": figures.ranking(units),
            "since": since,
            "min_cases": figures.MIN_CASES_FOR_RANKING,
        },
    )
