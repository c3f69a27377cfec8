from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import require_perm
from jiceng.accounts.roles import Perm
from jiceng.lib.forms import querystring_base, run_action
from jiceng.orgs.access import get_person_for_user
from jiceng.orgs.models import Unit

from .. import actions
from ..access import get_request_for_user, requesting_units
from ..forms import DecisionForm, EnterForm, ExitForm, RequestForm, TransferForm
from ..models import HiringRequest, Placement
from ..seats import account_seats


@require_perm(Perm.VIEW_STAFFING)
def requests(request):
    qs = HiringRequest.objects.visible_to(request.user).select_related("unit", "requested_by", "decided_by")
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(unit__name__icontains=q) | qs.filter(purpose__icontains=q) | qs.filter(number__icontains=q)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "staffing/requests.html",
        {
            "page": page,
            "status": status,
            "q": q,
            "statuses": HiringRequest.Status.choices,
            "querystring_base": querystring_base(request),
            "can_request": request.user.can(Perm.REQUEST_STAFFING),
        },
    )


@require_perm(Perm.REQUEST_STAFFING)
def request_new(request):
    form = RequestForm(request.POST or None, user=request.user, initial={"unit": request.GET.get("unit")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        created = run_action(
            form,
            actions.submit_hiring_request,
            d["unit"],
            kind=d["kind"],
            seats=d["seats"],
            purpose=d["purpose"],
            channel=d["channel"],
            by=request.user,
        )
        if created:
            messages.success(request, "用编申请已提交，待县编办核准。")
            return redirect(created)
    return render(request, "staffing/request_form.html", {"form": form})


@require_perm(Perm.VIEW_STAFFING)
def request_detail(request, pk):
    req = get_request_for_user(request.user, pk)
    manage = request.user.can(Perm.MANAGE_STAFFING)
    seats = account_seats(actions.get_account(req.unit, req.kind), req.decided_on or req.requested_on)
    can_withdraw = req.status in (HiringRequest.Status.PENDING, HiringRequest.Status.APPROVED) and (
        requesting_units(request.user).filter(pk=req.unit_id).exists()
    )
    return render(
        request,
        "staffing/request_detail.html",
        {
            "can_withdraw": can_withdraw,
            "req": req,
            "seats": seats,
            "can_manage": manage,
            "decision_form": DecisionForm(),
            "enter_form": EnterForm(user=request.user, request=req) if manage else None,
            "placements": req.placements.select_related("person"),
        },
    )


@require_POST
@require_perm(Perm.MANAGE_STAFFING)
def request_decide(request, pk, decision):
    req = get_request_for_user(request.user, pk, decide=True)
    form = DecisionForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    if decision not in ("approve", "refuse"):
        raise PermissionDenied
    if decision == "approve":
        done = run_action(form, actions.approve_hiring_request, req, note=note, by=request.user)
        if done and done.status == HiringRequest.Status.APPROVED:
            messages.success(request, f"已核准，编号{done.number}，有效期至{done.expires_on:%Y年%m月%d日}。")
        elif done:
            messages.error(request, done.decision_note)
    elif decision == "refuse":
        done = run_action(form, actions.refuse_hiring_request, req, note=note, by=request.user)
        if done:
            messages.info(request, "已不予核准。")
    for error in form.non_field_errors() + [e for errs in form.errors.values() for e in errs]:
        messages.error(request, error)
    return redirect(req)


@require_POST
@require_perm(Perm.REQUEST_STAFFING)
def request_withdraw(request, pk):
    req = get_request_for_user(request.user, pk, write=True)
    form = DecisionForm()
    if run_action(form, actions.withdraw_hiring_request, req, by=request.user):
        messages.info(request, "已撤回，预留的编制已释放。")
    for error in form.non_field_errors():
        messages.error(request, error)
    return redirect(req)


@require_POST
@require_perm(Perm.MANAGE_STAFFING)
def request_enter(request, pk):
    req = get_request_for_user(request.user, pk, decide=True)
    form = EnterForm(request.POST, user=request.user, request=req)
    if form.is_valid():
        d = form.cleaned_data
        if d["person"]:
            done = run_action(
                form, actions.enter_person, req, d["person"], on=d["on"], document_no=d["document_no"], by=request.user
            )
        else:
            done = run_action(
                form,
                actions.new_person_and_enter,
                req,
                on=d["on"],
                document_no=d["document_no"],
                by=request.user,
                name=d["name"],
                id_number=d["id_number"],
                work_unit=d["work_unit"] or req.unit,
            )
        if done:
            messages.success(request, f"{done.person.name}已进编。")
            return redirect(req)
    return render(
        request,
        "staffing/request_detail.html",
        {
            "req": req,
            "can_manage": True,
            "decision_form": DecisionForm(),
            "enter_form": form,
            "seats": account_seats(actions.get_account(req.unit, req.kind), req.decided_on or req.requested_on),
            "placements": req.placements.select_related("person"),
        },
        status=400,
    )


@require_perm(Perm.VIEW_STAFFING)
def request_print(request, pk):
    req = get_request_for_user(request.user, pk)
    if req.status not in (HiringRequest.Status.APPROVED, HiringRequest.Status.USED):
        messages.error(request, "只有已核准的申请才能打印核准使用编制通知单。")
        return redirect(req)
    seats = account_seats(actions.get_account(req.unit, req.kind), req.decided_on)
    return render(
        request,
        "staffing/request_print.html",
        {"req": req, "seats": seats, "office_name": settings.STAFFING_OFFICE_NAME},
    )


@require_perm(Perm.VIEW_STAFFING)
def person(request, pk):
    p = get_person_for_user(request.user, pk)
    manage = (
        request.user.can(Perm.MANAGE_STAFFING)
        and Unit.objects.visible_to(request.user, Perm.MANAGE_STAFFING)
        .filter(pk__in=[p.work_unit_id, p.quota_unit_id])
        .exists()
    )
    exit_form = ExitForm(prefix="exit")
    transfer_form = TransferForm(prefix="transfer", user=request.user)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("您没有办理出编、调动的权限。")
        if "exit-reason" in request.POST:
            exit_form = ExitForm(request.POST, prefix="exit")
            if exit_form.is_valid():
                d = exit_form.cleaned_data
                if run_action(
                    exit_form,
                    actions.exit_person,
                    p,
                    on=d["on"],
                    reason=d["reason"],
                    document_no=d["document_no"],
                    by=request.user,
                ):
                    messages.success(request, f"{p.name}已出编。")
                    return redirect("staffing:person", p.pk)
        else:
            transfer_form = TransferForm(request.POST, prefix="transfer", user=request.user)
            if transfer_form.is_valid():
                d = transfer_form.cleaned_data
                if run_action(
                    transfer_form,
                    actions.transfer_person,
                    p,
                    to_unit=d["to_unit"],
                    on=d["on"],
                    request=d["request"],
                    document_no=d["document_no"],
                    move_work_unit=d["move_work_unit"],
                    by=request.user,
                ):
                    messages.success(request, f"{p.name}已调入{d['to_unit'].name}。")
                    return redirect("staffing:person", p.pk)
    placements = Placement.objects.filter(person=p).select_related("unit", "request", "plan").order_by("start_on", "id")
    return render(
        request,
        "staffing/person.html",
        {
            "person": p,
            "placements": placements,
            "can_manage": manage,
            "exit_form": exit_form,
            "transfer_form": transfer_form,
            "open": placements.filter(end_on__isnull=True).first(),
        },
    )
