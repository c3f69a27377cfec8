"""Reports registered in one batch (a 12345 file, a hotline system's push): the same checks, places and flags as
one report at a time, written with one INSERT per table; all or nothing; a retried batch registers nothing twice."""

import pytest

from jiceng.cases import actions
from jiceng.cases.models import Case, CaseEvent, Channel, Status


def report(cast, matters, n, **extra):
    return {
        "channel": Channel.HOTLINE,
        "title": f"耕地上打地基{n}",
        "text": "村东头麦地里正在打地基",
        "matter": matters["event"],
        "township": cast.regions.east,
        "external_no": f"GD{n:04d}",
        **extra,
    }


def test_a_batch_registers_every_report_with_its_event_and_flags_the_repeats_inside_it(cast, matters):
    reports = [
        report(cast, matters, 1, latitude=32.9800, longitude=114.0200),
        report(cast, matters, 2, latitude=33.1000, longitude=114.3000),  # far away
        report(cast, matters, 3, latitude=32.9805, longitude=114.0203),  # 60 m from the first
    ]
    results = actions.register_cases(reports, by=cast.users.dispatcher)
    cases = [case for case, created in results]
    assert [created for _, created in results] == [True, True, True]
    assert all(case.pk and case.status == Status.REGISTERED for case in cases)
    stored = {c.external_no: c for c in Case.objects.all()}
    assert set(stored) == {"GD0001", "GD0002", "GD0003"}
    assert stored["GD0003"].duplicate_of_id == stored["GD0001"].pk
    assert stored["GD0001"].duplicate_of_id is None and stored["GD0002"].duplicate_of_id is None
    events = CaseEvent.objects.filter(action="register")
    assert sorted(e.case_id for e in events) == sorted(c.pk for c in cases)
    assert {e.by_id for e in events} == {cast.users.dispatcher.pk}


def test_one_bad_report_rejects_the_batch_and_writes_nothing(cast, matters):
    reports = [
        report(cast, matters, 1),
        report(cast, matters, 2, requester_phone="1380013800"),
        report(cast, matters, 3),
    ]
    with pytest.raises(actions.RejectedReport) as caught:
        actions.register_cases(reports)
    assert caught.value.index == 1
    assert caught.value.field == "requester_phone"
    assert "手机号" in caught.value.message
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_a_retried_batch_returns_the_cases_it_registered_and_adds_only_the_new_reports(cast, matters):
    first = actions.register_cases([report(cast, matters, 1), report(cast, matters, 2)])
    again = actions.register_cases([report(cast, matters, 2), report(cast, matters, 3), report(cast, matters, 1)])
    assert [created for _, created in again] == [False, True, False]
    assert again[0][0].pk == first[1][0].pk and again[2][0].pk == first[0][0].pk
    assert Case.objects.count() == 3
    assert CaseEvent.objects.filter(action="register").count() == 3


def test_idempotency_keys_work_for_batches_as_for_single_reports(cast, matters):
    ((case, created),) = actions.register_cases([report(cast, matters, 1, external_no="", idempotency_key="k-1")])
    single, created_again = actions.register_case(channel=Channel.GRID, title="x", text="y", idempotency_key="k-1")
    assert created and not created_again and single.pk == case.pk


def test_a_batch_flags_reports_that_repeat_open_cases_registered_before_it(cast, matters):
    ((earlier, _),) = actions.register_cases([report(cast, matters, 1, latitude=32.98, longitude=114.02)])
    grid_report = {**report(cast, matters, 2), "matter": None, "channel": Channel.GRID, "external_no": ""}
    results = actions.register_cases(
        [
            report(cast, matters, 3, latitude=32.9801, longitude=114.0201),  # the same matter, 15 m away
            report(cast, matters, 4, latitude=32.99, longitude=114.02),  # the same matter, 1.1 km away
            {
                **grid_report,
                "title": "耕地上打地基1",
                "latitude": 32.9802,
                "longitude": 114.02,
            },  # no matter, same title
            {**grid_report, "title": "路灯不亮", "latitude": 32.9802, "longitude": 114.02},  # no matter, other title
        ]
    )
    assert [case.duplicate_of_id for case, _ in results] == [earlier.pk, None, earlier.pk, None]


def test_the_same_order_twice_in_one_batch_is_refused_by_its_position(cast, matters):
    with pytest.raises(actions.RejectedReport) as caught:
        actions.register_cases([report(cast, matters, 1), report(cast, matters, 2), report(cast, matters, 1)])
    assert caught.value.index == 2 and "GD0001" in caught.value.message
    assert not Case.objects.exists()
