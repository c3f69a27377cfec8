"""Leaders' figures from the cases: on-time rate, working days, days saved, 一次办好 share, ranking, 督办 list."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from jiceng.cases import actions, figures
from jiceng.cases.models import Channel, Result

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d):
    return time_machine.travel(datetime(y, m, d, 9, tzinfo=TZ), tick=False)


def window_case(cast, matters, *, supplement=False, finish_on):
    with at(2026, 11, 16):
        c, _ = actions.register_case(
            channel=Channel.WINDOW,
            title="参保",
            text="x",
            matter=matters["service"],
            township=cast.regions.east,
            unit=cast.units.east_hall,
        )
        c = actions.accept_case(c, by=None, unit=cast.units.east_hall)
        if supplement:
            c = actions.request_supplement(c, missing=["户口簿"], by=None)
            c = actions.resume_case(c, by=None)
    with at(*finish_on):
        return actions.finish_case(c, result=Result.SOLVED, reply="已办", by=None)


def test_totals_count_on_time_days_saved_and_once_share(cast, matters):
    window_case(cast, matters, finish_on=(2026, 11, 17))  # 1 working day, statutory 5: 4 saved, once
    window_case(cast, matters, supplement=True, finish_on=(2026, 11, 25))  # due 11-19: late, not once
    with at(2026, 11, 26):
        t = figures.totals(date(2026, 1, 1))
    assert t.finished == 2 and t.on_time_rate == 0.5
    assert t.once_share == 0.5
    assert t.average_workdays == (1 + 7) / 2
    assert t.saved_workdays == ((5 - 1) + (5 - 7)) / 2


def test_the_overdue_list_and_ranking_page(client, cast, matters):
    with at(2026, 11, 16):
        c, _ = actions.register_case(
            channel=Channel.GRID, title="耕地打地基", text="x", matter=matters["event"], township=cast.regions.east
        )
        actions.dispatch_case(c, by=None)
    with at(2026, 11, 26):
        client.force_login(cast.users.staffing)
        page = client.get(reverse("cases:leaders")).content.decode()
    assert "耕地打地基" in page and "县自然资源局" in page
    assert ">5<" in page  # 11-19 due; 20, 23, 24, 25, 26 → 5 working days late


def test_the_headline_figures_cover_only_the_leaders_own_cases(client, cast, matters):
    window_case(cast, matters, finish_on=(2026, 11, 17))  # a 东岗镇 case
    client.force_login(cast.users.west_leader)
    assert client.get(reverse("cases:leaders")).context["totals"].finished == 0
    client.force_login(cast.users.east_leader)
    assert client.get(reverse("cases:leaders")).context["totals"].finished == 1
