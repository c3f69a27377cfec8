"""Working-day arithmetic on a pure WorkCalendar built from the chinese_calendar package (no database)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiceng.lib.workdays import WorkCalendar

KNOWN = frozenset({2025, 2026})


def package_calendar() -> WorkCalendar:
    overrides: dict[date, bool] = {}
    for d in chinese_calendar.holidays:
        if d.year in KNOWN:
            overrides[d] = False
    for d in chinese_calendar.workdays:
        if d.year in KNOWN:
            overrides[d] = True
    return WorkCalendar(overrides=overrides, known_years=KNOWN)


CAL = package_calendar()


@pytest.fixture
def cal() -> WorkCalendar:
    return CAL


# --- what the package says (the facts the cases below rely on) -----------------------------------


def test_the_package_has_the_2026_national_day_arrangement():
    off = [date(2026, 10, d) for d in range(1, 8)]
    assert all(chinese_calendar.is_holiday(d) for d in off)
    assert chinese_calendar.is_workday(date(2026, 10, 10))  # Saturday, 调休上班
    assert date(2026, 10, 10).weekday() == 5
    assert chinese_calendar.is_holiday(date(2026, 10, 11))  # Sunday stays off


def test_the_package_has_the_2026_spring_festival_arrangement():
    off = [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]  # 2-15 (Sun) .. 2-23 (Mon)
    assert all(chinese_calendar.is_holiday(d) for d in off)
    assert chinese_calendar.is_workday(date(2026, 2, 24))
    # make-up Saturdays before and after
    assert date(2026, 2, 14).weekday() == 5 and chinese_calendar.is_workday(date(2026, 2, 14))
    assert date(2026, 2, 28).weekday() == 5 and chinese_calendar.is_workday(date(2026, 2, 28))


# --- fixed cases ------------------------------------------------------------------------------


def test_five_working_days_from_30_september_2026_end_on_13_october(cal):
    # 10-01..10-07 off; 10-08 (1), 10-09 (2), Sat 10-10 调休 (3), Sun 10-11 off, 10-12 (4), 10-13 (5)
    result = cal.add(date(2026, 9, 30), 5)
    assert result.value == date(2026, 10, 13)
    assert result.fallback is False
    assert result.fallback_years == ()
    assert result.notice == ""


def test_the_national_day_make_up_saturday_is_a_working_day(cal):
    assert cal.is_workday(date(2026, 10, 10)) is True
    assert cal.is_workday(date(2026, 10, 11)) is False
    assert cal.is_workday(date(2026, 10, 5)) is False  # Monday inside the holiday
    assert cal.add(date(2026, 9, 30), 3).value == date(2026, 10, 10)


def test_a_matter_started_the_day_before_spring_festival_skips_the_whole_holiday(cal):
    # Fri 2-13: Sat 2-14 is a make-up workday (1), 2-15..2-23 off, Tue 2-24 (2), Wed 2-25 (3)
    assert cal.add(date(2026, 2, 13), 1).value == date(2026, 2, 14)
    assert cal.add(date(2026, 2, 13), 2).value == date(2026, 2, 24)
    assert cal.add(date(2026, 2, 13), 3).value == date(2026, 2, 25)


def test_a_matter_started_on_the_make_up_saturday_before_spring_festival(cal):
    assert cal.add(date(2026, 2, 14), 1).value == date(2026, 2, 24)


def test_the_make_up_saturday_after_spring_festival_is_counted(cal):
    # Tue 2-24 start: 2-25 (1), 2-26 (2), 2-27 (3), Sat 2-28 调休 (4), Sun 3-1 off, Mon 3-2 (5)
    assert cal.add(date(2026, 2, 24), 4).value == date(2026, 2, 28)
    assert cal.add(date(2026, 2, 24), 5).value == date(2026, 3, 2)


def test_a_matter_started_inside_the_holiday_ends_after_it(cal):
    assert cal.add(date(2026, 2, 17), 1).value == date(2026, 2, 24)


@pytest.mark.parametrize("start", [date(2026, 2, 16), date(2026, 2, 14), date(2026, 10, 13), date(2027, 3, 6)])
def test_zero_days_ends_on_the_start_day_itself_even_on_a_holiday(cal, start):
    assert cal.add(start, 0).value == start


def test_new_year_2026_make_up_sunday_is_a_working_day(cal):
    # 1-01, 1-02 off (Thu, Fri), Sat 1-03 off, Sun 1-04 调休上班
    assert cal.add(date(2025, 12, 31), 1).value == date(2026, 1, 4)


# --- between ----------------------------------------------------------------------------------


def test_between_counts_working_days_after_start_up_to_and_including_end(cal):
    result = cal.between(date(2026, 9, 30), date(2026, 10, 13))
    assert result.value == 5
    assert result.fallback is False


def test_between_across_spring_festival(cal):
    assert cal.between(date(2026, 2, 13), date(2026, 2, 24)).value == 2
    assert cal.between(date(2026, 2, 13), date(2026, 2, 23)).value == 1


def test_between_is_negative_when_end_is_before_start(cal):
    assert cal.between(date(2026, 10, 13), date(2026, 9, 30)).value == -5


def test_between_a_day_and_itself_is_zero(cal):
    assert cal.between(date(2026, 10, 13), date(2026, 10, 13)).value == 0
    assert cal.between(date(2026, 10, 3), date(2026, 10, 3)).value == 0


def test_between_does_not_count_the_start_day(cal):
    # Thu 10-08 and Fri 10-09 are both working days: one day lies after the start
    assert cal.between(date(2026, 10, 8), date(2026, 10, 9)).value == 1


def test_between_rejects_a_huge_span(cal):
    with pytest.raises(ValueError):
        cal.between(date(1700, 1, 1), date(2030, 1, 1))


# --- years the table does not know ----------------------------------------------------------


def test_an_unknown_year_falls_back_to_monday_to_friday_and_says_so(cal):
    result = cal.add(date(2027, 3, 1), 3)  # Monday
    assert result.value == date(2027, 3, 4)
    assert result.fallback is True
    assert result.fallback_years == (2027,)
    assert "2027年" in result.notice
    assert re.search(r"[\u4e00-\u9fff]", result.notice.replace("2027年", ""))


def test_the_fallback_skips_weekends(cal):
    assert cal.add(date(2027, 3, 5), 1).value == date(2027, 3, 8)  # Fri -> Mon
    assert cal.is_workday(date(2027, 1, 1)) is True  # a Friday; the table knows nothing about 2027
    assert cal.is_workday(date(2027, 1, 2)) is False


def test_a_range_from_2026_into_2027_reports_only_2027_as_fallback(cal):
    added = cal.add(date(2026, 12, 28), 10)
    assert added.value.year == 2027
    assert added.fallback_years == (2027,)

    counted = cal.between(date(2026, 12, 28), date(2027, 1, 8))
    assert counted.fallback_years == (2027,)
    assert "2026年" not in counted.notice
    assert "2027年" in counted.notice


def test_a_range_inside_known_years_has_no_notice(cal):
    result = cal.between(date(2025, 12, 1), date(2026, 1, 31))
    assert result.fallback_years == ()
    assert result.notice == ""


def test_a_range_entirely_in_unknown_years_lists_them_all(cal):
    result = cal.add(date(2027, 12, 20), 20)
    assert result.fallback_years == (2027, 2028)
    assert "2027年" in result.notice and "2028年" in result.notice


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [-1, -100])
def test_a_negative_number_of_days_is_refused(cal, days):
    with pytest.raises(ValueError, match="负数"):
        cal.add(date(2026, 1, 5), days)


# --- properties --------------------------------------------------------------------------------

starts = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
counts = st.integers(min_value=0, max_value=60)
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


@PROPERTY_SETTINGS
@given(start=starts, n=st.integers(min_value=1, max_value=60))
def test_a_positive_time_limit_always_ends_on_a_working_day(start, n):
    assert CAL.is_workday(CAL.add(start, n).value)


@PROPERTY_SETTINGS
@given(start=starts, n=counts)
def test_between_start_and_the_end_of_a_time_limit_is_the_time_limit(start, n):
    end = CAL.add(start, n).value
    assert CAL.between(start, end).value == n
    assert CAL.between(end, start).value == -n


@PROPERTY_SETTINGS
@given(start=starts, n=counts, m=counts)
def test_add_is_monotonic_in_the_number_of_days(start, n, m):
    low, high = sorted((n, m))
    assert CAL.add(start, low).value <= CAL.add(start, high).value


@PROPERTY_SETTINGS
@given(start=starts, n=counts)
def test_one_more_day_ends_on_the_next_working_day(start, n):
    this = CAL.add(start, n).value
    following = CAL.add(start, n + 1).value
    assert following > this
    skipped = [this + timedelta(days=i) for i in range(1, (following - this).days)]
    assert not any(CAL.is_workday(d) for d in skipped)


@PROPERTY_SETTINGS
@given(a=starts, b=starts)
def test_between_is_antisymmetric(a, b):
    assert CAL.between(a, b).value == -CAL.between(b, a).value


@PROPERTY_SETTINGS
@given(start=starts, n=counts)
def test_fallback_years_are_exactly_the_unknown_years_the_range_touches(start, n):
    result = CAL.add(start, n)
    touched = set(range(start.year, result.value.year + 1))
    assert result.fallback_years == tuple(sorted(touched - KNOWN))


@settings(max_examples=50, deadline=None)
@given(start=starts, n=st.integers(max_value=-1))
def test_a_negative_time_limit_always_raises(start, n):
    with pytest.raises(ValueError):
        CAL.add(start, n)
