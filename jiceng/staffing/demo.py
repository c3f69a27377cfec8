"""The demo county's staffing (机构编制): quotas, 实名制 seats, the pool, moves, hiring and two plans.

Loaded by `manage.py seed_demo` right after the orgs demo (`jiceng.orgs.demo`), in the same
transaction, as the 县编办 account. Everything goes through the staffing actions except the seats
of the ~300 people already on staff, which are bulk-created (台账导入), and 龙泉镇's pre-2014 people,
who are written straight into the old stations before the reform plan carries them over.

The story, in the ledger's order:
- every unit with people in quota gets its 核定 (2015–2022), mostly exact or with a vacancy or two,
  a few vacancies idle for years, three units 超编 by one after a 2021 核减, leader posts (领导职数);
  张店乡 exactly as published (ZHANGDIAN_APPROVED);
- 龙泉镇: 28 stations with their 2010 quotas and the people hired before 2014, merged on 2014-03-01
  into 三办三中心 by an executed ReorgPlan (改革划转 of quotas and seats);
- 2023 the county pool takes back long-idle vacancies (收回), 2024–2025 two 减上补下 and one 周转池下达,
  one move still a draft;
- the last months: approvals holding seats, one used by a new recruit, two refusals (超编不得进人) that
  `reports.paradox` covers from the pool, two pending requests, one retirement and one 调动;
- 张店乡's "5+2" plan, still a draft.

Deterministic (`random.Random`) except that the recent events are dated relative to `today`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from jiceng.accounts.models import User
from jiceng.lib.validators import build_id_number
from jiceng.orgs.demo.data import (
    COUNTY_CODE,
    LONGQUAN_MERGE_DOC,
    LONGQUAN_MERGE_ON,
    LONGQUAN_MERGED,
    LONGQUAN_OFFICE_QUOTA_DOC,
    LONGQUAN_PLAN_NAME,
    LONGQUAN_PLAQUE,
    LONGQUAN_STATION_QUOTA_DOC,
    LONGQUAN_STATION_QUOTA_ON,
    MALE_FIRST,
    MALE_SECOND,
    RANDOM_SEED,
    STAFF_POSITIONS,
    SURNAME_WEIGHTS,
    SURNAMES,
    TOWNSHIPS,
    ZHANGDIAN_APPROVED,
    ZHANGDIAN_VACANCIES,
)
from jiceng.orgs.models import Absence, Person, PostHolder, Region, Unit, UnitKind

from . import actions, plans, reports
from .models import (
    QUOTA_OF_STAFFING,
    SEAT_KINDS,
    EntryKind,
    EntryReason,
    ExitReason,
    HiringRequest,
    MoveType,
    Placement,
    PlanStatus,
    QuotaAccount,
    QuotaKind,
    QuotaMove,
    QuotaPool,
    ReorgPlan,
)
from .seats import pool_balances

STAFFING_USERNAME = "bianban"  # the 县编办 demo account: every staffing record is in its name
LEDGER_DOCUMENT = "实名制台账"
SEATS_FROM = date(1990, 1, 1)  # the roster starts here: nobody's seat is older

A, INST, S = QuotaKind.ADMINISTRATIVE, QuotaKind.INSTITUTIONAL, QuotaKind.SERVICE
CHIEF, DEPUTY = QuotaKind.LEADER_CHIEF, QuotaKind.LEADER_DEPUTY

# 核定: county units at the 2019 机构改革, township units when their offices were set up, and the
# older units (township leadership, stationed units, 龙泉镇便民服务中心) in one of the yearly batches.
COUNTY_QUOTA = (date(2019, 3, 1), "示编〔2019〕3号")
YEARLY_BATCH_DOCS = {
    2015: "示编〔2015〕8号",
    2016: "示编〔2016〕9号",
    2017: "示编〔2017〕6号",
    2018: "示编〔2018〕11号",
}
INCREASE_DOCS = {2021: "示编〔2021〕4号", 2022: "示编〔2022〕7号"}  # a few later 核增, for variety
INCREASED_UNITS = 4
OVERSTAFFED = ("河西镇党政办公室", "城关街道党建工作办公室", "县卫生健康委员会")  # 行政, 超编 by one
OVERSTAFFED_CUT = (date(2021, 6, 1), "示编〔2021〕4号", "历史遗留超编，核减后暂按超编管理、逐步消化")

# Vacancies beyond the people on staff for the units the story needs (the rest are drawn at random).
FIXED_OFFSETS: dict[tuple[str, str], int] = {
    ("县自然资源局", A): 4,  # 3 taken back into the pool in 2023
    ("县社会治理综合指挥中心", INST): 6,  # 5 taken back into the pool in 2023
    ("县林业局", A): 2,  # 减上补下 2 to 白沙镇 in 2024
    ("县水利局", A): 1,  # 减上补下 1 to 青山乡 in 2025
    ("县交通运输局", A): 1,  # a draft 减上补下 to 东关街道
    ("白沙镇生态环境和村镇建设办公室", A): 0,
    ("青山乡经济发展办公室", A): 0,
    ("河西镇社会治理服务中心", INST): 0,
    ("城关街道便民服务中心", INST): 1,
    ("东关街道综合行政执法队", A): 0,  # refused: no vacancy
    ("青山乡便民服务中心", INST): 0,  # refused: no vacancy
    ("河西镇村镇建设发展中心", INST): 1,  # a pending request within its vacancy
    ("县教育局", A): 0,  # a pending request with no vacancy
    ("县民政局", A): 0,  # someone transferred out
    ("河西镇社会事务办公室", A): 1,  # … into this vacancy
} | {(name, A): 0 for name in OVERSTAFFED}
STORY_UNITS = {name for name, _ in FIXED_OFFSETS}

POOL_NAME = "示范县编制周转池"
POOL_NOTE = "收回长期空编，集中用于乡镇和重点领域（减上补下）。"
# (type, source, target, kind, amount, on, document, note); POOL stands for the county pool.
POOL = "POOL"
MOVES = (
    (MoveType.TO_POOL, "县自然资源局", POOL, A, 3, date(2023, 4, 1), "示编〔2023〕5号", "收回长期空编"),
    (MoveType.TO_POOL, "县社会治理综合指挥中心", POOL, INST, 5, date(2023, 4, 1), "示编〔2023〕5号", "收回长期空编"),
    (
        MoveType.DOWNWARD,
        "县林业局",
        "白沙镇生态环境和村镇建设办公室",
        A,
        2,
        date(2024, 6, 1),
        "示编〔2024〕6号",
        "充实乡镇生态环保力量",
    ),
    (MoveType.DOWNWARD, "县水利局", "青山乡经济发展办公室", A, 1, date(2025, 3, 1), "示编〔2025〕3号", "减上补下"),
    (MoveType.FROM_POOL, POOL, "河西镇社会治理服务中心", INST, 2, date(2025, 7, 1), "示编〔2025〕9号", "网格化管理"),
)
DRAFT_MOVE = ("县交通运输局", "东关街道综合行政执法队", A, 1, "拟减上补下，充实街道综合执法力量")

# Hiring in the last months, days before today: (unit, kind, seats, purpose, channel, requested, decided).
APPROVED_REQUESTS = (
    ("白沙镇生态环境和村镇建设办公室", A, 2, "生态环境保护岗", "公务员招录", 58, 50),
    ("河西镇社会治理服务中心", INST, 1, "网格管理岗", "事业单位公开招聘", 32, 25),
    ("城关街道便民服务中心", INST, 1, "综合受理窗口", "事业单位公开招聘", 15, 12),
)
USED_REQUEST = ("青山乡经济发展办公室", A, 1, "项目建设岗", "选调生", 110, 100)
USED_ENTRY_DAYS = 40  # the recruit took the seat 40 days ago
REFUSED_REQUESTS = (
    ("东关街道综合行政执法队", A, 1, "执法队员", "公务员招录", 80, 70),
    ("青山乡便民服务中心", INST, 1, "窗口工作人员", "事业单位公开招聘", 35, 30),
)
PENDING_REQUESTS = (
    ("河西镇村镇建设发展中心", INST, 1, "农村住房建设技术员", "事业单位公开招聘", 8),
    ("县教育局", A, 1, "教育督导岗", "军转安置", 3),
)
TRANSFER = ("县民政局", "河西镇社会事务办公室", 150, "示人社〔{year}〕21号")
RETIREMENT_DOC = "示人社〔{year}〕35号"
# Who may retire: staff in ordinary posts or deputies (not a unit head, not a 镇长 or 人大主席).
REGULAR_POSITIONS = {p for titles in STAFF_POSITIONS.values() for p in titles} | {
    "窗口工作人员",
    "执法队员",
    "工作人员",
}

ZHANGDIAN_PLAN_NAME = "张店乡“5+2”模式乡镇机构改革方案"
ZHANGDIAN_PLAN_NOTE = (
    "参照吉安“5+2”模式：设5个党政办公室和便民服务中心、综合行政执法队。"
    "经济发展办公室、社会事务办公室转入后正职超出职数，待竞争上岗后确定。"
)
# Targets: (short name, kind or None for the existing unit of that name, deputies); sources: old → target.
ZHANGDIAN_TARGETS = (
    ("党政综合办公室", UnitKind.COMBINED, 2),
    ("党建工作办公室", None, 2),
    ("经济发展办公室", None, 2),
    ("社会事务办公室", None, 2),
    ("生态环境和村镇建设办公室", UnitKind.GOVERNMENT, 1),
    ("便民服务中心", UnitKind.SERVICE_CENTER, 1),
    ("综合行政执法队", UnitKind.ENFORCEMENT, 1),
)
ZHANGDIAN_SOURCES = (
    ("党政办公室", "党政综合办公室"),
    ("平安建设办公室", "综合行政执法队"),
    ("农业服务中心", "经济发展办公室"),
    ("文化服务中心", "社会事务办公室"),
    ("村镇建设发展中心", "生态环境和村镇建设办公室"),
    ("计划生育技术服务中心", "便民服务中心"),
)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class StaffingSeeder:
    def __init__(self, *, today: date, by):
        self.today = today
        self.by = by
        self.rng = random.Random(RANDOM_SEED + 1)
        self.units = {u.name: u for u in Unit.objects.select_related("region")}
        self.unit_by_pk = {u.pk: u for u in self.units.values()}
        self.people = list(
            Person.objects.active()
            .filter(quota_unit__isnull=False, staffing_kind__in=list(QUOTA_OF_STAFFING))
            .select_related("quota_unit", "work_unit")
            .order_by("pk")
        )
        self.hired: dict[int, date] = {}
        longquan = next(t for t in TOWNSHIPS if t.name == "龙泉镇")
        offices = {into for _, _, into, _ in LONGQUAN_MERGED}
        self.longquan_offices = [self.units["龙泉镇" + u.short] for u in longquan.units if u.short in offices]
        self.stations = [self.units["龙泉镇" + name] for name, *_ in LONGQUAN_MERGED]
        self.moved: list[Person] = []  # 龙泉镇's people written into the old stations

    # -- helpers ----------------------------------------------------------------------------------

    def entry(self, unit, kind, delta, on, document_no, *, reason=EntryReason.APPROVE, note="", over=False):
        return actions.record_entry(
            actions.get_account(unit, kind),
            delta=delta,
            reason=reason,
            on=on,
            document_no=document_no,
            note=note,
            allow_overstaffing=over,
            by=self.by,
        )

    def days_ago(self, n: int) -> date:
        return self.today - timedelta(days=n)

    # -- 实名制 seats -------------------------------------------------------------------------------

    def hire_dates(self) -> None:
        """A plausible hire date: 22–26 years after birth, within 1990-01-01 … today − 30 days."""
        latest = self.today - timedelta(days=30)
        for p in self.people:
            day = add_years(p.birth_date, self.rng.randint(22, 26))
            self.hired[p.pk] = min(max(day, SEATS_FROM), latest)

    def longquan_before_reform(self) -> None:
        """龙泉镇's people hired before 2014 worked in the old stations: write them there directly.

        Each goes to a station merged into their office that has their kind of quota (事业 stations for
        事业 staff, the others for 行政 and 工勤), preferring stations that existed when they were hired and
        spreading them out. People working elsewhere (人编分离) stay on the office's own quota.
        """
        taken: dict[int, int] = defaultdict(int)
        by_office = defaultdict(list)
        for station, (_, _, into, _) in zip(self.stations, LONGQUAN_MERGED, strict=True):
            by_office[into].append(station)
        offices = {u.pk: u for u in self.longquan_offices}
        for p in self.people:
            office = offices.get(p.quota_unit_id)
            if office is None or p.work_unit_id != office.pk or self.hired[p.pk] >= LONGQUAN_MERGE_ON:
                continue
            wants_institution = QUOTA_OF_STAFFING[p.staffing_kind] == INST
            fits = [s for s in by_office[office.short_name] if (s.kind == UnitKind.INSTITUTION) == wants_institution]
            if not fits:
                continue
            existed = [s for s in fits if s.established_on <= self.hired[p.pk]] or fits
            station = min(existed, key=lambda s: taken[s.pk])
            taken[station.pk] += 1
            p.quota_unit = p.work_unit = station
            self.moved.append(p)
        Person.objects.bulk_update(self.moved, ["quota_unit", "work_unit"])

    def place_everyone(self) -> None:
        """One open seat per person in quota (台账导入), from their hire date.

        A seat cannot be older than its unit: people hired before their unit was set up (the county's
        2019 机构改革, the townships' reforms) hold their seat from the day it was set up (转隶).
        """
        seats = []
        for p in self.people:
            unit = p.quota_unit
            start = max(self.hired[p.pk], unit.established_on or SEATS_FROM)
            seats.append(
                Placement(
                    person=p,
                    unit=unit,
                    kind=QUOTA_OF_STAFFING[p.staffing_kind],
                    start_on=start,
                    entry_kind=EntryKind.INITIAL,
                    document_no=LEDGER_DOCUMENT,
                    by=self.by,
                )
            )
        Placement.objects.bulk_create(seats)

    # -- quotas -----------------------------------------------------------------------------------

    def quota_date(self, unit: Unit) -> tuple[date, str]:
        township = next((t for t in TOWNSHIPS if t.name == unit.region.name), None)
        if unit.region.code == COUNTY_CODE:
            return COUNTY_QUOTA
        if township and unit.kind not in (UnitKind.LEADERSHIP, UnitKind.STATIONED):
            if township.reform_on.year >= 2015:
                return township.reform_on, township.reform_doc
        year = self.rng.choice(sorted(YEARLY_BATCH_DOCS))
        return date(year, self.rng.choice((3, 6, 9)), 1), YEARLY_BATCH_DOCS[year]

    def offsets(self, occupied: dict[tuple[int, str], int]) -> dict[tuple[int, str], int]:
        """Approved minus occupied for each account: the story's, 张店乡's, else mostly 0, 1 or 2."""
        out = {}
        zhangdian = {u.pk for u in self.units.values() if u.region.name == "张店乡"}
        for key in sorted(occupied, key=lambda k: (self.unit_by_pk[k[0]].path, k[1])):
            unit = self.unit_by_pk[key[0]]
            if (unit.name, key[1]) in FIXED_OFFSETS:
                out[key] = FIXED_OFFSETS[(unit.name, key[1])]
            elif unit.pk in zhangdian:
                out[key] = 0
            elif key[1] == S:
                out[key] = self.rng.choices((0, 1), weights=(7, 3))[0]
            else:
                out[key] = self.rng.choices((0, 1, 2), weights=(45, 40, 15))[0]
        for staffing_kind, total in ZHANGDIAN_APPROVED.items():
            kind = QUOTA_OF_STAFFING[staffing_kind]
            vacancies = total - sum(n for (uid, k), n in occupied.items() if uid in zhangdian and k == kind)
            if vacancies < 0:
                raise ValueError(f"张店乡{QuotaKind(kind).label}核定{total}名，少于实有人数。")
            names = ZHANGDIAN_VACANCIES[staffing_kind]
            for i in range(vacancies):
                out[(self.units["张店乡" + names[i % len(names)]].pk, kind)] += 1
        return out

    def approve_quotas(self) -> None:
        """核定 for every unit with people in quota (龙泉镇's offices and stations apart), and its 领导职数."""
        skip = {u.pk for u in self.longquan_offices + self.stations}
        occupied: dict[tuple[int, str], int] = defaultdict(int)
        chiefs, deputies = defaultdict(int), defaultdict(int)
        for p in self.people:
            if p.quota_unit_id in skip:
                continue
            occupied[(p.quota_unit_id, QUOTA_OF_STAFFING[p.staffing_kind])] += 1
            chiefs[p.quota_unit_id] += p.leader_rank == "chief"
            deputies[p.quota_unit_id] += p.leader_rank == "deputy"
        offsets = self.offsets(occupied)
        candidates = [
            key
            for key, n in offsets.items()
            if n > 0
            and self.unit_by_pk[key[0]].name not in STORY_UNITS
            and self.unit_by_pk[key[0]].region.name != "张店乡"
        ]
        increased = set(self.rng.sample(candidates, INCREASED_UNITS))
        dates = {}
        for uid, kind in sorted(occupied, key=lambda k: (self.unit_by_pk[k[0]].path, list(QuotaKind).index(k[1]))):
            unit = self.unit_by_pk[uid]
            if uid not in dates:
                dates[uid] = self.quota_date(unit)
                on, doc = dates[uid]
                if chiefs[uid]:
                    self.entry(unit, CHIEF, 1, on, doc, note="核定领导职数")
                    wanted = 2 if unit.kind == UnitKind.LEADERSHIP else self.rng.choice((1, 2))
                    self.entry(unit, DEPUTY, max(wanted, deputies[uid]), on, doc, note="核定领导职数")
            on, doc = dates[uid]
            approved = occupied[(uid, kind)] + offsets[(uid, kind)]
            later = (uid, kind) in increased
            self.entry(unit, kind, approved - later, on, doc)
            if later:
                year = self.rng.choice(sorted(INCREASE_DOCS))
                self.entry(
                    unit, kind, 1, date(year, 8, 1), INCREASE_DOCS[year], reason=EntryReason.INCREASE, note="核增编制"
                )
            if unit.name in OVERSTAFFED and kind == A:
                cut_on, cut_doc, note = OVERSTAFFED_CUT
                self.entry(unit, kind, -1, cut_on, cut_doc, reason=EntryReason.DECREASE, note=note, over=True)

    # -- 龙泉镇 三办三中心 ---------------------------------------------------------------------------

    def longquan_quotas(self) -> None:
        """The stations' quotas of 2010 (their people, at least one seat each), the offices' own of 2014."""
        moved = defaultdict(int)
        staying = defaultdict(int)
        stations = {s.pk for s in self.stations}
        for p in self.people:
            key = (p.quota_unit_id, QUOTA_OF_STAFFING[p.staffing_kind])
            if p.quota_unit_id in stations:
                moved[key] += 1
            elif p.quota_unit_id in {u.pk for u in self.longquan_offices}:
                staying[key] += 1
        for station in self.stations:
            main = INST if station.kind == UnitKind.INSTITUTION else A
            for kind in (A, INST, S):
                n = max(moved[(station.pk, kind)], 1 if kind == main else 0)
                if n:
                    self.entry(station, kind, n, LONGQUAN_STATION_QUOTA_ON, LONGQUAN_STATION_QUOTA_DOC)
        for office in self.longquan_offices:
            for kind in (A, INST, S):
                if staying[(office.pk, kind)]:
                    self.entry(
                        office,
                        kind,
                        staying[(office.pk, kind)],
                        LONGQUAN_MERGE_ON,
                        LONGQUAN_OFFICE_QUOTA_DOC,
                        note="新设机构核定编制（改革后进人）",
                    )

    def longquan_plan(self) -> ReorgPlan:
        plan = plans.create_plan(
            name=LONGQUAN_PLAN_NAME,
            region=self.units["龙泉镇党委政府"].region,
            effective_on=LONGQUAN_MERGE_ON,
            document_no=LONGQUAN_MERGE_DOC,
            note=f"在保持原有人员编制数不变的前提下，将原有{len(LONGQUAN_MERGED)}个站所办整合为“三办三中心”，"
            "人员随职能划转，中层岗位竞争上岗、双向选择。",
            by=self.by,
        )
        targets = {}
        for office in self.longquan_offices:
            deputies = 2 if office.short_name.endswith("办公室") else 1
            targets[office.short_name] = plans.add_target(
                plan, unit=office, leader_chief=1, leader_deputy=deputies, by=self.by
            )
        for station, (name, _, into, _) in zip(self.stations, LONGQUAN_MERGED, strict=True):
            plaque = name == LONGQUAN_PLAQUE
            plans.add_source(plan, station, target=targets[into], keep_name_as_plaque=plaque, by=self.by)
        # Submitting runs validate_plan and refuses the plan on any error.
        plans.set_plan_status(plan, PlanStatus.SUBMITTED, note="龙泉镇党委政府报送", by=self.by)
        plans.set_plan_status(plan, PlanStatus.APPROVED, note="县编委会议研究同意", by=self.by)
        return plans.execute_plan(plan, by=self.by)

    # -- pool and moves ---------------------------------------------------------------------------

    def pool_and_moves(self) -> QuotaPool:
        pool = QuotaPool.objects.create(name=POOL_NAME, region=Region.objects.get(code=COUNTY_CODE), note=POOL_NOTE)

        def holder(name):
            return pool if name == POOL else self.units[name]

        for move_type, source, target, kind, amount, on, doc, note in MOVES:
            actions.move_quota(
                actions.get_account(holder(source), kind),
                actions.get_account(holder(target), kind),
                amount=amount,
                move_type=move_type,
                on=on,
                document_no=doc,
                note=note,
                by=self.by,
            )
        source, target, kind, amount, note = DRAFT_MOVE
        actions.draft_move(
            actions.get_account(self.units[source], kind),
            actions.get_account(self.units[target], kind),
            amount=amount,
            move_type=actions.default_move_type(self.units[source], self.units[target]),
            note=note,
            by=self.by,
        )
        return pool

    # -- hiring, exits, transfers -----------------------------------------------------------------

    def request(self, unit, kind, seats, purpose, channel, requested, decided=None, expect=None) -> HiringRequest:
        request = actions.submit_hiring_request(
            self.units[unit],
            kind=kind,
            seats=seats,
            purpose=purpose,
            channel=channel,
            on=self.days_ago(requested),
            by=self.by,
        )
        if decided is not None:
            request = actions.approve_hiring_request(request, on=self.days_ago(decided), by=self.by)
            if request.status != expect:
                raise ValueError(f"{request}：应为{expect.label}，实为{request.get_status_display()}。")
        return request

    def bystanders(self) -> set[int]:
        """People the rest of the demo relies on: post holders, the absent, account holders, unit heads."""
        ids = set(PostHolder.objects.values_list("person_id", flat=True))
        ids |= set(Absence.objects.values_list("person_id", flat=True))
        ids |= set(User.objects.exclude(person=None).values_list("person_id", flat=True))
        return ids | {p.pk for p in self.people if p.leader_rank == "chief"}

    def transfer(self) -> None:
        source, target, days, doc = TRANSFER
        on = self.days_ago(days)
        busy = self.bystanders()
        person = next(p for p in self.people if p.quota_unit.name == source and not p.leader_rank and p.pk not in busy)
        actions.transfer_person(
            person, to_unit=self.units[target], on=on, document_no=doc.format(year=on.year), by=self.by
        )

    def retirement(self) -> None:
        """A man retires the month after he turns 60: the first to do so in the last year, else the oldest."""
        busy = self.bystanders()
        avoid = STORY_UNITS | {"张店乡"}
        men = sorted(
            (
                p
                for p in self.people
                if p.sex == "男"
                and p.pk not in busy
                and (p.leader_rank or p.position in REGULAR_POSITIONS)
                and p.quota_unit.name not in avoid
                and p.quota_unit.region.name not in avoid
                and p not in self.moved
            ),
            key=lambda p: (p.birth_date, p.pk),
        )

        def retires(p: Person) -> date:
            sixty = add_years(p.birth_date, 60)
            return date(sixty.year + sixty.month // 12, sixty.month % 12 + 1, 1)

        due = [p for p in men if self.days_ago(365) < retires(p) < self.today]
        person = due[0] if due else men[0]
        on = retires(person) if due else self.days_ago(60)
        actions.exit_person(
            person, on=on, reason=ExitReason.RETIRED, document_no=RETIREMENT_DOC.format(year=on.year), by=self.by
        )

    def new_recruit(self, request: HiringRequest, on: date) -> None:
        taken_names = set(Person.objects.values_list("name", flat=True))
        taken_ids = set(Person.objects.values_list("id_number", flat=True))
        rng = self.rng
        while True:
            name = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0] + rng.choice(MALE_FIRST) + rng.choice(MALE_SECOND)
            if name not in taken_names:
                break
        while True:
            birth = date(2000, 1, 1) + timedelta(days=rng.randrange(300))
            id_number = build_id_number("411799", birth, rng.randrange(500) * 2 + 1)
            if id_number not in taken_ids:
                break
        actions.new_person_and_enter(
            request,
            on=on,
            by=self.by,
            name=name,
            id_number=id_number,
            phone=f"139{rng.randrange(10**8):08d}",
            work_unit=request.unit,
            position="一级科员",
        )

    def hiring(self) -> None:
        self.transfer()
        used = self.request(*USED_REQUEST, expect=HiringRequest.Status.APPROVED)
        self.retirement()
        self.request(*REFUSED_REQUESTS[0], expect=HiringRequest.Status.REFUSED)
        self.request(*APPROVED_REQUESTS[0], expect=HiringRequest.Status.APPROVED)
        self.new_recruit(used, self.days_ago(USED_ENTRY_DAYS))
        self.request(*REFUSED_REQUESTS[1], expect=HiringRequest.Status.REFUSED)
        for args in APPROVED_REQUESTS[1:]:
            self.request(*args, expect=HiringRequest.Status.APPROVED)
        for args in PENDING_REQUESTS:
            self.request(*args)

    # -- 张店乡 5+2, a draft ----------------------------------------------------------------------

    def zhangdian_plan(self) -> ReorgPlan:
        root = self.units["张店乡党委政府"]
        month = self.today.month + 3
        effective_on = date(self.today.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        plan = plans.create_plan(
            name=ZHANGDIAN_PLAN_NAME,
            region=root.region,
            effective_on=effective_on,
            note=ZHANGDIAN_PLAN_NOTE,
            by=self.by,
        )
        targets = {}
        for short, kind, deputies in ZHANGDIAN_TARGETS:
            common = {"leader_chief": 1, "leader_deputy": deputies, "by": self.by}
            if kind is None:
                targets[short] = plans.add_target(plan, unit=self.units["张店乡" + short], **common)
            else:
                targets[short] = plans.add_target(plan, name="张店乡" + short, kind=kind, parent=root, **common)
        for old, new in ZHANGDIAN_SOURCES:
            plans.add_source(plan, self.units["张店乡" + old], target=targets[new], by=self.by)
        return plan

    # -- the whole ----------------------------------------------------------------------------------

    def run(self) -> list[str]:
        self.hire_dates()
        self.longquan_before_reform()
        self.place_everyone()
        self.approve_quotas()
        self.longquan_quotas()
        self.longquan_plan()
        self.pool_and_moves()
        self.hiring()
        self.zhangdian_plan()
        return summary(self.today)


def summary(today: date) -> list[str]:
    seats = dict.fromkeys(("approved", "occupied", "reserved", "vacant", "over"), 0)
    for row in reports.summarise(reports.unit_rows(today, kinds=SEAT_KINDS), by_township=False):
        for f in seats:
            seats[f] += getattr(row, f)
    requests = HiringRequest.objects.all()
    status = dict.fromkeys(HiringRequest.Status, 0)
    for value in requests.values_list("status", flat=True):
        status[value] += 1
    moves = QuotaMove.objects.all()
    plan_status = list(ReorgPlan.objects.values_list("status", flat=True))
    balances = pool_balances(today)
    pool = {a.kind: balances.get(a.pk, 0) for a in QuotaAccount.objects.filter(pool__isnull=False)}
    pool = {k: pool[k] for k in QuotaKind if k in pool}
    st = HiringRequest.Status
    return [
        f"编制：核定{seats['approved']}名，实有{seats['occupied']}人，预留{seats['reserved']}名"
        f"（空编{seats['vacant']}名，超编{seats['over']}名）；改革方案{len(plan_status)}个"
        f"（已实施{plan_status.count(PlanStatus.EXECUTED)}个，草稿{plan_status.count(PlanStatus.DRAFT)}个）",
        f"用编申请{requests.count()}件（已核准{status[st.APPROVED]}件，已使用{status[st.USED]}件，"
        f"不予核准{status[st.REFUSED]}件，待核准{status[st.PENDING]}件）；"
        f"编制调剂{moves.count()}次（草稿{moves.filter(status=QuotaMove.Status.DRAFT).count()}次）；"
        "周转池余额 " + "、".join(f"{QuotaKind(k).label}{n}名" for k, n in pool.items()),
    ]


def seed(*, today: date, by) -> list[str]:
    """Load the demo county's staffing; returns lines for the seed summary. Needs the orgs demo loaded."""
    return StaffingSeeder(today=today, by=by).run()
