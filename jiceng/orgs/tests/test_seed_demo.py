from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from jiceng.accounts.models import OperationLog, RoleAssignment, User
from jiceng.accounts.roles import Role, Scope
from jiceng.lib.validators import check_credit_code, parse_id_number
from jiceng.orgs import demo
from jiceng.orgs.duty import coverage_gaps, on_duty
from jiceng.orgs.models import (
    Absence,
    Person,
    Plaque,
    Post,
    PostHolder,
    Region,
    StaffingKind,
    Unit,
    UnitEvent,
    UnitKind,
    UnitStatus,
)
from jiceng.staffing import plans, reports
from jiceng.staffing.models import (
    QUOTA_OF_STAFFING,
    EntryKind,
    ExitReason,
    HiringRequest,
    Placement,
    PlanStatus,
    QuotaEntry,
    QuotaKind,
    QuotaMove,
    QuotaPool,
    ReorgPlan,
)
from jiceng.workcal.calendar import get_calendar
from jiceng.workcal.models import CalendarDay

COUNTED = (
    Region,
    Unit,
    UnitEvent,
    Plaque,
    Person,
    Post,
    PostHolder,
    Absence,
    User,
    RoleAssignment,
    OperationLog,
    CalendarDay,
    QuotaEntry,
    Placement,
    HiringRequest,
    ReorgPlan,
    QuotaMove,
    QuotaPool,
)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.mark.django_db
@pytest.mark.usefixtures("small_demo")
def test_seed_demo_twice():
    """One seeding (a couple of seconds) checked from every side, then a second run that changes nothing."""
    first = seed()
    assert "示范县演示数据已生成" in first
    assert "编制：核定" in first and "改革方案2个（已实施1个，草稿1个）" in first
    check_regions_and_units()
    check_longquan_history_and_baisha_plaque()
    check_people_figures()
    check_zhangdian_published_staffing()
    check_hexi_four_plus_eight()
    check_posts_and_coverage_gaps()
    check_accounts()
    check_seats_for_everyone()
    check_zhangdian_quotas()
    check_longquan_plan()
    check_zhangdian_draft_plan()
    check_hiring_pool_and_paradox()
    check_idempotent(first)


def check_idempotent(seeded: str):
    before = counts()
    people = list(Person.objects.order_by("pk").values_list("id_number", "work_unit_id", "quota_unit_id"))
    again = seed()
    assert demo.EXISTS_MESSAGE in again
    assert "示范县演示数据已生成" not in again
    assert counts() == before
    assert list(Person.objects.order_by("pk").values_list("id_number", "work_unit_id", "quota_unit_id")) == people
    for output in (seeded, again):  # the account table is printed both times
        assert demo.DEMO_PASSWORD in output
        for account in demo.DEMO_ACCOUNTS:
            assert account.username in output


def check_regions_and_units():
    county = Region.objects.get(code=demo.COUNTY_CODE)
    assert county.parent.code == "411700000000" and county.parent.parent.code == "410000000000"
    townships = Region.objects.townships()
    assert townships.count() >= 7
    for township in townships:
        assert 4 <= township.children.count() <= 8
        root = Unit.objects.get(kind=UnitKind.LEADERSHIP, region=township)
        assert root.parent.name == "示范县人民政府"
        assert root.credit_code
    # every unit went through actions.create_unit: its path ends with its own key under its parent's
    for unit in Unit.objects.select_related("parent"):
        assert unit.path == f"{unit.parent.path if unit.parent else '/'}{unit.pk:08d}/"
    codes = list(Unit.objects.exclude(credit_code=None).values_list("credit_code", flat=True))
    assert len(codes) == len(set(codes)) >= 30
    for code in codes:
        check_credit_code(code)


def check_longquan_history_and_baisha_plaque():
    office = Unit.objects.get(name="龙泉镇党政综合办公室")
    absorbed = Unit.objects.filter(merged_into=office, status=UnitStatus.MERGED)
    assert {"龙泉镇党政办", "龙泉镇人大办", "龙泉镇团委", "龙泉镇远教站"} <= set(
        absorbed.values_list("name", flat=True)
    )
    assert office.events.filter(kind=UnitEvent.Kind.MERGED, document_no="示编〔2014〕12号").count() == absorbed.count()
    plaque = Plaque.objects.get(unit__name="白沙镇经济发展办公室")
    assert plaque.name == "重点项目办公室" and plaque.document_no == "示编〔2019〕8号"


def check_people_figures():
    people = Person.objects.all()
    assert 280 <= people.count() <= 320
    for person in people:
        parsed = parse_id_number(person.id_number)
        assert (parsed.sex, parsed.birth_date) == (person.sex, person.birth_date)
        assert 1965 <= person.birth_date.year <= 2000
    assert people.filter(staffing_kind=StaffingKind.CONTRACT, quota_unit__isnull=False).count() == 0
    assert 10 <= people.separated().count() <= 14


def check_zhangdian_published_staffing():
    root = Unit.objects.get(name="张店乡党委政府")
    staff = Person.objects.filter(work_unit__path__startswith=root.path, active=True)
    assert staff.filter(staffing_kind=StaffingKind.ADMINISTRATIVE).count() == 29
    assert staff.filter(staffing_kind=StaffingKind.SERVICE).count() == 3
    assert staff.filter(staffing_kind=StaffingKind.INSTITUTIONAL).count() == 32
    assert staff.count() == 64
    for short, n in {"农业服务中心": 11, "文化服务中心": 4, "村镇建设发展中心": 5, "计划生育技术服务中心": 12}.items():
        unit = Unit.objects.get(name="张店乡" + short)
        assert unit.quota_people.filter(staffing_kind=StaffingKind.INSTITUTIONAL).count() == n
        assert unit.work_people.count() == n
    assert demo.ZHANGDIAN_APPROVED == {
        StaffingKind.ADMINISTRATIVE: 34,
        StaffingKind.SERVICE: 4,
        StaffingKind.INSTITUTIONAL: 35,
    }


def check_hexi_four_plus_eight():
    units = Unit.objects.filter(parent__name="河西镇党委政府").exclude(kind=UnitKind.VILLAGE)
    offices = units.filter(kind__in=[UnitKind.PARTY, UnitKind.GOVERNMENT, UnitKind.COMBINED])
    assert offices.count() == 4
    assert units.filter(kind=UnitKind.INSTITUTION).count() == 8
    assert units.count() == 12


def check_posts_and_coverage_gaps():
    for post in Post.objects.prefetch_related("holders__person__work_unit").select_related("unit"):
        holders = list(post.holders.all())
        assert sum(h.role == PostHolder.Role.A for h in holders) == 1
        assert 1 <= sum(h.role == PostHolder.Role.B for h in holders) <= 2
        assert len({h.person_id for h in holders}) == len(holders)
        assert all(h.person.work_unit.region_id == post.unit.region_id for h in holders)

    today = timezone.localdate()
    assert 8 <= Absence.objects.count() <= 12
    gaps = coverage_gaps(Post.objects.all(), today, today + timedelta(days=14))
    gap_posts = {g.post.pk for g in gaps}
    assert len(gap_posts) >= 3
    third_workday = get_calendar().workdays_in(today, today + timedelta(days=30))[2]
    assert len({g.post.pk for g in gaps if g.start <= third_workday}) >= 3

    hall_post = Post.objects.get(unit__name="龙泉镇便民服务中心", name="综合受理窗口")
    assert hall_post.pk in gap_posts
    assert on_duty(hall_post, today).holder is None
    assert on_duty(hall_post, today + timedelta(days=1)).holder is None

    # Some absences leave only the A holder away: a B holder stands in.
    covered = [
        post
        for post in Post.objects.filter(holders__role=PostHolder.Role.A, holders__person__absences__isnull=False)
        if post.pk not in gap_posts
    ]
    assert covered


EXPECTED_ACCOUNTS = {
    "admin": (Role.ADMIN, Scope.ALL, None),
    "bianban": (Role.STAFFING, Scope.ALL, "县委机构编制委员会办公室"),
    "bumen": (Role.DEPARTMENT, Scope.SUBTREE, "县自然资源局"),
    "paidan": (Role.DISPATCHER, Scope.ALL, "县社会治理综合指挥中心"),
    "zhenzhang": (Role.TOWNSHIP_LEADER, Scope.SUBTREE, "龙泉镇党委政府"),
    "zhuren": (Role.OFFICE_HEAD, Scope.SUBTREE, "龙泉镇便民服务中心"),
    "chuangkou": (Role.WINDOW_CLERK, Scope.UNIT, "龙泉镇便民服务中心"),
    "daiban": (Role.AGENT, Scope.SELF, None),
    "wangge": (Role.GRID_WORKER, Scope.SELF, None),
}


def check_accounts():
    assert User.objects.count() == len(EXPECTED_ACCOUNTS)
    for username, (role, scope, unit_name) in EXPECTED_ACCOUNTS.items():
        user = authenticate(username=username, password=demo.DEMO_PASSWORD)
        assert user is not None, username
        assert user.full_name
        assert not user.must_change_password and user.password_changed_at is not None
        [assignment] = user.roles.all()
        assert (assignment.role, assignment.scope) == (role, scope)
        if unit_name:
            assert assignment.unit.name == unit_name
        if username != "admin":
            assert user.person is not None and user.full_name == user.person.name
    admin = User.objects.get(username="admin")
    assert admin.is_staff and not admin.is_superuser and admin.person is None
    for username in ("daiban", "wangge"):
        user = User.objects.get(username=username)
        assert user.person.staffing_kind == StaffingKind.CONTRACT
        assert user.person.work_unit == user.roles.get().unit
        assert user.person.work_unit.kind == UnitKind.VILLAGE
        assert user.person.work_unit.region.parent.name == "龙泉镇"
    zhuren = User.objects.get(username="zhuren")
    assert zhuren.person.work_unit.name == "龙泉镇便民服务中心"


# ---- staffing (jiceng.staffing.demo) ----------------------------------------------------------------


def in_quota_people():
    return Person.objects.filter(active=True, quota_unit__isnull=False, staffing_kind__in=list(QUOTA_OF_STAFFING))


def check_seats_for_everyone():
    today = timezone.localdate()
    people = list(in_quota_people())
    assert len(people) >= 280
    open_seats = {p.person_id: p for p in Placement.objects.open()}
    assert len(open_seats) == len(people)  # nobody else (编外, retired) holds a seat
    for person in people:
        seat = open_seats[person.pk]
        assert (seat.unit_id, seat.kind) == (person.quota_unit_id, QUOTA_OF_STAFFING[person.staffing_kind])
    for seat in Placement.objects.filter(entry_kind=EntryKind.INITIAL):
        assert seat.document_no == "实名制台账"
        assert date(1990, 1, 1) <= seat.start_on <= today - timedelta(days=30)
    # 领导职数: at most one chief and two deputies per unit, and no unit beyond its approved posts
    for unit in Unit.objects.all():
        ranks = list(unit.quota_people.filter(active=True).values_list("leader_rank", flat=True))
        assert ranks.count("chief") <= 1 and ranks.count("deputy") <= 2
    assert Person.objects.filter(leader_rank="chief").count() >= 60
    assert not [r for r in reports.leader_rows(today) if r.seats.over]


def check_zhangdian_quotas():
    today = timezone.localdate()
    rows = {(s.name, s.kind): s for s in reports.summarise(reports.unit_rows(today), by_township=True)}
    expected = {QuotaKind.ADMINISTRATIVE: (34, 29), QuotaKind.SERVICE: (4, 3), QuotaKind.INSTITUTIONAL: (35, 32)}
    for kind, (approved, occupied) in expected.items():
        summary = rows[("张店乡", kind)]
        assert (summary.approved, summary.occupied, summary.over) == (approved, occupied, 0), kind
    assert {QUOTA_OF_STAFFING[k]: n for k, n in demo.ZHANGDIAN_APPROVED.items()} == {
        k: approved for k, (approved, _) in expected.items()
    }
    centres = Unit.objects.filter(name__in=[f"张店乡{c}" for c in ("农业服务中心", "文化服务中心", "村镇建设发展中心")])
    for row in reports.unit_rows(today, centres, [QuotaKind.INSTITUTIONAL]):
        assert 0 <= row.seats.approved - row.seats.occupied <= 1


def check_longquan_plan():
    plan = ReorgPlan.objects.get(name="龙泉镇“三办三中心”大部门制改革方案")
    assert plan.status == PlanStatus.EXECUTED
    assert (plan.region.name, plan.effective_on, plan.document_no) == ("龙泉镇", date(2014, 3, 1), "示编〔2014〕12号")
    assert plan.sources.count() == 28 and plan.targets.count() == 6
    assert [e.to_status for e in plan.events.all()] == ["draft", "submitted", "approved", "executed"]
    assert {e.by.username for e in plan.events.all()} == {"bianban"}
    for source in plan.sources.select_related("unit", "target"):
        assert source.unit.status == UnitStatus.MERGED and source.unit.merged_into_id == source.target.unit_id
        assert source.unit.ended_on == date(2014, 3, 1)
    party = Unit.objects.get(name="龙泉镇党政综合办公室")
    old = {"党政办", "人大办", "团委", "妇联", "工会", "统计站", "武装部", "组织办", "党建办", "远教站"}
    assert set(Unit.objects.filter(merged_into=party).values_list("short_name", flat=True)) == old
    assert party.plaques.filter(name="龙泉镇武装部").exists()
    entries = QuotaEntry.objects.filter(plan=plan)
    assert entries.filter(reason="reform").count() >= 56  # each station's quota out and into its office
    assert sum(entries.filter(reason="reform").values_list("delta", flat=True)) == 0
    assert entries.filter(account__kind=QuotaKind.LEADER_CHIEF).count() == 6
    # People hired before 2014: a station seat until the reform, then the office seat (改革划转).
    moved = Placement.objects.filter(plan=plan).select_related("person")
    assert moved.count() >= 10
    for seat in moved:
        history = list(Placement.objects.filter(person=seat.person).order_by("start_on", "id"))
        assert len(history) == 2
        station, office = history
        assert station.unit.merged_into_id == office.unit_id and station.entry_kind == EntryKind.INITIAL
        assert (station.end_on, station.exit_reason) == (date(2014, 3, 1), ExitReason.REFORM)
        assert (office.start_on, office.entry_kind, office.end_on) == (date(2014, 3, 1), EntryKind.REFORM, None)
        assert seat.person.quota_unit_id == seat.person.work_unit_id == office.unit_id


def check_zhangdian_draft_plan():
    plan = ReorgPlan.objects.get(region__name="张店乡")
    assert plan.status == PlanStatus.DRAFT and plan.effective_on > timezone.localdate()
    preview = plans.preview_plan(plan)
    assert (len(preview.before), len(preview.after)) == (9, 7)
    seats = (QuotaKind.ADMINISTRATIVE, QuotaKind.INSTITUTIONAL, QuotaKind.SERVICE)
    before, after = preview.totals("before"), preview.totals("after")
    assert [before.get(k) for k in seats] == [after.get(k) for k in seats]  # 编制 conserved; 职数 set by the plan
    assert preview.people_before == preview.people_after
    assert plan.targets.filter(unit__isnull=True, parent__name="张店乡党委政府").count() == 4
    assert len(plans.validate_plan(plan)) <= 3


def check_hiring_pool_and_paradox():
    today = timezone.localdate()
    requests = HiringRequest.objects.all()
    refused = list(requests.filter(status=HiringRequest.Status.REFUSED))
    assert len(refused) == 2
    assert all(r.decision_note.startswith("超编不得进人") for r in refused)
    assert all(r.unit.region.level == 4 for r in refused)  # township units
    reserving = requests.reserving_on(today).filter(status=HiringRequest.Status.APPROVED)
    assert reserving.count() >= 2 and all(today - timedelta(days=60) <= r.decided_on for r in reserving)
    assert requests.filter(status=HiringRequest.Status.PENDING).count() == 2
    [used] = requests.filter(status=HiringRequest.Status.USED)
    [recruit] = used.placements.all()
    assert recruit.entry_kind == EntryKind.APPROVED and recruit.person.quota_unit == used.unit
    parse_id_number(recruit.person.id_number)
    year_ago = today - timedelta(days=365)
    assert Placement.objects.filter(exit_reason=ExitReason.RETIRED, end_on__gt=year_ago).count() == 1
    assert Placement.objects.filter(entry_kind=EntryKind.TRANSFER_IN, start_on__gt=year_ago).count() == 1

    pool = QuotaPool.objects.get()
    assert pool.region.code == demo.COUNTY_CODE
    moves = QuotaMove.objects.all()
    assert moves.filter(move_type="to_pool", status="recorded").count() == 2
    assert moves.filter(move_type="downward", status="recorded").count() == 2
    assert moves.filter(move_type="from_pool", status="recorded").count() == 1
    assert moves.filter(status="draft").count() == 1
    assert set(moves.exclude(on=None).values_list("on__year", flat=True)) == {2023, 2024, 2025}

    rows = reports.unit_rows(today, kinds=[QuotaKind.ADMINISTRATIVE, QuotaKind.INSTITUTIONAL, QuotaKind.SERVICE])
    over = [r for r in rows if r.seats.over]
    assert 2 <= len(over) <= 3 and all(r.seats.over == 1 for r in over)
    assert QuotaEntry.objects.filter(creates_overstaffing=True, note__contains="历史遗留超编").count() == len(over)
    assert sum(r.seats.approved for r in rows) > sum(r.seats.occupied for r in rows)
    idle = reports.idle_vacancies(today)
    assert len([i for i in idle if i.since <= date(2021, 12, 31)]) >= 5

    needs, _idle, suggestions = reports.paradox(today)
    assert suggestions
    covered = {(s.target.row.unit.pk, s.kind) for s in suggestions}
    for request in refused:
        assert (request.unit_id, request.kind) in covered
        assert (request.unit_id, request.kind) in {(n.row.unit.pk, n.row.kind) for n in needs}
    assert any(s.source.pool for s in suggestions)
