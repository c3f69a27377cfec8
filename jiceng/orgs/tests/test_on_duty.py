"""Who is on duty for a post (A, else the first present B, else nobody) and the coverage gaps."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from jiceng.lib.errors import DomainError
from jiceng.orgs import actions
from jiceng.orgs.duty import coverage_gaps, on_duty
from jiceng.orgs.models import AbsenceKind, Post

MON = date(2026, 11, 16)  # a Monday in an ordinary week
FRI = date(2026, 11, 20)


@pytest.fixture
def post(cast, calendar_2026):
    p = actions.create_post(cast.units.east_hall, name="综合受理窗口", by=None)
    actions.set_post_holders(
        p, a=cast.people.east_clerk, bs=[cast.people.east_separated, cast.people.east_staff], by=None
    )
    return p


def away(person, start, end, kind=AbsenceKind.LEAVE):
    return actions.record_absence(person, kind=kind, start_date=start, end_date=end, by=None)


def test_the_a_holder_is_on_duty_when_present(post, cast):
    duty = on_duty(post, MON)
    assert duty.person == cast.people.east_clerk
    assert duty.holder.label == "A岗"


def test_the_first_b_holder_stands_in_when_a_is_away(post, cast):
    away(cast.people.east_clerk, MON, FRI)
    duty = on_duty(post, MON)
    assert duty.person == cast.people.east_separated
    assert "王窗口请假" in duty.reason and "B岗1赵借顶岗" in duty.reason


def test_the_second_b_holder_stands_in_when_a_and_the_first_b_are_away(post, cast):
    away(cast.people.east_clerk, MON, FRI)
    away(cast.people.east_separated, MON, MON, AbsenceKind.TRAINING)
    assert on_duty(post, MON).person == cast.people.east_staff
    assert on_duty(post, date(2026, 11, 17)).person == cast.people.east_separated


def test_nobody_is_on_duty_when_all_are_away_and_the_reason_names_each(post, cast):
    away(cast.people.east_clerk, MON, FRI)
    away(cast.people.east_separated, MON, FRI, AbsenceKind.TRIP)
    away(cast.people.east_staff, MON, FRI, AbsenceKind.SECONDMENT)
    duty = on_duty(post, MON)
    assert duty.person is None
    assert duty.reason.startswith("无人在岗")
    for fragment in ("王窗口请假", "赵借出差", "李东借调"):
        assert fragment in duty.reason


def test_a_person_who_left_counts_as_away(post, cast):
    actions.update_person(cast.people.east_clerk, active=False, by=None)
    duty = on_duty(post, MON)
    assert duty.person == cast.people.east_separated
    assert "已不在职" in duty.reason


def test_a_post_without_holders_reports_both_missing(cast, calendar_2026):
    empty = actions.create_post(cast.units.east_office, name="档案管理", by=None)
    duty = on_duty(empty, MON)
    assert duty.person is None
    assert "未设A岗" in duty.reason and "未设B岗" in duty.reason


def test_a_moment_is_judged_on_its_local_date(post, cast):
    away(cast.people.east_clerk, MON, MON)
    # 2026-11-15 20:00 UTC is already Monday 04:00 in Asia/Shanghai.
    moment = datetime(2026, 11, 15, 20, 0, tzinfo=ZoneInfo("UTC"))
    assert on_duty(post, moment).person == cast.people.east_separated


def test_weekend_answers_say_it_is_not_a_workday(post):
    assert on_duty(post, date(2026, 11, 21)).workday is False
    assert on_duty(post, date(2026, 10, 10)).workday is True  # 国庆调休上班


def test_no_more_than_two_b_holders(post, cast):
    with pytest.raises(DomainError, match="B岗最多"):
        actions.set_post_holders(
            post,
            a=cast.people.east_clerk,
            bs=[cast.people.east_separated, cast.people.east_staff, cast.people.grid],
            by=None,
        )


def test_one_person_cannot_be_a_and_b_on_the_same_post(post, cast):
    with pytest.raises(DomainError, match="同一人"):
        actions.set_post_holders(post, a=cast.people.east_clerk, bs=[cast.people.east_clerk], by=None)


def test_overlapping_absences_of_one_person_are_refused(cast):
    away(cast.people.east_clerk, MON, FRI)
    with pytest.raises(DomainError, match="已有登记"):
        away(cast.people.east_clerk, FRI, date(2026, 11, 24))


def test_gaps_are_grouped_into_runs_of_working_days(post, cast):
    # All three away from Thursday to the next Tuesday: the gap is Thu, Fri, Mon, Tue (4 working days).
    for person in (cast.people.east_clerk, cast.people.east_separated, cast.people.east_staff):
        away(person, date(2026, 11, 19), date(2026, 11, 24))
    gaps = coverage_gaps(Post.objects.all(), MON, date(2026, 11, 30))
    assert len(gaps) == 1
    gap = gaps[0]
    assert (gap.post, gap.start, gap.end, gap.workdays) == (post, date(2026, 11, 19), date(2026, 11, 24), 4)


def test_gaps_skip_holidays_and_count_make_up_days(post, cast, calendar_2026):
    # 2026-09-28 … 2026-10-12 covers National Day (10-01…10-07 off) and the make-up Saturday 10-10.
    for person in (cast.people.east_clerk, cast.people.east_separated, cast.people.east_staff):
        away(person, date(2026, 9, 28), date(2026, 10, 12))
    (gap,) = coverage_gaps(Post.objects.filter(pk=post.pk), date(2026, 9, 28), date(2026, 10, 12))
    assert date(2026, 10, 1) not in gap.days
    assert date(2026, 10, 10) in gap.days
    assert gap.workdays == 3 + 3 + 1  # 9-28..9-30, 10-08..10-10, 10-12


def test_a_change_of_reason_starts_a_new_gap(post, cast):
    away(cast.people.east_clerk, MON, FRI)
    away(cast.people.east_separated, MON, FRI)
    away(cast.people.east_staff, MON, date(2026, 11, 17), AbsenceKind.TRAINING)
    away(cast.people.east_staff, date(2026, 11, 18), FRI, AbsenceKind.TRIP)
    gaps = coverage_gaps(Post.objects.all(), MON, FRI)
    assert [(g.start, g.end) for g in gaps] == [(MON, date(2026, 11, 17)), (date(2026, 11, 18), FRI)]


def test_no_gap_when_a_b_holder_is_present(post, cast):
    away(cast.people.east_clerk, MON, FRI)
    away(cast.people.east_separated, MON, FRI)
    assert coverage_gaps(Post.objects.all(), MON, FRI) == []


def test_the_gaps_page_lists_the_gap_for_the_leader_but_not_for_another_township(client, post, cast):
    for person in (cast.people.east_clerk, cast.people.east_separated, cast.people.east_staff):
        away(person, MON, MON)
    url = "/orgs/gaps/?start=2026-11-16&end=2026-11-20"
    client.force_login(cast.users.east_leader)
    assert "综合受理窗口" in client.get(url).content.decode()
    client.force_login(cast.users.west_leader)
    assert "综合受理窗口" not in client.get(url).content.decode()


def test_the_gaps_page_explains_a_bad_range(client, cast):
    client.force_login(cast.users.staffing)
    text = client.get("/orgs/gaps/?start=2026-11-20&end=2026-11-16").content.decode()
    assert "结束日期不能早于开始日期" in text


def test_revoking_a_unit_stops_its_posts_appearing_in_gaps(cast, calendar_2026):
    unit = actions.create_unit(
        by=None, name="临时专班", kind="institution", region=cast.regions.east, parent=cast.units.east_root
    )
    actions.create_post(unit, name="值守", by=None)  # no holders: a gap on every working day
    assert coverage_gaps(Post.objects.filter(unit=unit), MON, FRI)
    actions.revoke_unit(unit, on=FRI, document_no="示编〔2026〕1号", by=None)
    assert coverage_gaps(Post.objects.filter(unit=unit), MON, FRI) == []
