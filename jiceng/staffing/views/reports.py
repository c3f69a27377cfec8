import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from jiceng.accounts.decorators import require_perm
from jiceng.accounts.roles import Perm
from jiceng.accounts.scopes import data_scope
from jiceng.lib.excel import XLSX
from jiceng.lib.forms import querystring_base, run_action
from jiceng.orgs.access import get_unit_for_user
from jiceng.orgs.models import Person, Region, Unit

from .. import actions, reports
from ..access import get_account_for_user
from ..forms import AsOfForm, EntryForm
from ..models import QuotaKind
from ..seats import account_seats
from ..workbooks import report_workbook

ROWS_PER_PAGE = 100


def _filtered_units(request):
    """The user's scope, narrowed to one unit's subtree when ?unit= is given (None: every unit)."""
    units = _scope_units(request.user)
    if request.GET.get("unit"):
        unit = get_unit_for_user(request.user, request.GET["unit"])
        units = (units if units is not None else Unit.objects.all()).filter(path__startswith=unit.path)
    return units


def _scope_units(user):
    scope = data_scope(user, Perm.VIEW_STAFFING)
    return None if scope.everything else Unit.objects.visible_to(user, Perm.VIEW_STAFFING)


@require_perm(Perm.VIEW_STAFFING)
def report(request):
    form = AsOfForm(request.GET or None)
    day = form.day()
    units = _filtered_units(request)
    unit = get_unit_for_user(request.user, request.GET["unit"]) if request.GET.get("unit") else None
    rows = reports.unit_rows(day, units)
    township = form.cleaned_data.get("township") if form.is_valid() else ""
    townships = sorted({r.township for r in rows}, key=lambda n: (n != reports.COUNTY, n))
    shown = [r for r in rows if not township or r.township == township]
    by_township = reports.summarise(rows, by_township=True)
    county = reports.summarise(rows, by_township=False)
    seat_kinds = [k for k in QuotaKind if k in {r.kind for r in rows} and not k.startswith("leader")]
    chart_kinds = {
        "kinds": [QuotaKind(k).label for k in seat_kinds],
        "approved": [sum(s.approved for s in county if s.kind == k) for k in seat_kinds],
        "occupied": [sum(s.occupied for s in county if s.kind == k) for k in seat_kinds],
        "reserved": [sum(s.reserved for s in county if s.kind == k) for k in seat_kinds],
    }
    names = [n for n in townships if n != reports.COUNTY]
    chart_townships = {
        "names": names,
        "vacant": [sum(s.vacant for s in by_township if s.name == n and s.kind in seat_kinds) for n in names],
        "over": [sum(s.over for s in by_township if s.name == n and s.kind in seat_kinds) for n in names],
    }
    return render(
        request,
        "staffing/report.html",
        {
            "form": form,
            "day": day,
            "rows": Paginator(shown, ROWS_PER_PAGE).get_page(request.GET.get("page")),
            "row_count": len(shown),
            "querystring_base": querystring_base(request),
            "township": township,
            "townships": townships,
            "unit": unit,
            "by_township": by_township,
            "county": county,
            "chart_kinds": json.dumps(chart_kinds, ensure_ascii=False),
            "chart_townships": json.dumps(chart_townships, ensure_ascii=False),
            "can_manage": request.user.can(Perm.MANAGE_STAFFING),
        },
    )


@require_perm(Perm.VIEW_STAFFING)
def export(request):
    form = AsOfForm(request.GET or None)
    day = form.day()
    units = _filtered_units(request)
    township = form.cleaned_data.get("township") if form.is_valid() else ""
    if township:
        region = Region.objects.filter(level=4, name=township).first()
        base = units if units is not None else Unit.objects.all()
        units = base.filter(region__code__startswith=region.code[:9]) if region else base.none()
    response = HttpResponse(report_workbook(day, units), content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''%E7%BC%96%E5%88%B6%E6%83%85%E5%86%B5{day:%Y%m%d}.xlsx"
    )
    return response


@require_perm(Perm.VIEW_STAFFING)
def analysis(request):
    form = AsOfForm(request.GET or None)
    day = form.day()
    units = _scope_units(request.user)
    county_wide = data_scope(request.user, Perm.MANAGE_STAFFING).everything
    needs, idle_supply, suggestions = reports.paradox(day, units) if county_wide else ([], [], [])
    people = Person.objects.visible_to(request.user).active().separated().select_related("quota_unit", "work_unit")
    return render(
        request,
        "staffing/analysis.html",
        {
            "form": form,
            "day": day,
            "needs": needs,
            "idle_supply": idle_supply,
            "suggestions": suggestions,
            "idle": reports.idle_vacancies(day, units),
            "separated": people.order_by("work_unit__path")[:500],
            "separated_count": people.count(),
            "county_wide": county_wide,
            "leaders": [r for r in reports.leader_rows(day, units) if r.seats.approved or r.seats.occupied],
        },
    )


@require_perm(Perm.MANAGE_STAFFING)
def draft_from_suggestion(request):
    if request.method != "POST":
        return redirect("staffing:analysis")
    try:
        source = get_account_for_user(request.user, request.POST["source"])
        target_unit = Unit.objects.visible_to(request.user, Perm.MANAGE_STAFFING).get(pk=request.POST["target_unit"])
        amount = int(request.POST["amount"])
    except (KeyError, ValueError, Unit.DoesNotExist):
        messages.error(request, "建议已失效，请刷新页面后重试。")
        return redirect("staffing:analysis")
    target = actions.get_account(target_unit, source.kind)
    form = AsOfForm()
    move = run_action(
        form,
        actions.draft_move,
        source,
        target,
        amount=amount,
        move_type=request.POST.get("move_type") or actions.default_move_type(source.holder, target_unit),
        note="据编制分析建议拟定",
        by=request.user,
    )
    if move is None:
        messages.error(request, "；".join(form.non_field_errors()) or "拟定失败。")
        return redirect("staffing:analysis")
    messages.success(request, f"已拟定调剂草稿：{move}。请核对后填写文号执行。")
    return redirect(move)


@require_perm(Perm.VIEW_STAFFING)
def account(request, pk):
    acc = get_account_for_user(request.user, pk)
    form = AsOfForm(request.GET or None)
    day = form.day()
    return render(
        request,
        "staffing/account.html",
        {
            "account": acc,
            "seats": account_seats(acc, day),
            "day": day,
            "entries": acc.entries.select_related("by", "move", "plan").order_by("-on", "-id"),
            "placements": acc.unit.placements.filter(kind=acc.kind).on(day).select_related("person")
            if acc.unit_id
            else [],
            "can_manage": request.user.can(Perm.MANAGE_STAFFING),
        },
    )


@require_perm(Perm.MANAGE_STAFFING)
def entry_new(request):
    user = request.user
    initial = {}
    if request.GET.get("unit"):
        initial["unit"] = request.GET["unit"]
    if request.GET.get("kind"):
        initial["kind"] = request.GET["kind"]
    form = EntryForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        acc = actions.get_account(d["unit"], d["kind"])
        entry = run_action(
            form,
            actions.record_entry,
            acc,
            delta=d["delta"],
            reason=d["reason"],
            on=d["on"],
            document_no=d["document_no"],
            note=d["note"],
            allow_overstaffing=d["allow_overstaffing"],
            by=user,
        )
        if entry:
            if entry.creates_overstaffing:
                messages.warning(request, f"已记录，并明确造成超编：{acc}。")
            else:
                messages.success(request, f"已记录：{acc} {entry.delta:+d}名。")
            return redirect(acc)
    return render(request, "staffing/entry_form.html", {"form": form})
