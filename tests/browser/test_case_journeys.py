"""Case journeys in Chromium: a window visit with a missing material, and a township's call to a department."""

from datetime import date

import pytest
from playwright.sync_api import expect

from jiceng.cases.models import Case, Evaluation, Status
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
        code="S002",
        area=area,
        effective_from=date(2025, 1, 1),
        document_no="x",
        by=None,
        fields={
            "name": "乡村建设规划许可",
            "list_kind": ListKind.SERVICE,
            "service_type": "行政许可",
            "statutory_days": 20,
            "committed_days": 10,
            "materials": "居民身份证\n建房申请表\n村民委员会意见",
        },
        duties=[catalog.Duty(land, True, "审批")],
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


def log_out(page):
    page.goto(page.base + "/")
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/**")


def test_window_registration_dispatch_sign_supplement_resume_finish_and_rating(page, cast, matters):
    log_in(page, "east_clerk")
    page.get_by_role("link", name="窗口受理").click()
    page.get_by_label("查找办事事项").fill("规划")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("link", name="乡村建设规划许可").click()
    page.get_by_label("申请人姓名").fill("刘桂兰")
    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_role("button", name="受理并打印回执").click()
    expect(page.get_by_test_id("notice-heading")).to_have_text("受理回执")
    case = Case.objects.get()
    assert (case.status, case.lead_unit) == (Status.DISPATCHED, cast.units.land)  # sent on by the catalog
    log_out(page)

    log_in(page, "bumen")
    page.get_by_role("link", name="单位工作台").click()
    page.get_by_role("link", name="乡村建设规划许可").click()
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_test_id("case-status")).to_have_text("办理中")
    page.get_by_label("需补正的材料").fill("村民委员会意见\n宅基地权属证明")
    page.get_by_role("button", name="一次性告知补正").click()
    expect(page.get_by_test_id("case-status")).to_have_text("补正中")
    page.get_by_role("link", name="补正告知书").click()
    expect(page.locator("ol")).to_contain_text("宅基地权属证明")
    shot(page, "supplement-notice")
    page.get_by_role("link", name="返回办件").click()
    page.get_by_role("button", name="材料已补齐，恢复办理").click()
    expect(page.get_by_test_id("case-status")).to_have_text("办理中")
    page.get_by_label("答复群众").fill("规划许可已批准，请到窗口领取许可证")
    page.get_by_role("button", name="办结").click()
    expect(page.get_by_test_id("case-status")).to_have_text("已办结")
    log_out(page)

    log_in(page, "east_clerk")
    page.goto(page.base + case.get_absolute_url())
    page.get_by_label("群众评价").select_option(label="非常满意")
    page.get_by_label("回访意见").fill("跑一次就办好了")
    page.get_by_role("button", name="记录回访评价").click()
    expect(page.get_by_test_id("case-status")).to_have_text("已评价")
    expect(page.get_by_test_id("rating")).to_contain_text("非常满意")
    history = page.get_by_test_id("case-history")
    for step in ("登记", "受理", "派单", "签收", "补正", "补正完成", "办结", "评价"):
        expect(history).to_contain_text(step)
    shot(page, "window-journey-rated")


def test_grid_report_dispatched_handled_verified_and_reverse_evaluated(page, cast, matters):
    log_in(page, "wangge")
    page.get_by_role("link", name="网格上报").click()
    page.get_by_label("问题").fill("村东麦地有人打地基")
    page.get_by_label("现场情况").fill("村东头麦地里正在打地基，已劝阻无效")
    page.get_by_label("村（社区）").select_option(label="柳树村")
    page.get_by_label("具体位置").fill("村东头麦地")
    page.get_by_role("button", name="上报").click()
    expect(page.get_by_test_id("my-reports")).to_contain_text("村东麦地有人打地基")
    case = Case.objects.get()
    log_out(page)

    log_in(page, "paidan")
    page.get_by_role("link", name="指挥中心").click()
    page.get_by_test_id("queue").get_by_role("row").filter(has_text="村东麦地有人打地基").get_by_role(
        "link", name="处理"
    ).click()
    page.locator("form[action$='/do/dispatch/'] select[name=unit]").select_option(label="　县自然资源局")
    page.get_by_role("button", name="派单", exact=True).click()
    expect(page.get_by_test_id("case-status")).to_have_text("已派单")
    log_out(page)

    log_in(page, "bumen")
    page.get_by_role("link", name="单位工作台").click()
    page.get_by_role("link", name="村东麦地有人打地基").click()
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_test_id("case-status")).to_have_text("办理中")
    page.get_by_label("答复群众").fill("已责令停工，地基已拆除复耕")
    page.get_by_role("button", name="办结").click()
    expect(page.get_by_test_id("case-status")).to_have_text("已办结")
    log_out(page)

    log_in(page, "wangge")
    page.get_by_role("link", name="网格上报").click()
    page.get_by_test_id("my-reports").get_by_role("link", name="村东麦地有人打地基").click()
    page.get_by_role("button", name="核查通过").click()
    expect(page.get_by_test_id("case-status")).to_have_text("已核查")
    log_out(page)

    log_in(page, "east_leader")
    page.goto(page.base + case.get_absolute_url())
    page.get_by_label("响应速度").select_option("5")
    page.get_by_label("办理质量").select_option("4")
    page.get_by_label("配合程度").select_option("5")
    page.get_by_label("评价意见").fill("响应快，处置到位")
    page.get_by_role("button", name="反向评价").click()
    expect(page.get_by_test_id("reverse")).to_contain_text("响应5 · 质量4 · 配合5")
    shot(page, "grid-journey-reverse-evaluated")
    evaluation = Evaluation.objects.get(case=case, kind=Evaluation.Kind.REVERSE)
    assert (evaluation.unit, evaluation.score) == (cast.units.land, 5)


def test_a_township_calls_the_command_centre_dispatches_and_the_department_finishes(page, cast, matters):
    log_in(page, "east_leader")
    page.get_by_role("link", name="乡呼县应").click()
    page.get_by_label("事项").select_option(label="M001 违法占用耕地建房")
    page.get_by_label("标题").fill("柳树村耕地上有人打地基")
    page.get_by_label("情况描述").fill("村东麦地里正在打地基，已劝阻无效")
    page.get_by_role("button", name="呼叫").click()
    expect(page.get_by_test_id("case-status")).to_be_visible()
    case = Case.objects.get()
    log_out(page)

    log_in(page, "paidan")
    page.get_by_role("link", name="指挥中心").click()
    row = page.get_by_test_id("queue").get_by_role("row").filter(has_text="柳树村耕地上有人打地基")
    expect(row).to_contain_text("县自然资源局")
    row.get_by_role("button", name="一键派单").click()
    expect(page.get_by_test_id("queue").get_by_role("row").filter(has_text="柳树村耕地上有人打地基")).to_have_count(0)
    log_out(page)

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
