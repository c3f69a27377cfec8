"""The holiday table in the database: loading from chinese_calendar, manual edits, the cached calendar."""

from __future__ import annotations

from datetime import date

import pytest

from jiceng.accounts.models import OperationLog, User
from jiceng.lib.errors import DomainError
from jiceng.workcal.actions import load_package_year, mark_year_known, set_calendar_day
from jiceng.workcal.calendar import add_workdays, get_calendar, is_workday, workdays_between
from jiceng.workcal.models import CalendarDay, CalendarYear, Source


@pytest.fixture
def user(db):
    return User.objects.create_user("u", password="Xx@123456789")


@pytest.mark.django_db
def test_loading_a_year_from_the_package_fills_the_table():
    assert load_package_year(2026) > 0

    year = CalendarYear.objects.get(year=2026)
    assert year.source == Source.PACKAGE

    national_day = CalendarDay.objects.get(date=date(2026, 10, 1))
    assert national_day.is_workday is False
    assert national_day.name == "国庆节"
    assert national_day.source == Source.PACKAGE

    make_up = CalendarDay.objects.get(date=date(2026, 10, 10))
    assert make_up.is_workday is True
    assert "国庆节" in make_up.name

    spring = CalendarDay.objects.get(date=date(2026, 2, 17))
    assert (spring.is_workday, spring.name) == (False, "春节")

    assert not CalendarDay.objects.exclude(date__year=2026).exists()


@pytest.mark.django_db
def test_loading_a_year_the_package_does_not_have_is_refused_in_chinese():
    with pytest.raises(DomainError, match="2099年"):
        load_package_year(2099)
    assert not CalendarYear.objects.filter(year=2099).exists()


def test_the_loaded_table_gives_the_national_day_result(calendar_2026):
    result = add_workdays(date(2026, 9, 30), 5)
    assert result.value == date(2026, 10, 13)
    assert result.fallback is False
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 13)).value == 5
    assert is_workday(date(2026, 10, 10)) is True
    assert is_workday(date(2026, 10, 7)) is False


def test_reloading_a_year_does_not_duplicate_rows(calendar_2026):
    before = CalendarDay.objects.filter(date__year=2026).count()
    load_package_year(2026)
    assert CalendarDay.objects.filter(date__year=2026).count() == before


def test_a_manual_edit_is_seen_by_the_cached_calendar_at_once(calendar_2026, user):
    # prime the cache: 2027 is unknown, Friday 2027-01-01 counts as a working day
    before = add_workdays(date(2026, 12, 31), 1)
    assert before.value == date(2027, 1, 1)
    assert before.fallback_years == (2027,)

    set_calendar_day(date(2027, 1, 1), is_workday=False, name="元旦", by=user)
    assert get_calendar().is_workday(date(2027, 1, 1)) is False
    assert add_workdays(date(2026, 12, 31), 1).value == date(2027, 1, 4)

    mark_year_known(2027, document_no="国办发明电〔2026〕1号", by=user)
    after = add_workdays(date(2026, 12, 31), 1)
    assert after.value == date(2027, 1, 4)
    assert after.fallback is False
    assert after.notice == ""


def test_changing_an_existing_day_back_is_seen_at_once(calendar_2026, user):
    assert is_workday(date(2026, 10, 10)) is True
    set_calendar_day(date(2026, 10, 10), is_workday=False, name="临时放假", by=user)
    assert is_workday(date(2026, 10, 10)) is False
    set_calendar_day(date(2026, 10, 10), is_workday=True, name="国庆节调休上班", by=user)
    assert is_workday(date(2026, 10, 10)) is True


def test_a_manual_row_survives_reloading_its_year_from_the_package(calendar_2026, user):
    set_calendar_day(date(2026, 10, 10), is_workday=False, name="县里临时安排", by=user)
    set_calendar_day(date(2026, 11, 2), is_workday=False, name="县庆", by=user)

    load_package_year(2026)

    overridden = CalendarDay.objects.get(date=date(2026, 10, 10))
    assert (overridden.is_workday, overridden.name, overridden.source) == (False, "县里临时安排", Source.MANUAL)
    added = CalendarDay.objects.get(date=date(2026, 11, 2))
    assert (added.is_workday, added.source) == (False, Source.MANUAL)
    assert CalendarDay.objects.filter(date=date(2026, 10, 1), source=Source.PACKAGE).exists()
    assert is_workday(date(2026, 10, 10)) is False


def test_setting_a_day_writes_an_operation_log_row(calendar_2026, user):
    before = OperationLog.objects.count()
    set_calendar_day(date(2027, 1, 1), is_workday=False, name="元旦", by=user)

    assert OperationLog.objects.count() == before + 1
    log = OperationLog.objects.latest("id")
    assert log.user == user
    assert "2027-01-01" in log.target
    assert "元旦" in log.detail
    assert "放假" in log.detail


def test_marking_a_year_known_writes_an_operation_log_row(db, user):
    mark_year_known(2027, document_no="国办发明电〔2026〕1号", by=user)
    log = OperationLog.objects.latest("id")
    assert log.user == user
    assert "2027" in log.target
    assert "国办发明电〔2026〕1号" in log.detail
    assert CalendarYear.objects.get(year=2027).source == Source.MANUAL
