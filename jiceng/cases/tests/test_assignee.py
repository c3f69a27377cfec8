"""派单到人: the unit's 承接派单 post gives the case its 经办人 — the A holder, or the B holder standing in."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from jiceng.accounts.roles import Role
from jiceng.cases import actions
from jiceng.cases.models import Channel, Notification
from jiceng.fixtures import make_person, make_user
from jiceng.orgs import actions as orgs
from jiceng.orgs.models import AbsenceKind

TZ = ZoneInfo("Asia/Shanghai")


def report(cast, matters):
    case, _ = actions.register_case(
        channel=Channel.GRID, title="耕地上打地基", text="x", matter=matters["event"], township=cast.regions.east
    )
    return case


def desk(cast):
    """县自然资源局's 案件受理 post: A = 孙资源 (with an account), B = 钱副 (with an account)."""
    b = make_person("钱副", cast.units.land, seq=31)
    b_user = make_user("qianfu", Role.DEPARTMENT, cast.units.land, person=b)
    post = orgs.create_post(cast.units.land, name="案件受理", takes_cases=True, by=None)
    orgs.set_post_holders(post, a=cast.people.land, bs=[b], by=None)
    return post, b, b_user


def test_the_a_holder_handles_a_case_dispatched_to_the_unit(cast, matters):
    desk(cast)
    with time_machine.travel(datetime(2026, 11, 16, 9, tzinfo=TZ), tick=False):
        case = actions.dispatch_case(report(cast, matters), by=None)
    case.refresh_from_db()
    assert case.assignee == cast.people.land
    assert "A岗孙资源在岗" in case.assignee_note
    message = Notification.objects.get(kind="dispatch")
    assert message.user == cast.users.department and case.code in message.text


def test_an_absent_a_holder_sends_the_case_to_the_b_holder(cast, matters):
    _, b, b_user = desk(cast)
    orgs.record_absence(
        cast.people.land, kind=AbsenceKind.LEAVE, start_date=date(2026, 11, 16), end_date=date(2026, 11, 18), by=None
    )
    with time_machine.travel(datetime(2026, 11, 17, 9, tzinfo=TZ), tick=False):
        case = actions.dispatch_case(report(cast, matters), by=None)
    case.refresh_from_db()
    assert case.assignee == b
    assert "孙资源" in case.assignee_note and "顶岗" in case.assignee_note
    assert list(Notification.objects.filter(kind="dispatch").values_list("user", flat=True)) == [b_user.pk]
    # Back from leave: the next case goes to the A holder again.
    with time_machine.travel(datetime(2026, 11, 19, 9, tzinfo=TZ), tick=False):
        later = actions.dispatch_case(report(cast, matters), by=None)
    assert later.assignee == cast.people.land


def test_without_a_post_for_cases_the_unit_signs_and_a_return_clears_the_assignee(cast, matters):
    case = actions.dispatch_case(report(cast, matters), by=None)
    assert case.assignee is None and "未设承接派单岗位" in case.assignee_note
    assert not Notification.objects.filter(kind="dispatch").exists()
    desk(cast)
    case = actions.reassign_case(case, unit=cast.units.east_office, reason="属地先行处置", by=cast.users.dispatcher)
    assert case.assignee is None
    case = actions.reassign_case(case, unit=cast.units.land, reason="回到主管部门", by=cast.users.dispatcher)
    assert case.assignee == cast.people.land
    case = actions.return_case(case, reason="不属于本单位职责", by=cast.users.department)
    case.refresh_from_db()
    assert (case.assignee, case.assignee_note) == (None, "")
