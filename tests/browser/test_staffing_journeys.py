"""Staffing journeys in Chromium: import a roster, read the vacancy chart, preview and execute a plan."""

from datetime import date

import pytest
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import expect

from jiceng.lib.validators import build_id_number
from jiceng.orgs.models import Person, UnitKind, UnitStatus
from jiceng.staffing import actions, plans
from jiceng.staffing.models import EntryReason, PlanStatus, QuotaKind

from .conftest import shot
from .test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def roster_file(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append(["姓名", "身份证号", "编制类型", "编制所在单位", "工作单位", "进编日期"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return str(path)


def test_the_staffing_office_imports_a_roster_after_fixing_a_bad_row(page, cast, settings, tmp_path):
    settings.STAFFING_IMPORT_INLINE = True
    good = build_id_number("411799", date(1991, 3, 4), 41)
    log_in(page, "bianban")
    page.get_by_role("link", name="台账导入").click()
    bad = roster_file(
        tmp_path / "bad.xlsx",
        [
            ["冯新", good, "行政", "东岗镇党政综合办公室", "东岗镇党政综合办公室", "2016-08-01"],
            ["卫错", "411799198501010011", "行政", "东岗镇党政综合办公室", "东岗镇党政综合办公室", "2016-08-01"],
        ],
    )
    page.get_by_label("花名册（.xlsx）").set_input_files(bad)
    page.get_by_role("button", name="上传并预检").click()
    expect(page.get_by_test_id("import-errors")).to_contain_text("校验位错误")
    shot(page, "import-errors")
    assert not Person.objects.filter(name="冯新").exists()

    page.get_by_role("complementary").get_by_role("link", name="台账导入").click()
    fixed = roster_file(
        tmp_path / "fixed.xlsx",
        [
            ["冯新", good, "行政", "东岗镇党政综合办公室", "东岗镇党政综合办公室", "2016-08-01"],
        ],
    )
    page.get_by_label("花名册（.xlsx）").set_input_files(fixed)
    page.get_by_role("button", name="上传并预检").click()
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_test_id("import-done")).to_contain_text("导入完成")
    assert Person.objects.get(name="冯新").placements.get().start_on == date(2016, 8, 1)


def test_the_report_draws_the_vacancy_charts(page, cast):
    account = actions.get_account(cast.units.east_office, QuotaKind.ADMINISTRATIVE)
    actions.record_entry(
        account, delta=5, reason=EntryReason.APPROVE, on=date(2020, 1, 1), document_no="示编〔2020〕1号", by=None
    )
    log_in(page, "bianban")
    page.get_by_role("link", name="编制台账").click()
    page.locator("#chart-kinds canvas").wait_for()
    page.locator("#chart-townships canvas").wait_for()
    row = page.get_by_test_id("unit-table").get_by_role("row").filter(has_text="东岗镇党政综合办公室")
    cells = row.get_by_role("cell")
    expect(cells).to_have_count(8)
    assert cells.all_inner_texts()[2:] == ["行政编制", "5", "2", "0", "3", "0"]
    page.wait_for_timeout(800)  # let the bars finish their animation for the screenshot
    shot(page, "staffing-report")


def test_the_staffing_office_previews_and_executes_a_merger(page, cast):
    actions.record_entry(
        actions.get_account(cast.units.east_office, QuotaKind.ADMINISTRATIVE),
        delta=4,
        reason=EntryReason.APPROVE,
        on=date(2020, 1, 1),
        document_no="示编〔2020〕1号",
        by=None,
    )
    actions.record_entry(
        actions.get_account(cast.units.east_hall, QuotaKind.ADMINISTRATIVE),
        delta=1,
        reason=EntryReason.APPROVE,
        on=date(2020, 1, 1),
        document_no="示编〔2020〕1号",
        by=None,
    )
    plan = plans.create_plan(
        name="东岗镇综合办公室组建方案",
        region=cast.regions.east,
        effective_on=timezone.localdate(),
        document_no="示编〔2026〕21号",
        by=None,
    )
    target = plans.add_target(
        plan,
        name="东岗镇综合办公室",
        kind=UnitKind.COMBINED,
        parent=cast.units.east_root,
        leader_chief=1,
        leader_deputy=2,
        by=None,
    )
    for unit in (cast.units.east_office, cast.units.east_hall):
        plans.add_source(plan, unit, target=target, by=None)
    log_in(page, "bianban")
    page.get_by_role("link", name="机构改革方案").click()
    page.get_by_role("link", name="东岗镇综合办公室组建方案").click()
    expect(page.get_by_test_id("plan-ok")).to_be_visible()
    expect(page.locator("main")).to_contain_text("单位 2 → 1")
    expect(page.get_by_test_id("preview")).to_contain_text("东岗镇综合办公室")
    shot(page, "plan-preview")
    page.get_by_role("button", name="提交审批").click()
    page.get_by_role("button", name="批准").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="实施方案").click()
    expect(page.locator("main")).to_contain_text("方案已实施")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.EXECUTED
    cast.units.east_office.refresh_from_db()
    assert cast.units.east_office.status == UnitStatus.MERGED
    assert Person.objects.get(pk=cast.people.east_staff.pk).work_unit.name == "东岗镇综合办公室"
