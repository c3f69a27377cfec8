"""巡查 pages, made for a phone: my patrols and the start button; a patrol with 上报发现 and 结束巡查 (the page
sends the phone's position while it is open). For the township and the command centre: everyone's patrols in their
scope (where a patrol left running is ended), and patrol coverage per grid."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, Q, Value, When
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import require_perm
from jiceng.accounts.roles import Perm
from jiceng.lib.errors import DomainError
from jiceng.lib.excel import xlsx_response
from jiceng.lib.forms import DateInput, StyledForm, querystring_base, run_action, show_error
from jiceng.orgs.models import Region

from .. import patrols as actions
from ..models import Grid, Patrol, PatrolEvent, PatrolStatus, townships_in_scope

MY_PATROLS = 30
PAGE = 30


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


def running_first(patrols):
    """The patrol in progress first (one left running must not drop off a list), then the newest."""
    running = Case(When(status=PatrolStatus.ACTIVE, then=Value(0)), default=Value(1))
    return patrols.order_by(running, "-started_at", "-id")


@require_perm(Perm.PATROL)
def patrol_list(request):
    mine = running_first(Patrol.objects.filter(user=request.user))
    mine = list(mine.select_related("grid").annotate(found=Count("findings"))[:MY_PATROLS])
    running = mine[0] if mine and mine[0].status == PatrolStatus.ACTIVE else None
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
                case, _ = actions.report_finding(
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
    events = list(patrol.events.select_related("by"))
    end = next((e for e in events if e.kind == PatrolEvent.Kind.END), None)
    return render(
        request,
        "grids/patrol.html",
        {
            "patrol": patrol,
            "own": own,
            "form": form,
            "end_form": EndForm() if can_end else None,
            "findings": patrol.findings.select_related("case__lead_unit"),
            "events": events,
            "cut_short": end and actions.cut_short_reason(patrol, ended_by=end.by, ended_at=end.at),
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
    return redirect("grids:patrols" if patrol.user_id == request.user.pk else "grids:patrols_all")


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
    grids = actions.coverage_grids(user)
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
            "max_hours": actions.MAX_PATROL_HOURS,
            "query": request.GET.urlencode(),
        },
    )


# ---- everyone's patrols -----------------------------------------------------------------------------


class PatrolFilterForm(StyledForm, forms.Form):
    township = forms.ModelChoiceField(
        label="乡镇（街道）", queryset=Region.objects.none(), required=False, empty_label="全部乡镇（街道）"
    )
    grid = forms.CharField(
        label="网格", required=False, max_length=100, widget=forms.TextInput(attrs={"placeholder": "网格编码或名称"})
    )
    status = forms.ChoiceField(label="状态", choices=[("", "全部状态"), *PatrolStatus.choices], required=False)
    date = forms.DateField(label="开始日期", required=False, widget=DateInput)

    def __init__(self, *args, townships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships


def filter_patrols(patrols, data: dict):
    if data.get("township"):
        patrols = patrols.filter(grid__village__parent=data["township"])
    grid = (data.get("grid") or "").strip()
    if grid:
        patrols = patrols.filter(Q(grid__code__startswith=grid) | Q(grid__name__icontains=grid))
    if data.get("status"):
        patrols = patrols.filter(status=data["status"])
    if data.get("date"):
        zone = timezone.get_current_timezone()
        begin = datetime.combine(data["date"], time.min, tzinfo=zone)
        patrols = patrols.filter(started_at__gte=begin, started_at__lt=begin + timedelta(days=1))
    return patrols


@require_perm(Perm.VIEW_GRIDS)
def all_patrols(request):
    """Other people's patrols in the user's VIEW_GRIDS scope, those in progress first: the command centre ends one
    left running from here."""
    user = request.user
    towns = townships_in_scope(user, Perm.VIEW_GRIDS)
    townships = Region.objects.filter(level=4) if towns is None else Region.objects.filter(pk__in=towns)
    form = PatrolFilterForm(request.GET or None, townships=townships.order_by("code"))
    patrols = Patrol.objects.visible_to(user).exclude(user=user)
    if form.is_valid():
        patrols = filter_patrols(patrols, form.cleaned_data)
    elif form.is_bound:
        patrols = patrols.none()
    patrols = (
        running_first(patrols)
        .select_related("grid__village__parent", "user")
        .defer("track")  # up to 5,000 points each, and the list does not show them
        .annotate(found=Count("findings"))
    )
    page = Paginator(patrols, PAGE).get_page(request.GET.get("page"))
    endable = set(actions.supervised_patrols(user).filter(pk__in=[p.pk for p in page]).values_list("pk", flat=True))
    return render(
        request,
        "grids/patrols_all.html",
        {
            "form": form,
            "page": page,
            "endable": endable,
            "now": timezone.now(),
            "querystring_base": querystring_base(request),
        },
    )


urlpatterns = [
    path("patrols/", patrol_list, name="patrols"),
    path("patrols/all/", all_patrols, name="patrols_all"),
    path("patrols/coverage/", patrol_coverage, name="patrol_coverage"),
    path("patrols/<int:pk>/", patrol_detail, name="patrol"),
    path("patrols/<int:pk>/end/", patrol_end, name="patrol_end"),
    path("patrols/<int:pk>/points/", patrol_point, name="patrol_point"),
]
