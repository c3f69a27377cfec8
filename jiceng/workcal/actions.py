"""Changes to the holiday table."""

from __future__ import annotations

from datetime import date

import chinese_calendar
from django.db import transaction

from jiceng.accounts.audit import log_operation
from jiceng.lib.errors import DomainError

from .calendar import invalidate
from .models import CalendarDay, CalendarYear, Source

# chinese-calendar names holidays in English; the table shows them in Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def package_years() -> list[int]:
    """Years for which the installed chinese-calendar package has the State Council's arrangement."""
    return sorted({d.year for d in chinese_calendar.holidays})


def load_package_year(year: int, *, by=None) -> int:
    """Fill one year of the table from chinese-calendar; manual rows for that year are kept."""
    if year not in package_years():
        raise DomainError(f"chinese-calendar 数据包中没有{year}年的节假日安排，请手工录入。")
    rows = []
    for d, name in chinese_calendar.holidays.items():
        if d.year == year:
            rows.append((d, False, HOLIDAY_NAMES.get(name, name)))
    for d, name in chinese_calendar.workdays.items():
        if d.year == year and d.weekday() >= 5:
            rows.append((d, True, f"{HOLIDAY_NAMES.get(name, name)}调休上班"))
    with transaction.atomic():
        manual = set(CalendarDay.objects.filter(date__year=year, source=Source.MANUAL).values_list("date", flat=True))
        CalendarDay.objects.filter(date__year=year, source=Source.PACKAGE).delete()
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=d, is_workday=w, name=n, source=Source.PACKAGE) for d, w, n in rows if d not in manual]
        )
        CalendarYear.objects.update_or_create(year=year, defaults={"source": Source.PACKAGE, "updated_by": by})
        if by is not None:
            log_operation(by, "导入节假日", f"{year}年", detail=f"{len(rows)}天，来源 chinese-calendar")
        transaction.on_commit(invalidate)
    return len(rows)


def load_package_calendar(*, by=None) -> list[int]:
    """Fill every year the package knows and the table does not yet have."""
    known = set(CalendarYear.objects.values_list("year", flat=True))
    loaded = [y for y in package_years() if y not in known]
    for year in loaded:
        load_package_year(year, by=by)
    return loaded


def set_calendar_day(day: date, *, is_workday: bool, name: str, by) -> CalendarDay:
    """Record one holiday or make-up workday by hand (e.g. next year's arrangement)."""
    with transaction.atomic():
        obj, _ = CalendarDay.objects.update_or_create(
            date=day, defaults={"is_workday": is_workday, "name": name, "source": Source.MANUAL}
        )
        log_operation(by, "修改节假日", str(day), detail=f"{'上班' if is_workday else '放假'} {name}")
        transaction.on_commit(invalidate)
    return obj


def delete_calendar_day(day: CalendarDay, *, by) -> None:
    with transaction.atomic():
        log_operation(by, "删除节假日", str(day.date), detail=day.name)
        day.delete()
        transaction.on_commit(invalidate)


def mark_year_known(year: int, *, document_no: str, by) -> CalendarYear:
    """Declare a year's arrangement complete, so it stops falling back to Monday–Friday."""
    with transaction.atomic():
        obj, _ = CalendarYear.objects.update_or_create(
            year=year, defaults={"source": Source.MANUAL, "document_no": document_no, "updated_by": by}
        )
        log_operation(by, "确认年度节假日", f"{year}年", detail=document_no)
        transaction.on_commit(invalidate)
    return obj


def unmark_year(year: CalendarYear, *, by) -> None:
    with transaction.atomic():
        log_operation(by, "取消年度节假日", str(year))
        year.delete()
        transaction.on_commit(invalidate)
