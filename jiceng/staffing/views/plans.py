from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import require_perm
from jiceng.accounts.roles import Perm
from jiceng.lib.errors import DomainError
from jiceng.lib.forms import run_action
from jiceng.orgs.models import Unit

from .. import plans as plan_actions
from ..access import get_plan_for_user
from ..forms import AdjustmentForm, OverrideForm, PlanForm, SourceForm, TargetForm
from ..models import PlanStatus, QuotaKind, ReorgPlan

SHORT_LABELS = {
    QuotaKind.ADMINISTRATIVE: "行政",
    QuotaKind.INSTITUTIONAL: "事业",
    QuotaKind.SERVICE: "工勤",
    QuotaKind.LEADER_CHIEF: "正职",
    QuotaKind.LEADER_DEPUTY: "副职",
}
TRANSITION_LABELS = {
    PlanStatus.SUBMITTED: "提交审批",
    PlanStatus.APPROVED: "批准",
    PlanStatus.DRAFT: "退回修改",
    PlanStatus.REVOKED: "撤销方案",
}


@require_perm(Perm.VIEW_STAFFING)
def plans(request):
    qs = ReorgPlan.objects.visible_to(request.user).select_related("region", "created_by")
    return render(request, "staffing/plans.html", {"plans": qs, "can_draft": request.user.can(Perm.REQUEST_STAFFING)})


@require_perm(Perm.REQUEST_STAFFING)
def plan_new(request):
    form = PlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        plan = run_action(form, plan_actions.create_plan, by=request.user, **form.cleaned_data)
        if plan:
            messages.success(request, "方案已创建。请添加改革后单位和原单位。")
            return redirect(plan)
    return render(request, "staffing/plan_form.html", {"form": form, "title": "拟定机构改革方案"})


def _units_for(plan, user):
    region = plan.region
    units = Unit.objects.visible_to(user).active().select_related("region")
    return units.filter(region__code__startswith=region.code[: {3: 6, 4: 9}.get(region.level, 12)]).order_by("path")


@require_perm(Perm.VIEW_STAFFING)
def plan_detail(request, pk):
    plan = get_plan_for_user(request.user, pk)
    user = request.user
    can_edit = plan.editable and user.can(Perm.REQUEST_STAFFING)
    can_manage = user.can(Perm.MANAGE_STAFFING)
    units = _units_for(plan, user)
    forms = {}
    if request.method == "POST" and request.POST.get("form") == "document_no":
        plan = get_plan_for_user(user, pk, manage=True)
        document_no = request.POST.get("document_no", "").strip()
        try:
            plan_actions.update_plan(plan, document_no=document_no, by=user)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "批准文号已填写。")
        return redirect(plan)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("方案不在草稿状态，或您没有修改方案的权限。")
        plan = get_plan_for_user(user, pk, write=True)
        what = request.POST.get("form")
        handlers = {
            "plan": (PlanForm, {"user": user}, _update_plan),
            "target": (TargetForm, {"units": units}, _add_target),
            "source": (SourceForm, {"units": units, "plan": plan}, _add_source),
            "override": (OverrideForm, {"plan": plan}, _override),
            "adjustment": (AdjustmentForm, {"plan": plan}, _adjust),
        }
        if what in handlers:
            form_class, kwargs, handler = handlers[what]
            form = form_class(request.POST, prefix=what, **kwargs)
            if form.is_valid() and run_action(form, handler, plan, form.cleaned_data, user) is not None:
                messages.success(request, "已保存。")
                return redirect(plan)
            forms[what] = form
    if can_edit:
        forms.setdefault(
            "plan",
            PlanForm(
                prefix="plan",
                user=user,
                initial={
                    "name": plan.name,
                    "region": plan.region,
                    "effective_on": plan.effective_on,
                    "document_no": plan.document_no,
                    "note": plan.note,
                },
            ),
        )
        forms.setdefault("target", TargetForm(prefix="target", units=units))
        forms.setdefault("source", SourceForm(prefix="source", units=units, plan=plan))
        forms.setdefault("override", OverrideForm(prefix="override", plan=plan))
        forms.setdefault("adjustment", AdjustmentForm(prefix="adjustment", plan=plan))
    errors = plan_actions.validate_plan(plan) if plan.status not in (PlanStatus.EXECUTED, PlanStatus.REVOKED) else []
    if plan.status == PlanStatus.EXECUTED and plan.executed_preview:
        preview = plan_actions.Preview.from_snapshot(plan.executed_preview)  # as it was on the day
    else:
        preview = plan_actions.preview_plan(plan)
    drafter_steps = {PlanStatus.SUBMITTED, PlanStatus.REVOKED} if plan.status == PlanStatus.DRAFT else set()
    transitions = [
        (to, TRANSITION_LABELS[to])
        for to in sorted(plan_actions.PLAN_TRANSITIONS[plan.status])
        if to in TRANSITION_LABELS and (can_manage or (can_edit and to in drafter_steps))
    ]
    return render(
        request,
        "staffing/plan_detail.html",
        {
            "plan": plan,
            "forms": forms,
            "can_edit": can_edit,
            "can_manage": can_manage,
            "errors": errors,
            "preview": preview,
            "transitions": transitions,
            "kind_labels": [(k, SHORT_LABELS[k]) for k in preview.kinds],
            "before_totals": preview.totals("before"),
            "after_totals": preview.totals("after"),
            "sources": plan.sources.select_related("unit", "target"),
            "targets": plan.targets.select_related("unit", "parent", "created_unit"),
            "overrides": plan.person_overrides.select_related("person", "target"),
            "adjustments": plan.adjustments.select_related("target"),
            "events": plan.events.select_related("by"),
        },
    )


def _update_plan(plan, d, user):
    return plan_actions.update_plan(plan, by=user, **d)


def _add_target(plan, d, user):
    return plan_actions.add_target(
        plan,
        unit=d["unit"],
        name=d["name"],
        kind=d["kind"],
        parent=d["parent"],
        leader_chief=d["leader_chief"],
        leader_deputy=d["leader_deputy"],
        by=user,
    )


def _add_source(plan, d, user):
    existing = plan.sources.filter(unit=d["unit"]).first()
    if existing:
        return plan_actions.map_source(
            existing, target=d["target"], keep_name_as_plaque=d["keep_name_as_plaque"], by=user
        )
    return plan_actions.add_source(
        plan, d["unit"], target=d["target"], keep_name_as_plaque=d["keep_name_as_plaque"], by=user
    )


def _override(plan, d, user):
    plan_actions.place_person(plan, d["person"], target=d["target"], by=user)
    return True


def _adjust(plan, d, user):
    return plan_actions.add_adjustment(
        plan, d["target"], kind=d["kind"], delta=d["delta"], reason=d["reason"], document_no=d["document_no"], by=user
    )


@require_POST
@require_perm(Perm.REQUEST_STAFFING)
def plan_remove(request, pk, what, item):
    plan = get_plan_for_user(request.user, pk, write=True)
    try:
        if what == "target":
            plan_actions.remove_target(get_object_or_404(plan.targets, pk=item), by=request.user)
        elif what == "source":
            plan_actions.remove_source(get_object_or_404(plan.sources, pk=item), by=request.user)
        elif what == "override":
            override = get_object_or_404(plan.person_overrides, pk=item)
            plan_actions.place_person(plan, override.person, target=None, by=request.user)
        elif what == "adjustment":
            plan_actions.remove_adjustment(get_object_or_404(plan.adjustments, pk=item), by=request.user)
    except DomainError as e:
        messages.error(request, e.message)
    return redirect(plan)


@require_POST
@require_perm(Perm.REQUEST_STAFFING)
def plan_transition(request, pk, to):
    if to not in TRANSITION_LABELS:
        raise PermissionDenied
    plan = get_plan_for_user(request.user, pk)
    # Drafters submit (or drop) their own draft; everything after that is the staffing office's.
    drafter_step = plan.status == PlanStatus.DRAFT and to in (PlanStatus.SUBMITTED, PlanStatus.REVOKED)
    plan = get_plan_for_user(request.user, pk, write=drafter_step, manage=not drafter_step)
    try:
        plan_actions.set_plan_status(plan, to, note=request.POST.get("note", ""), by=request.user)
    except DomainError as e:
        for line in e.message.splitlines():
            messages.error(request, line)
    else:
        messages.success(request, f"方案状态已改为“{PlanStatus(to).label}”。")
    return redirect(plan)


@require_POST
@require_perm(Perm.MANAGE_STAFFING)
def plan_execute(request, pk):
    plan = get_plan_for_user(request.user, pk, manage=True)
    try:
        plan_actions.execute_plan(plan, by=request.user)
    except DomainError as e:
        for line in e.message.splitlines():
            messages.error(request, line)
    else:
        messages.success(request, "方案已实施：原单位已并入改革后单位，编制和人员已划转。")
    return redirect(plan)
