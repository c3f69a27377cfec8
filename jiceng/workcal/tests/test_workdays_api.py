"""The working-day REST endpoints: /api/v1/workdays/add and /api/v1/workdays/between (anonymous access)."""

from __future__ import annotations

import re

import pytest

ADD = "/api/v1/workdays/add"
BETWEEN = "/api/v1/workdays/between"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def has_chinese_message(errors) -> bool:
    return isinstance(errors, list) and bool(errors) and all(CHINESE.search(str(e)) for e in errors)


def test_add_returns_the_end_date_across_national_day(client, calendar_2026):
    response = client.get(ADD, {"start": "2026-09-30", "days": "5"})
    assert response.status_code == 200
    body = response.json()
    assert body["date"] == "2026-10-13"
    assert body["fallback"] is False


def test_add_with_zero_days_returns_the_start_day(client, calendar_2026):
    response = client.get(ADD, {"start": "2026-10-03", "days": "0"})
    assert response.status_code == 200
    assert response.json()["date"] == "2026-10-03"


def test_add_in_an_unknown_year_reports_the_fallback_with_a_notice(client, calendar_2026):
    response = client.get(ADD, {"start": "2027-03-01", "days": "3"})
    assert response.status_code == 200
    body = response.json()
    assert body["date"] == "2027-03-04"
    assert body["fallback"] is True
    assert body["notice"]
    assert "2027" in body["notice"]


def test_between_counts_the_working_days(client, calendar_2026):
    response = client.get(BETWEEN, {"start": "2026-09-30", "end": "2026-10-13"})
    assert response.status_code == 200
    assert response.json()["workdays"] == 5


def test_between_is_negative_when_reversed(client, calendar_2026):
    response = client.get(BETWEEN, {"start": "2026-10-13", "end": "2026-09-30"})
    assert response.status_code == 200
    assert response.json()["workdays"] == -5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-13-01", "days": "5"}, "start"),
        ({"start": "2026-02-30", "days": "5"}, "start"),
        ({"start": "2026-09-30", "days": "-1"}, "days"),
        ({"start": "2026-09-30", "days": "abc"}, "days"),
        ({"start": "2026-09-30"}, "days"),
        ({"days": "5"}, "start"),
    ],
)
def test_add_rejects_bad_input_with_a_chinese_field_error(client, calendar_2026, params, field):
    response = client.get(ADD, params)
    assert response.status_code == 400
    assert has_chinese_message(response.json().get(field)), response.json()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-13-01", "end": "2026-10-13"}, "start"),
        ({"start": "2026-09-30", "end": "abc"}, "end"),
        ({"end": "2026-10-13"}, "start"),
    ],
)
def test_between_rejects_bad_input_with_a_chinese_field_error(client, calendar_2026, params, field):
    response = client.get(BETWEEN, params)
    assert response.status_code == 400
    assert has_chinese_message(response.json().get(field)), response.json()


def test_dates_far_apart_or_out_of_range_get_a_400_not_a_500(client, calendar_2026):
    response = client.get("/api/v1/workdays/between", {"start": "1950-03-14", "end": "2090-06-22"})
    assert response.status_code == 200
    response = client.get("/api/v1/workdays/between", {"start": "1076-03-14", "end": "1623-06-22"})
    assert response.status_code == 400
    assert "1900年至2100年" in response.json()["start"][0]
    response = client.get("/api/v1/workdays/add", {"start": "9999-12-30", "days": 5})
    assert response.status_code == 400
