"""Catalog journeys in Chromium: a citizen searches the service guide; a department's admission request
is approved by the staffing office."""

from datetime import date

import pytest
from playwright.sync_api import expect

from jiceng.catalog import actions
from jiceng.catalog.models import AdmissionRequest, Area, CatalogUnit, Level, ListKind

from .conftest import shot
from .test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def guide(cast):
    area = Area.objects.create(code="A12", name="人社医保")
    hall = CatalogUnit.objects.create(code="T08", name="便民服务中心", level=Level.TOWNSHIP, kind="事业单位")
    actions.bind_role(hall, cast.regions.east, cast.units.east_hall, by=None)
    actions.save_matter(
        code="S001",
        area=area,
        effective_from=date(2025, 1, 1),
        document_no="示编〔2024〕30号",
        by=None,
        fields={
            "name": "城乡居民基本养老保险参保登记",
            "list_kind": ListKind.SERVICE,
            "service_type": "公共服务",
            "statutory_days": 5,
            "committed_days": 0,
            "materials": "居民身份证或户口簿\n银行账户信息",
            "window": "社保医保窗口",
            "location": "东岗镇便民服务中心",
            "once_done": True,
            "no_visit": True,
            "keywords": "养老;社保;交养老钱",
            "legal_basis": "《中华人民共和国社会保险法》",
        },
        duties=[actions.Duty(hall, True, "受理、审核、登记")],
    )
    return area


def test_a_citizen_finds_what_to_bring_for_pension_registration_without_logging_in(page, guide):
    page.goto(page.base + "/public/guide/")
    page.get_by_label("搜索办事事项").fill("交养老钱")
    page.get_by_role("button", name="搜索").click()
    results = page.get_by_test_id("guide-results")
    expect(results).to_contain_text("即办")
    expect(results).to_contain_text("村（社区）代办点可办")
    results.get_by_role("link", name="城乡居民基本养老保险参保登记").click()
    item = page.get_by_test_id("guide-item")
    for text in ("银行账户信息", "社保医保窗口", "即办（当场办结）"):
        expect(item).to_contain_text(text)
    shot(page, "public-guide-item")
    page.goto(page.base + "/public/guide/?q=不存在的事")
    expect(page.get_by_test_id("guide-results")).to_contain_text("没有找到相关事项")


def test_a_department_requests_admission_and_the_staffing_office_approves(page, cast, guide):
    log_in(page, "bumen")
    page.get_by_role("link", name="清单外事项准入").click()
    page.get_by_label("申请部门").select_option(label="　县自然资源局")
    page.get_by_label("事项名称").fill("农村宅基地面积入户核查")
    page.get_by_label("拟交由乡镇承担的工作").fill("每年组织村（社区）对宅基地面积入户核查并汇总上报")
    page.get_by_label("理由和依据").fill("国土变更调查工作需要")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("admission-status")).to_have_text("待审核")
    page.get_by_role("button", name="退出").click()

    log_in(page, "bianban")
    page.get_by_role("link", name="清单外事项准入").click()
    page.get_by_role("link", name="农村宅基地面积入户核查").click()
    page.get_by_label("审核意见").fill("同意纳入属地管理事项，由乡镇配合开展入户核查")
    page.get_by_role("button", name="准予纳入清单").click()
    expect(page.get_by_test_id("admission-status")).to_have_text("准予纳入清单")
    shot(page, "admission-approved")
    request = AdmissionRequest.objects.get()
    assert request.status == AdmissionRequest.Status.APPROVED and request.decided_by.username == "bianban"
