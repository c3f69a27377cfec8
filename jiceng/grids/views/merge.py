"""多网合一 pages: the plans, a new plan (layers and township), a plan with its proposal, mapping, report and map;
submit (指挥中心), approve or return (县编办); the plan as a workbook."""

from __future__ import annotations

from functools import wraps
from io import BytesIO
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from jiceng.accounts.decorators import require_perm
from jiceng.accounts.roles import Perm
from jiceng.lib.errors import DomainError
from jiceng.lib.excel import XLSX
from jiceng.lib.forms import StyledForm, run_action
from jiceng.orgs.models import Region

from .. import merging
from ..merging import mu
from ..models import MergeIssue, MergeMapping, MergePlan, MergeStatus, MergeTarget


def _merge_viewer(view):
    """The command centre, which drafts plans, and the staffing office, which approves them."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (request.user.can(Perm.MANAGE_GRIDS) or request.user.can(Perm.APPROVE_GRID_MERGE)):
            raise PermissionDenied("您的角色没有此项权限。")
        return view(request, *args, **kwargs)

    return wrapped


class MergePlanForm(StyledForm, forms.Form):
    township = forms.ModelChoiceField(label="乡镇（街道）", queryset=Region.objects.none(), required=False)
    layers = forms.MultipleChoiceField(
        label="合并的部门网格图层",
        widget=forms.CheckboxSelectMultiple,
        help_text="用“导入网格”按图层导入的部门网格",
        error_messages={
            "required": "请选择至少一个部门网格图层。",
            "invalid_choice": "“%(value)s”不是在用的部门网格图层。",
        },
    )
    name = forms.CharField(label="方案名称", max_length=200, required=False, help_text="留空则按乡镇和图层命名")
    note = forms.CharField(label="方案说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, townships, layers, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["township"]
        if townships is None:  # a county-wide scope may also merge the whole county at once
            field.queryset, field.empty_label = Region.objects.filter(level=4), "全县"
            field.error_messages["invalid_choice"] = "请选择乡镇（街道），或留空表示全县。"
        else:
            field.queryset, field.required = townships, True
            field.error_messages["required"] = "您的数据范围不是全县，请选择乡镇（街道）。"
            field.error_messages["invalid_choice"] = "请选择您数据范围内的乡镇（街道）。"
        self.fields["layers"].choices = [(layer, layer) for layer in layers]


def _count(rows):
    """Rows of a plan's part per plan, as a subquery (joining three parts would multiply them)."""
    per_plan = rows.filter(plan=OuterRef("pk")).order_by().values("plan").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(per_plan), 0)


@_merge_viewer
def merge_plans(request):
    plans = (
        MergePlan.objects.visible_to(request.user)
        .select_related("township", "created_by")
        .annotate(
            new_grids=_count(MergeTarget.objects.filter(is_new=True)),
            sources=_count(MergeMapping.objects.filter(is_main=True) | MergeMapping.objects.filter(target=None)),
            problems=_count(MergeIssue.objects.all()),
        )
    )
    return render(request, "grids/merge_plans.html", {"plans": plans, "can_build": request.user.can(Perm.MANAGE_GRIDS)})


@require_perm(Perm.MANAGE_GRIDS)
def merge_new(request):
    form = MergePlanForm(
        request.POST or None,
        townships=merging.drafting_townships(request.user),
        layers=merging.departmental_layers(),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        plan = run_action(
            form,
            merging.build_merge_plan,
            layers=d["layers"],
            township=d["township"],
            name=d["name"],
            note=d["note"],
            by=request.user,
        )
        if plan:
            messages.success(request, "方案已生成，请核对对照表和问题清单后提交审批。")
            return redirect(plan)
    return render(request, "grids/merge_form.html", {"form": form})


def _feature(polygon, **properties) -> dict:
    return {"type": "Feature", "geometry": polygon, "properties": properties}


def _map_data(plan, targets, mappings, issues) -> dict:
    sources = {m.source_id: m.source for m in mappings if m.source_id}
    return {
        "targets": {
            "type": "FeatureCollection",
            "features": [_feature(t.polygon, code=t.code, name=t.name, new=t.is_new) for t in targets],
        },
        "sources": {
            "type": "FeatureCollection",
            "features": [_feature(g.polygon, code=g.code, name=g.name, layer=g.layer) for g in sources.values()],
        },
        "issues": {
            "type": "FeatureCollection",
            "features": [_feature(i.polygon, kind=i.kind, note=i.note) for i in issues if i.polygon],
        },
    }


@_merge_viewer
def merge_plan(request, pk):
    plan = merging.get_merge_plan_for_user(request.user, pk)
    user = request.user
    targets = list(plan.targets.select_related("village", "grid"))
    mappings = list(plan.mappings.select_related("village", "target", "source"))
    issues = list(plan.issues.select_related("village", "grid_a", "grid_b", "other_village"))
    by_kind = {kind: [i for i in issues if i.kind == kind] for kind in MergeIssue.Kind}
    can_submit = (
        plan.status == MergeStatus.DRAFT and merging.plans_in_scope(user, Perm.MANAGE_GRIDS).filter(pk=plan.pk).exists()
    )
    can_decide = (
        plan.status == MergeStatus.SUBMITTED
        and merging.plans_in_scope(user, Perm.APPROVE_GRID_MERGE).filter(pk=plan.pk).exists()
    )
    return render(
        request,
        "grids/merge_plan.html",
        {
            "plan": plan,
            "targets": targets,
            "mappings": mappings,
            "overlaps": by_kind[MergeIssue.Kind.OVERLAP],
            "uncovered": by_kind[MergeIssue.Kind.UNCOVERED],
            "crossings": by_kind[MergeIssue.Kind.CROSSING],
            "unmapped": [m for m in mappings if m.target_id is None],
            "events": plan.events.select_related("by"),
            "can_submit": can_submit,
            "can_decide": can_decide,
            "map_data": _map_data(plan, targets, mappings, issues),
            "new_area_mu": mu(sum(t.area_m2 for t in targets if t.is_new)),
        },
    )


def _transition(request, pk, *, approve: bool, action, success: str, **fields):
    plan = merging.get_merge_plan_for_user(request.user, pk, write=not approve, approve=approve)
    try:
        action(plan, by=request.user, **fields)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, success)
    return redirect(plan)


@require_POST
@require_perm(Perm.MANAGE_GRIDS)
def merge_submit(request, pk):
    note = request.POST.get("note", "").strip()
    return _transition(
        request, pk, approve=False, action=merging.submit_merge_plan, success="已提交编办审批。", note=note
    )


@require_POST
@require_perm(Perm.APPROVE_GRID_MERGE)
def merge_approve(request, pk):
    return _transition(
        request,
        pk,
        approve=True,
        action=merging.approve_merge_plan,
        success="方案已批准并实施：综合网格已生成，部门网格已对应到综合网格。",
        document_no=request.POST.get("document_no", ""),
        note=request.POST.get("note", "").strip(),
    )


@require_POST
@require_perm(Perm.APPROVE_GRID_MERGE)
def merge_return(request, pk):
    reason = request.POST.get("reason", "")
    return _transition(
        request, pk, approve=True, action=merging.return_merge_plan, success="方案已退回。", reason=reason
    )


# ---- export ------------------------------------------------------------------------------------------


def _sheet(wb: Workbook, title: str, headers: list[str], rows) -> None:
    ws = wb.create_sheet(title)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, len(header) * 2 + 2)
    ws.freeze_panes = "A2"


def export_workbook(plan: MergePlan) -> bytes:
    """The proposal, the mapping and the report: a sheet each."""
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(
        wb,
        "综合网格",
        ["网格编码", "网格名称", "村（社区）", "新设/保留", "面积（平方米）", "面积（亩）"],
        (
            (t.code, t.name, t.village.name, "新设" if t.is_new else "保留", round(t.area_m2), round(mu(t.area_m2), 1))
            for t in plan.targets.select_related("village")
        ),
    )
    headers = ["部门网格编码", "部门网格名称", "图层", "村（社区）", "综合网格编码", "综合网格名称"]
    _sheet(
        wb,
        "对照表",
        [*headers, "重合面积（平方米）", "占部门网格比例", "主要归属"],
        (
            (
                m.source_code,
                m.source_name,
                m.source_layer,
                m.village.name,
                m.target.code if m.target_id else "",
                m.target.name if m.target_id else "（未落入任何综合网格）",
                round(m.overlap_m2),
                f"{m.share:.1%}",
                "是" if m.is_main else "",
            )
            for m in plan.mappings.select_related("village", "target")
        ),
    )

    def other(i: MergeIssue) -> str:
        if i.grid_b_id:
            return f"{i.grid_b.code} {i.grid_b.name}"
        return i.other_village.name if i.other_village_id else ""

    _sheet(
        wb,
        "问题清单",
        ["类型", "村（社区）", "网格", "另一网格/涉及村", "面积（平方米）", "面积（亩）", "说明"],
        (
            (
                i.get_kind_display(),
                i.village.name,
                f"{i.grid_a.code} {i.grid_a.name}" if i.grid_a_id else "",
                other(i),
                round(i.area_m2),
                round(mu(i.area_m2), 1),
                i.note,
            )
            for i in plan.issues.select_related("village", "grid_a", "grid_b", "other_village")
        ),
    )
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


@_merge_viewer
def merge_export(request, pk):
    plan = merging.get_merge_plan_for_user(request.user, pk)
    response = HttpResponse(export_workbook(plan), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(plan.name + '.xlsx')}"
    return response


urlpatterns = [
    path("merge/", merge_plans, name="merge_plans"),
    path("merge/new/", merge_new, name="merge_new"),
    path("merge/<int:pk>/", merge_plan, name="merge_plan"),
    path("merge/<int:pk>/submit/", merge_submit, name="merge_submit"),
    path("merge/<int:pk>/approve/", merge_approve, name="merge_approve"),
    path("merge/<int:pk>/return/", merge_return, name="merge_return"),
    path("merge/<int:pk>/export/", merge_export, name="merge_export"),
]
