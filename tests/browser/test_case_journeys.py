"""Case journeys in Chromium: a window visit with a missing material, and a township's call to a department."""

from datetime import date

import pytest
from playwright.sync_api import expect

from jiceng.cases.models import Case, Status
from jiceng.catalog import actions as catalog
from jiceng.catalog.models import Area, CatalogUnit, Level, ListKind

from .conftest import shot
from .test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def matters(cast, calendar_2026):
    area = Area.objects.create(code="A01", name="自然资源")
    land = CatalogUnit.objects.create(
        code="C01", name="县自然资源局", level=Level.COUNTY, kind="党政机构", unit=cast.units.land
    )
    hall = CatalogUnit.objects.create(code="T08", name="便民服务中心", level=Level.TOWNSHIP, kind="事业单位")
    catalog.bind_role(hall, cast.regions.east, cast.units.east_hall, by=None)
    catalog.save_matter(
        code="S001",
        area=area,
        effective_from=date(2025, 1, 1),
        document_no="x",
        by=None,
        fields={
            "name": "城乡居民养老保险参保登记",
            "list_kind": ListKind.SERVICE,
            "service_type": "公共服务",
            "statutory_days": 5,
            "committed_days": 3,
            "materials": "居民身份证\n户口簿",
        },
        duties=[catalog.Duty(hall, True, "受理")],
    )
    catalog.save_matter(
        code="M001",
        area=area,
        effective_from=date(2025, 1, 1),
        document_no="x",
        by=None,
        fields={"name": "违法占用耕地建房", "list_kind": ListKind.LOCAL, "time_limit_days": 3},
        duties=[catalog.Duty(land, True, "查处")],
    )


def test_a_window_visit_with_a_missing_material_then_resumed_and_finished(page, cast, matters):
    log_in(page, "east_clerk")
    page.get_by_role("link", name="窗口受理").click()
    page.get_by_label("查找办事事项").fill("养老")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("link", name="城乡居民养老保险参保登记").click()
    page.get_by_label("户口簿").uncheck()
    page.get_by_label("申请人姓名").fill("刘桂兰")
    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_role("button", name="受理并打印回执").click()
    expect(page.locator("body")).to_contain_text("补正告知书")
    expect(page.locator("body")).to_contain_text("户口簿")
    shot(page, "supplement-notice")
    page.get_by_role("link", name="返回办件").click()
    expect(page.get_by_test_id("case-status")).to_have_text("补正中")
    page.get_by_role("button", name="材料已补齐，恢复办理").click()
    expect(page.get_by_test_id("case-status")).to_have_text("办理中")
    page.get_by_label("答复群众").fill("已办理参保登记")
    page.get_by_role("button", name="办结").click()
    expect(page.get_by_test_id("case-status")).to_have_text("已办结")
    history = page.get_by_test_id("case-history")
    for step in ("登记", "受理", "开始办理", "补正", "补正完成", "办结"):
        expect(history).to_contain_text(step)


def test_a_township_calls_the_command_centre_dispatches_and_the_department_finishes(page, cast, matters):
    log_in(page, "east_leader")
    page.get_by_role("link", name="乡呼县应").click()
    page.get_by_label("事项").select_option(label="M001 违法占用耕地建房")
    page.get_by_label("标题").fill("柳树村耕地上有人打地基")
    page.get_by_label("情况描述").fill("村东麦地里正在打地基，已劝阻无效")
    page.get_by_role("button", name="呼叫").click()
    expect(page.get_by_test_id("case-status")).to_be_visible()
    case = Case.objects.get()
    page.get_by_role("button", name="退出").click()

    log_in(page, "paidan")
    page.get_by_role("link", name="指挥中心").click()
    row = page.get_by_test_id("queue").get_by_role("row").filter(has_text="柳树村耕地上有人打地基")
    expect(row).to_contain_text("县自然资源局")
    row.get_by_role("button", name="一键派单").click()
    expect(page.get_by_test_id("queue").get_by_role("row").filter(has_text="柳树村耕地上有人打地基")).to_have_count(0)
    page.get_by_role("button", name="退出").click()

    log_in(page, "bumen")
    page.get_by_role("link", name="单位工作台").click()
    expect(page.get_by_test_id("count-signing")).to_have_text("1")
    page.get_by_role("link", name="柳树村耕地上有人打地基").click()
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_test_id("case-status")).to_have_text("办理中")
    page.get_by_label("答复群众").fill("已责令停工，地基已拆除复耕")
    page.get_by_role("button", name="办结").click()
    expect(page.get_by_test_id("case-status")).to_have_text("已办结")
    shot(page, "township-call-finished")
    case.refresh_from_db()
    assert (case.status, case.lead_unit) == (Status.FINISHED, cast.units.land)
