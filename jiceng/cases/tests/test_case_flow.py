"""Intake, dispatch by the catalog, 签收, 退单 limits, 补正 pauses, extensions, 办结 and 核查."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jiceng.cases import actions
from jiceng.cases.models import Case, CaseTask, Channel, Result, Status
from jiceng.lib.errors import DomainError

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=9):
    return time_machine.travel(datetime(y, m, d, h, tzinfo=TZ), tick=False)


def grid_report(cast, matters, **extra):
    case, _ = actions.register_case(
        channel=Channel.GRID,
        title="柳树村有人在耕地上打地基",
        text="村东头麦地里正在打地基",
        matter=matters["event"],
        township=cast.regions.east,
        by=cast.users.grid,
        **extra,
    )
    return case


def test_a_retry_with_the_same_idempotency_key_returns_the_same_case(cast, matters):
    first = grid_report(cast, matters, idempotency_key="abc-1")
    again, created = actions.register_case(channel=Channel.GRID, title="x", text="y", idempotency_key="abc-1")
    assert (again.pk, created) == (first.pk, False)
    assert Case.objects.count() == 1


def test_hotline_orders_are_deduplicated_by_their_own_number(cast, matters):
    for _ in range(2):
        actions.register_case(channel=Channel.HOTLINE, title="噪声", text="夜间施工", external_no="12345-0001")
    assert Case.objects.filter(channel=Channel.HOTLINE).count() == 1


def test_tracking_codes_are_long_and_unpredictable(cast, matters):
    codes = {grid_report(cast, matters).code for _ in range(20)}
    assert len(codes) == 20 and all(len(c) == 12 for c in codes)


def test_dispatch_follows_the_catalog_and_creates_cooperating_tasks(cast, matters):
    with at(2026, 9, 29):
        case = actions.dispatch_case(grid_report(cast, matters), by=cast.users.dispatcher)
    assert case.status == Status.DISPATCHED and case.lead_unit == cast.units.land
    assert list(CaseTask.objects.filter(case=case).values_list("unit", flat=True)) == [cast.units.east_office.pk]
    # 3 working days from 2026-09-29 across National Day: 09-30, 10-08, 10-09.
    assert case.due_at.astimezone(TZ).date() == date(2026, 10, 9)


def test_a_service_item_clock_starts_at_acceptance_and_the_hall_handles_it(cast, matters):
    with at(2026, 2, 13):  # the Friday before the 2026 Spring Festival
        case, _ = actions.register_case(
            channel=Channel.WINDOW,
            title="养老保险参保",
            text="办理参保登记",
            matter=matters["service"],
            township=cast.regions.east,
            by=cast.users.east_clerk,
            unit=cast.units.east_hall,
        )
        case = actions.accept_case(case, by=cast.users.east_clerk, unit=cast.units.east_hall)
    assert case.status == Status.HANDLING and case.lead_unit == cast.units.east_hall
    # committed 3 working days: 02-14 (make-up Saturday), 02-24, 02-25.
    assert case.due_at.astimezone(TZ).date() == date(2026, 2, 25)


def test_a_deadline_running_into_2027_uses_the_weekday_fallback(cast, matters):
    with at(2026, 12, 30):
        case = actions.dispatch_case(grid_report(cast, matters), by=None)
    assert case.due_at.astimezone(TZ).date() == date(2027, 1, 4)  # 12-31, 01-01 (no 2027 table yet), 01-04


def test_two_clerks_signing_the_same_case_one_wins_and_the_other_is_told(cast, matters):
    case = actions.dispatch_case(grid_report(cast, matters), by=None)
    actions.sign_case(case, by=cast.users.department, unit=cast.units.land)
    with pytest.raises(DomainError, match=r"已由bumen于.*签收"):
        actions.sign_case(case, by=cast.users.staffing, unit=cast.units.land)


def test_only_the_dispatched_unit_can_sign(cast, matters):
    case = actions.dispatch_case(grid_report(cast, matters), by=None)
    with pytest.raises(DomainError, match="不是派给本单位"):
        actions.sign_case(case, by=None, unit=cast.units.west_office)


def test_a_return_must_come_within_one_working_day(cast, matters):
    with at(2026, 11, 20):  # Friday
        case = actions.dispatch_case(grid_report(cast, matters), by=None)
    with at(2026, 11, 24), pytest.raises(DomainError, match="超过1个工作日"):  # Tuesday: 2 working days later
        actions.return_case(case, reason="不属本单位职责", by=None)
    with at(2026, 11, 23):  # Monday: 1 working day
        case = actions.return_case(case, reason="不属本单位职责", by=None)
    assert (case.status, case.return_count, case.lead_unit) == (Status.RETURNED, 1, None)


def test_after_three_returns_the_dispatcher_must_designate_and_the_unit_cannot_return(cast, matters):
    case = grid_report(cast, matters)
    for _ in range(3):
        case = actions.dispatch_case(case, by=None)
        case = actions.return_case(case, reason="不属本单位职责", by=None)
    with pytest.raises(DomainError, match="请指定承办单位"):
        actions.dispatch_case(case, by=None)
    case = actions.dispatch_case(case, by=None, unit=cast.units.land, designate=True)
    with pytest.raises(DomainError, match="指定承办，不能退单"):
        actions.return_case(case, reason="不属本单位职责", by=None)


def test_supplement_stops_the_clock_for_the_working_days_waited(cast, matters):
    with at(2026, 11, 16):  # Monday
        case, _ = actions.register_case(
            channel=Channel.WINDOW,
            title="参保",
            text="x",
            matter=matters["service"],
            township=cast.regions.east,
            unit=cast.units.east_hall,
        )
        case = actions.accept_case(case, by=None, unit=cast.units.east_hall)
        assert case.due_at.astimezone(TZ).date() == date(2026, 11, 19)
        case = actions.request_supplement(case, missing=["户口簿复印件", "银行卡"], by=None)
    assert case.status == Status.PAUSED
    with at(2026, 11, 18):  # two working days later the materials arrive
        case = actions.resume_case(case, by=None)
    assert (case.status, case.paused_days, case.visits) == (Status.HANDLING, 2, 2)
    assert case.due_at.astimezone(TZ).date() == date(2026, 11, 23)


def test_supplement_notice_must_list_everything_at_once(cast, matters):
    case, _ = actions.register_case(
        channel=Channel.WINDOW,
        title="参保",
        text="x",
        matter=matters["service"],
        township=cast.regions.east,
        unit=cast.units.east_hall,
    )
    case = actions.accept_case(case, by=None, unit=cast.units.east_hall)
    with pytest.raises(DomainError, match="列出需要补正的全部材料"):
        actions.request_supplement(case, missing=[" "], by=None)
    case = actions.request_supplement(case, missing=["户口簿"], by=None)
    case = actions.resume_case(case, by=None)
    with pytest.raises(DomainError, match="一次性告知"):
        actions.request_supplement(case, missing=["照片"], by=None)


def test_an_approved_extension_moves_the_deadline(cast, matters):
    with at(2026, 11, 16):
        case = actions.dispatch_case(grid_report(cast, matters), by=None)
        case = actions.sign_case(case, by=None)
        case = actions.request_extension(case, days=2, reason="需要测绘", by=None)
        with pytest.raises(DomainError, match="已有待审批"):
            actions.request_extension(case, days=1, reason="再等等", by=None)
        case = actions.decide_extension(case, approve=True, by=cast.users.dispatcher)
    assert (case.extension_days, case.due_at.astimezone(TZ).date()) == (2, date(2026, 11, 23))


def test_finish_then_the_grid_worker_sends_it_back_and_then_confirms(cast, matters):
    case = actions.sign_case(actions.dispatch_case(grid_report(cast, matters), by=None), by=None)
    with pytest.raises(DomainError, match="答复"):
        actions.finish_case(case, result=Result.SOLVED, reply=" ", by=None)
    case = actions.finish_case(case, result=Result.SOLVED, reply="已责令停工并拆除地基", by=None)
    with pytest.raises(DomainError, match="说明现场情况"):
        actions.verify_case(case, passed=False, by=cast.users.grid)
    case = actions.verify_case(case, passed=False, note="地基仍在", by=cast.users.grid)
    assert case.status == Status.HANDLING and case.result == ""
    case = actions.finish_case(case, result=Result.SOLVED, reply="地基已拆除复耕", by=None)
    case = actions.verify_case(case, passed=True, by=cast.users.grid)
    assert case.status == Status.VERIFIED
    assert [e.action for e in case.events.all()] == [
        "register",
        "dispatch",
        "sign",
        "finish",
        "send_back",
        "finish",
        "verify",
    ]


def test_the_window_takes_in_a_county_item_and_the_catalog_sends_it_to_the_department(cast, permit):
    with at(2026, 11, 16):
        case, _ = actions.register_case(
            channel=Channel.WINDOW,
            title="乡村建设规划许可",
            text="x",
            matter=permit,
            township=cast.regions.east,
            unit=cast.units.east_hall,
        )
        case = actions.accept_case(case, by=cast.users.east_clerk, unit=cast.units.east_hall)
    assert (case.status, case.lead_unit, case.started_on) == (Status.DISPATCHED, cast.units.land, date(2026, 11, 16))
    assert case.due_at.astimezone(TZ).date() == date(2026, 11, 30)  # 10 committed working days from acceptance


def test_a_case_without_a_matter_dispatched_by_hand_gets_the_default_limit(cast, matters, settings):
    settings.CASE_DEFAULT_LIMIT_DAYS = 5
    with at(2026, 11, 16):  # Monday
        case, _ = actions.register_case(channel=Channel.GRID, title="路灯不亮", text="x", township=cast.regions.east)
        case = actions.dispatch_case(case, by=None, unit=cast.units.east_office)
    assert (case.limit_days, case.due_at.astimezone(TZ).date()) == (5, date(2026, 11, 23))
