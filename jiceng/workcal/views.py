from collections import defaultdict

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import require_perm
from jiceng.accounts.roles import Perm
from jiceng.lib.errors import DomainError
from jiceng.lib.forms import run_action

from . import actions
from .calendar import get_calendar
from .forms import AddForm, BetweenForm, CalendarDayForm, YearForm
from .models import CalendarDay, CalendarYear


def calculator(request):
    """The working-day calculator; open to the public (no login)."""
    calendar = get_calendar()
    add_form = AddForm(request.GET if "days" in request.GET else None, prefix=None)
    between_form = BetweenForm(request.GET if "end" in request.GET else None)
    add_result = between_result = None
    if add_form.is_bound and add_form.is_valid():
        add_result = calendar.add(add_form.cleaned_data["start"], add_form.cleaned_data["days"])
    if between_form.is_bound and between_form.is_valid():
        between_result = calendar.between(between_form.cleaned_data["start"], between_form.cleaned_data["end"])
    return render(
        request,
        "workcal/calculator.html",
        {
            "add_form": add_form,
            "between_form": between_form,
            "add_result": add_result,
            "between_result": between_result,
            "known_years": sorted(calendar.known_years),
        },
    )


@require_perm(Perm.CHANGE_CALENDAR)
def holidays(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    day_form = CalendarDayForm(request.POST or None) if request.POST.get("form") == "day" else CalendarDayForm()
    year_form = (
        YearForm(request.POST or None) if request.POST.get("form") == "year" else YearForm(initial={"year": year})
    )
    if request.method == "POST":
        if request.POST.get("form") == "day" and day_form.is_valid():
            d = day_form.cleaned_data
            if run_action(
                day_form,
                actions.set_calendar_day,
                d["date"],
                is_workday=d["is_workday"],
                name=d["name"],
                by=request.user,
            ):
                messages.success(request, f"已保存 {d['date']:%Y年%m月%d日}。")
                return redirect(f"{request.path}?year={d['date'].year}")
        elif request.POST.get("form") == "year" and year_form.is_valid():
            d = year_form.cleaned_data
            actions.mark_year_known(d["year"], document_no=d["document_no"], by=request.user)
            messages.success(request, f"已确认{d['year']}年节假日安排录入完毕，该年不再按周一至周五推算。")
            return redirect(f"{request.path}?year={d['year']}")
    days = CalendarDay.objects.filter(date__year=year)
    months = defaultdict(list)
    for day in days:
        months[day.date.month].append(day)
    return render(
        request,
        "workcal/holidays.html",
        {
            "year": year,
            "days": days,
            "years": CalendarYear.objects.all(),
            "year_record": CalendarYear.objects.filter(year=year).first(),
            "package_years": actions.package_years(),
            "day_form": day_form,
            "year_form": year_form,
        },
    )


@require_POST
@require_perm(Perm.CHANGE_CALENDAR)
def holiday_delete(request, pk):
    day = get_object_or_404(CalendarDay, pk=pk)
    actions.delete_calendar_day(day, by=request.user)
    messages.success(request, f"已删除 {day.date:%Y年%m月%d日}。")
    return redirect(f"{reverse('workcal:holidays')}?year={day.date.year}")


@require_POST
@require_perm(Perm.CHANGE_CALENDAR)
def holiday_import(request):
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        messages.error(request, "年份不正确。")
        return redirect("workcal:holidays")
    try:
        n = actions.load_package_year(year, by=request.user)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect(f"{reverse('workcal:holidays')}?year={year}")
    messages.success(request, f"已从 chinese-calendar 导入{year}年节假日安排（{n}天），手工录入的日期保持不变。")
    return redirect(f"{reverse('workcal:holidays')}?year={year}")


@require_POST
@require_perm(Perm.CHANGE_CALENDAR)
def year_unmark(request, pk):
    record = get_object_or_404(CalendarYear, pk=pk)
    actions.unmark_year(record, by=request.user)
    messages.success(request, f"已取消{record.year}年的确认，该年将按周一至周五推算（已录入的日期仍然有效）。")
    return redirect(f"{reverse('workcal:holidays')}?year={record.year}")
