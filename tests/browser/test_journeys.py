"""Real journeys in Chromium: log in as several roles, browse units, open a person, see a coverage gap."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jiceng.accounts.models import OperationLog
from jiceng.conftest import PASSWORD
from jiceng.orgs import actions
from jiceng.orgs.models import AbsenceKind, Person

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username, password=PASSWORD):
    page.goto(page.base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base + "/")


def test_a_township_leader_browses_the_unit_tree_of_their_township_only(page, cast):
    log_in(page, "east_leader")
    page.get_by_role("link", name="单位", exact=True).click()
    tree = page.get_by_test_id("unit-tree")
    expect(tree.get_by_role("link", name="东岗镇便民服务中心")).to_be_visible()
    expect(tree).not_to_contain_text("河西镇")
    # The county government above the township is shown for context but is not a link.
    expect(tree).to_contain_text("示范县人民政府")
    expect(tree.get_by_role("link", name="示范县人民政府")).to_have_count(0)
    shot(page, "unit-tree-east-leader")
    tree.get_by_role("link", name="东岗镇便民服务中心").click()
    expect(page.get_by_role("heading", name="东岗镇便民服务中心")).to_be_visible()
    expect(page.locator("main")).to_contain_text("赵借")
    expect(page.get_by_text("人编分离").first).to_be_visible()


def test_the_staffing_office_opens_a_masked_person_and_reveals_the_id_with_a_log_entry(page, cast):
    person = cast.people.east_separated
    log_in(page, "bianban")
    page.get_by_role("link", name="人员", exact=True).click()
    page.get_by_placeholder("姓名或职务").fill("赵借")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("people-table").get_by_role("link")).to_have_count(1)
    page.get_by_role("link", name="赵借").click()
    expect(page.get_by_test_id("masked-id")).to_have_text(person.id_number[:4] + "*" * 10 + person.id_number[-4:])
    assert person.id_number not in page.content()
    expect(page.get_by_test_id("separation")).to_contain_text(
        "编制在“东岗镇党政综合办公室”，实际在“东岗镇便民服务中心”工作"
    )
    shot(page, "person-masked")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="查看完整").first.click()
    expect(page.get_by_test_id("pii-id_number")).to_have_text(person.id_number)
    assert OperationLog.objects.filter(
        action="查看完整身份证号", object_id=str(person.pk), user__username="bianban"
    ).exists()


def test_a_window_clerk_sees_no_reveal_button_and_another_township_is_not_found(page, cast):
    log_in(page, "east_clerk")
    page.goto(page.base + f"/orgs/people/{cast.people.east_clerk.pk}/")
    expect(page.get_by_test_id("masked-id")).to_be_visible()
    expect(page.get_by_role("button", name="查看完整")).to_have_count(0)
    response = page.goto(page.base + f"/orgs/people/{cast.people.west_staff.pk}/")
    assert response.status == 404
    assert "不在您的数据范围内" in page.content()


def test_a_leader_sees_a_coverage_gap_when_everyone_on_a_post_is_away(page, cast):
    today = timezone.localdate()
    post = actions.create_post(cast.units.east_hall, name="社保医保窗口", by=None)
    actions.set_post_holders(post, a=cast.people.east_clerk, bs=[cast.people.east_separated], by=None)
    actions.record_absence(
        cast.people.east_clerk, kind=AbsenceKind.LEAVE, start_date=today, end_date=today + timedelta(days=9), by=None
    )
    actions.record_absence(
        cast.people.east_separated,
        kind=AbsenceKind.TRAINING,
        start_date=today,
        end_date=today + timedelta(days=9),
        by=None,
    )
    log_in(page, "east_leader")
    page.get_by_role("link", name="在岗缺口").click()
    table = page.get_by_test_id("gaps-table")
    row = table.get_by_role("row").filter(has_text="社保医保窗口")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("A岗王窗口请假")
    expect(row).to_contain_text("B岗1赵借培训")
    shot(page, "coverage-gaps")
    row.get_by_role("link", name="社保医保窗口").click()
    expect(page.get_by_test_id("on-duty")).to_contain_text("无人在岗")


def test_a_bad_id_number_gets_a_chinese_error_and_nothing_is_saved(page, cast):
    before = Person.objects.count()
    log_in(page, "bianban")
    page.goto(page.base + "/orgs/people/new/")
    page.get_by_label("姓名").fill("钱错号")
    page.get_by_label("身份证号").fill("411799198501010011")  # correct check digit would be different
    page.get_by_label("编制类型").select_option(label="行政")
    page.get_by_label("编制所在单位").select_option(label="　　东岗镇党政综合办公室")
    page.get_by_label("工作单位").select_option(label="　　东岗镇党政综合办公室")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("[data-field=id_number]")).to_contain_text("校验位错误")
    shot(page, "person-bad-id")
    assert Person.objects.count() == before


def test_the_working_day_calculator_works_without_logging_in(page, cast, calendar_2026):
    page.goto(page.base + "/workdays/?start=2026-09-30&days=5")
    expect(page.get_by_test_id("add-result")).to_contain_text("2026年10月13日")
    page.goto(page.base + "/workdays/?start=2027-03-01&days=3")
    expect(page.get_by_test_id("fallback-notice")).to_contain_text("2027年")


def test_a_grid_worker_sees_only_their_own_record(page, cast):
    log_in(page, "wangge")
    page.get_by_role("link", name="人员", exact=True).click()
    expect(page.get_by_test_id("people-table").get_by_role("link")).to_have_text(["周网格"])
    page.get_by_role("link", name="单位", exact=True).click()
    expect(page.get_by_test_id("unit-tree").get_by_role("link")).to_have_text(["柳树村民委员会"])


def test_the_administrator_enters_next_years_holiday_and_the_calculator_uses_it(page, cast, calendar_2026):
    log_in(page, "admin")
    page.get_by_role("link", name="节假日维护").click()
    page.get_by_role("link", name="2027 ›").click()
    expect(page.get_by_test_id("year-unknown")).to_be_visible()
    page.get_by_label("日期").fill("2027-01-01")
    page.get_by_label("名称").fill("元旦")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("cell", name="元旦")).to_be_visible()
    page.get_by_label("依据文件").fill("国办发明电〔2026〕9号")
    page.get_by_role("button", name="确认").click()
    expect(page.locator("main")).to_contain_text("已确认")
    page.goto(page.base + "/workdays/?start=2026-12-31&days=1")
    expect(page.get_by_test_id("add-result")).to_contain_text("2027年1月4日")
    expect(page.get_by_test_id("fallback-notice")).to_have_count(0)
