"""巡查 pages, made for a phone: my patrols and the start button; a patrol with 上报发现 and 结束巡查 (the page
sends the phone's position while it is open); and patrol coverage per grid for the township and the command centre."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import require_perm
from jiceng.accounts.roles import Perm
from jiceng.lib.errors import DomainError
from jiceng.lib.excel import xlsx_response
from jiceng.lib.forms import DateInput, StyledForm, run_action, show_error
from jiceng.orgs.models import Region

from .. import patrols as actions
from ..models import COMPREHENSIVE_LAYER, Grid, Patrol, PatrolStatus, townships_in_scope


class StartForm(StyledForm, forms.Form):
    grid = forms.ModelChoiceField(label="巡查网格", queryset=Grid.objects.none(), empty_label=None)

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids


class FindingForm(StyledForm, forms.Form):
    title = forms.CharField(label="问题", max_length=100, help_text="如：违章搭建、垃圾堆放、消防通道堵塞")
    text = forms.CharField(label="现场情况", widget=forms.Textarea(attrs={"rows": 3}))
    address = forms.CharField(label="具体位置", max_length=200, required=False)
    latitude = forms.FloatField(widget=forms.HiddenInput, required=False)
    longitude = forms.FloatField(widget=forms.HiddenInput, required=False)
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})["token"] = uuid.uuid4().hex
        super().__init__(*args, **kwargs)


class EndForm(StyledForm, forms.Form):
    note = forms.CharField(label="巡查情况", widget=forms.Textarea(attrs={"rows": 2}), required=False)


@require_perm(Perm.PATROL)
def patrol_list(request):
    mine = Patrol.objects.filter(user=request.user).select_related("grid").annotate(found=Count("findings"))[:30]
    running = next((p for p in mine if p.status == PatrolStatus.ACTIVE), None)
    grids = actions.patrollable_grids(request.user)
    form = StartForm(request.POST or None, grids=grids)
    if request.method == "POST" and form.is_valid():
        patrol = run_action(form, actions.start_patrol, form.cleaned_data["grid"], by=request.user)
        if patrol:
            messages.success(request, f"开始巡查{patrol.grid.name}。")
            return redirect(patrol)
    return render(
        request,
        "grids/patrols.html",
        {"mine": mine, "running": running, "form": form, "has_grids": grids.exists(), "now": timezone.now()},
    )


@require_perm(Perm.VIEW_GRIDS)
def patrol_detail(request, pk):
    user = request.user
    patrol = actions.get_patrol_for_user(user, pk)
    own = patrol.user_id == user.pk and patrol.status == PatrolStatus.ACTIVE
    form = FindingForm(request.POST or None, request.FILES or None) if own else None
    if request.method == "POST":
        patrol = actions.get_patrol_for_user(user, pk, write=True)
        if form is not None and form.is_valid():
            d = form.cleaned_data
            try:
                case = actions.report_finding(
                    patrol,
                    by=user,
                    title=d["title"],
                    description=d["text"],
                    lon=d["longitude"],
                    lat=d["latitude"],
                    address=d["address"],
                    photos=request.FILES.getlist("photos"),
                    token=d["token"],
                )
            except DomainError as e:
                show_error(form, e)
            else:
                messages.success(request, f"已上报，查询码{case.code}。")
                return redirect(patrol)
        elif form is None:
            messages.error(request, "该巡查已结束。")
            return redirect(patrol)
    can_end = patrol.status == PatrolStatus.ACTIVE and (
        patrol.user_id == user.pk or actions.can_end_for_others(user, patrol)
    )
    return render(
        request,
        "grids/patrol.html",
        {
            "patrol": patrol,
            "own": own,
            "form": form,
            "end_form": EndForm() if can_end else None,
            "findings": patrol.findings.select_related("case__lead_unit"),
            "events": patrol.events.select_related("by"),
            "map_data": {"grid": patrol.grid.polygon, "track": [p[:2] for p in patrol.track]},
        },
    )


@require_POST
@require_perm(Perm.VIEW_GRIDS)
def patrol_end(request, pk):
    patrol = actions.get_patrol_for_user(request.user, pk, end=True)
    form = EndForm(request.POST)
    form.is_valid()
    try:
        actions.end_patrol(patrol, by=request.user, note=form.cleaned_data.get("note", ""))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "巡查已结束。")
    return redirect("grids:patrols" if patrol.user_id == request.user.pk else "grids:patrol_coverage")


@require_POST
@require_perm(Perm.PATROL)
def patrol_point(request, pk):
    """The patrol page sends the phone's position here while it is open."""
    patrol = actions.get_patrol_for_user(request.user, pk, write=True)
    try:
        lon, lat = float(request.POST["lon"]), float(request.POST["lat"])
        patrol = actions.add_patrol_point(patrol, lon, lat, by=request.user)
    except (KeyError, ValueError):
        return JsonResponse({"detail": "请提供经度 lon 和纬度 lat。"}, status=400)
    except DomainError as e:
        return JsonResponse({"detail": e.message}, status=400)
    return JsonResponse({"points": len(patrol.track), "distance_m": round(patrol.distance_m)})


# ---- coverage ----------------------------------------------------------------------------------------


class CoverageForm(StyledForm, forms.Form):
    township = forms.ModelChoiceField(
        label="乡镇（街道）", queryset=Region.objects.none(), required=False, empty_label="全部"
    )
    start = forms.DateField(label="开始日期", required=False, widget=DateInput)
    end = forms.DateField(label="结束日期", required=False, widget=DateInput)

    def __init__(self, *args, townships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships


COVERAGE_HEADERS = [
    "网格编码",
    "网格名称",
    "村（社区）",
    "乡镇（街道）",
    "巡查次数",
    "巡查时长（小时）",
    "有巡查的天数",
    "有巡查的工作日",
    "工作日",
    "工作日覆盖率",
    "巡查发现",
    "最近巡查",
]


def coverage_rows(rows):
    for r in rows:
        yield (
            r.grid.code,
            r.grid.name,
            r.grid.village.name,
            r.grid.village.parent.name,
            r.patrols,
            round(r.hours, 1),
            r.days,
            r.workdays_patrolled,
            r.workdays,
            f"{r.rate:.0%}" if r.rate is not None else "",
            r.findings,
            timezone.localtime(r.last_patrol_at).strftime("%Y-%m-%d %H:%M") if r.last_patrol_at else "从未巡查",
        )


@require_perm(Perm.VIEW_GRIDS)
def patrol_coverage(request):
    user = request.user
    towns = townships_in_scope(user, Perm.VIEW_GRIDS)
    townships = Region.objects.filter(level=4) if towns is None else Region.objects.filter(pk__in=towns)
    form = CoverageForm(request.GET or None, townships=townships)
    start, end = actions.month_so_far()
    grids = actions.coverage_grids(user).filter(layer=request.GET.get("layer") or COMPREHENSIVE_LAYER)
    rows = []
    if not form.is_bound or form.is_valid():
        d = form.cleaned_data if form.is_bound else {}
        start, end = d.get("start") or start, d.get("end") or end
        if d.get("township"):
            grids = grids.filter(village__parent=d["township"])
        try:
            rows = actions.patrol_coverage(grids, start=start, end=end)
        except DomainError as e:
            show_error(form, e)
    if request.GET.get("export") == "xlsx" and rows:
        return xlsx_response(
            f"网格巡查覆盖{start:%Y%m%d}-{end:%Y%m%d}.xlsx", "巡查覆盖", COVERAGE_HEADERS, coverage_rows(rows)
        )
    return render(
        request,
        "grids/patrol_coverage.html",
        {
            "form": form,
            "rows": rows,
            "start": start,
            "end": end,
            "unpatrolled": sum(r.unpatrolled for r in rows),
            "query": request.GET.urlencode(),
        },
    )


urlpatterns = [
    path("patrols/", patrol_list, name="patrols"),
    path("patrols/coverage/", patrol_coverage, name="patrol_coverage"),
    path("patrols/<int:pk>/", patrol_detail, name="patrol"),
    path("patrols/<int:pk>/end/", patrol_end, name="patrol_end"),
    path("patrols/<int:pk>/points/", patrol_point, name="patrol_point"),
]
