"""The case list: data scope, filters, bad dates explained, Excel with masked contacts, constant query count."""

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from jiceng.cases import actions
from jiceng.cases.models import Channel
from jiceng.lib.paging import CappedPaginator

from .test_case_flow import grid_report


def codes(response) -> set[str]:
    return {c.code for c in response.context["page"]}


@pytest.fixture
def three(cast, matters):
    """A dispatched grid report, an undispatched hotline order and a 河西镇 report."""
    land = actions.dispatch_case(grid_report(cast, matters, address="村东头麦地"), by=None)
    hotline, _ = actions.register_case(
        channel=Channel.HOTLINE,
        title="夜间施工噪声扰民",
        text="工地夜里施工",
        township=cast.regions.east,
        external_no="HL-2026-0001",
        requester_name="刘桂兰",
        requester_phone="13912345678",
    )
    west, _ = actions.register_case(channel=Channel.GRID, title="河西路灯不亮", text="x", township=cast.regions.west)
    return land, hotline, west


def test_each_role_lists_only_its_cases(client, cast, three):
    land, hotline, west = three
    client.force_login(cast.users.dispatcher)
    assert codes(client.get("/cases/")) == {land.code, hotline.code, west.code}
    client.force_login(cast.users.department)
    assert codes(client.get("/cases/")) == {land.code}
    client.force_login(cast.users.east_leader)
    assert codes(client.get("/cases/")) == {land.code, hotline.code}


def test_filters_by_code_text_channel_and_state(client, cast, three):
    land, hotline, west = three
    client.force_login(cast.users.dispatcher)
    assert codes(client.get("/cases/", {"q": hotline.code.lower()})) == {hotline.code}
    assert codes(client.get("/cases/", {"q": "麦地"})) == {land.code}
    assert codes(client.get("/cases/", {"q": "HL-2026-0001"})) == {hotline.code}
    assert codes(client.get("/cases/", {"channel": "hotline"})) == {hotline.code}
    assert codes(client.get("/cases/", {"state": "dispatched"})) == {land.code}
    assert codes(client.get("/cases/", {"township": cast.regions.west.pk})) == {west.code}
    assert codes(client.get("/cases/", {"lead_unit": cast.units.land.pk})) == {land.code}


def test_a_reversed_date_range_is_explained_and_lists_nothing(client, cast, three):
    client.force_login(cast.users.dispatcher)
    response = client.get("/cases/", {"since": "2026-05-01", "until": "2026-04-01"})
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert codes(response) == set()


def test_the_export_masks_the_requester(client, cast, three):
    client.force_login(cast.users.dispatcher)
    response = client.get("/cases/", {"channel": "hotline", "export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert rows[0][0] == "查询码" and len(rows) == 2
    assert rows[1][-2:] == ("刘**", "139****5678")
    assert "13912345678" not in str(rows)


def test_the_list_costs_the_same_queries_for_more_cases(client, cast, matters):
    client.force_login(cast.users.department)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get("/cases/")
        return len(ctx.captured_queries)

    actions.dispatch_case(grid_report(cast, matters), by=None)
    before = count()
    for _ in range(5):
        actions.dispatch_case(grid_report(cast, matters), by=None)
    assert count() == before


def test_past_the_count_cap_the_list_says_so_and_offers_only_capped_pages(client, cast, three, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 2)  # the default is 2,000
    client.force_login(cast.users.dispatcher)
    response = client.get("/cases/")
    paginator = response.context["page"].paginator
    assert (paginator.count, paginator.capped) == (3, True)
    assert "超过 2 条" in response.content.decode()
    api = client.get("/api/v1/cases/").json()
    assert (api["count"], api["count_capped"]) == (3, True)
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    api = client.get("/api/v1/cases/").json()
    assert (api["count"], api["count_capped"]) == (3, False)


def test_chinese_text_and_mixed_text_both_find_titles_and_places(client, cast, three):
    land, hotline, west = three
    client.force_login(cast.users.dispatcher)
    assert codes(client.get("/cases/", {"q": "路灯"})) == {west.code}
    assert codes(client.get("/cases/", {"q": "麦地"})) == {land.code}  # the place
    assert codes(client.get("/cases/", {"q": "hl-2026-0001"})) == set()  # order numbers are exact
    assert codes(client.get("/cases/", {"q": "HL-2026-0001"})) == {hotline.code}
