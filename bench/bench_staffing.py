"""Staffing benchmarks at city scale: the vacancy report and the 60,000-row 花名册 import.

The data set: 100 townships under one county (with their villages), 3,000 units (township roots,
offices, centres, 派驻机构, village organisations; county organs and their institutions), quotas
(核定 with later 核增/核减), 60,000 people and a few thousand 用编核准 (some approved and reserving
seats, some partly used). Regions, units, quotas and approvals are bulk-created with their paths
computed here; the people and their seats come from the import itself (it is measured first, then
the report runs on what it wrote).

Each measurement is compared with a naive baseline measured in the same run; baselines that would
take minutes are run on a sample and extrapolated linearly, and the table says so. Every database
runs in its own subprocess (fresh settings) on a throwaway database: a temporary SQLite file, and
`jiceng_bench_<pid>` on PostgreSQL (created and dropped here). DEBUG is off, as in production.

    python bench/bench_staffing.py [--db sqlite|postgres|both] [--townships 100] [--people 60000]

Run with `make bench-staffing` (or `make bench`, which also runs bench_foundation.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
# The parent process never touches a database; each child gets its own DATABASE_URL.
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.gettempdir()}/jiceng-bench-unused.sqlite3")
os.environ.setdefault("DJANGO_DEBUG", "0")  # no query log: measure what production runs
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Q, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from bench.common import DB_LABELS, PG_URL, fmt, pad, pg_reachable, say, throwaway_database  # noqa: E402
from jiceng.accounts.models import OperationLog  # noqa: E402
from jiceng.lib.validators import build_credit_code, build_id_number  # noqa: E402
from jiceng.orgs.actions import create_person  # noqa: E402
from jiceng.orgs.models import (  # noqa: E402
    PATH_DIGITS,
    REGION_LEVELS,
    Person,
    Region,
    RegionKind,
    StaffingKind,
    Unit,
    UnitKind,
)
from jiceng.staffing import reports  # noqa: E402
from jiceng.staffing.excel_reading import ROSTER, ROSTER_COLUMNS  # noqa: E402
from jiceng.staffing.importing import import_staffing  # noqa: E402
from jiceng.staffing.models import (  # noqa: E402
    QUOTA_OF_STAFFING,
    SEAT_KINDS,
    EntryReason,
    HiringRequest,
    Placement,
    QuotaAccount,
    QuotaEntry,
    QuotaKind,
    QuotaPool,
)
from jiceng.staffing.reports import COUNTY, Row  # noqa: E402
from jiceng.staffing.seats import Seats  # noqa: E402

SEED = 2026
REPORT_REPEAT = 5
BASELINE_REPORT_UNITS = 300
BASELINE_IMPORT_ROWS = 500
TARGET_REPORT_S = 1.0
TARGET_IMPORT_S = 60.0


def median_seconds(fn, repeat: int = REPORT_REPEAT) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


# ---- the data set (pure Python, deterministic: the parent writes the roster, the child the rest) -------

SYLLABLES_1 = "东西南北龙凤金石青白"
SYLLABLES_2 = "山河桥湖泉岭坪川塘阳"
TOWNSHIP_SUFFIX = ((RegionKind.TOWN, "镇"), (RegionKind.TOWNSHIP, "乡"), (RegionKind.SUBDISTRICT, "街道"))
VILLAGES = ("城关社区", "新华社区", "人民社区") + tuple(
    f"{a}村" for a in ("柳林", "王庄", "李寨", "张湾", "刘楼", "陈店", "杨岗", "赵集", "孙营", "周庄", "吴桥")
)
# (short name, kind, primary staffing code, weight of people)
TOWNSHIP_UNITS = (
    ("党政办公室", UnitKind.COMBINED, "A", 8),
    ("党建工作办公室", UnitKind.PARTY, "A", 8),
    ("经济发展办公室", UnitKind.GOVERNMENT, "A", 8),
    ("社会事务办公室", UnitKind.GOVERNMENT, "A", 8),
    ("平安建设办公室", UnitKind.GOVERNMENT, "A", 8),
    ("自然资源和生态环境办公室", UnitKind.GOVERNMENT, "A", 8),
    ("综合行政执法队", UnitKind.ENFORCEMENT, "I", 8),
    ("农业服务中心", UnitKind.INSTITUTION, "I", 8),
    ("文化服务中心", UnitKind.INSTITUTION, "I", 8),
    ("村镇建设发展中心", UnitKind.INSTITUTION, "I", 8),
    ("社会治安综合治理中心", UnitKind.INSTITUTION, "I", 8),
    ("便民服务中心", UnitKind.SERVICE_CENTER, "I", 8),
)
COUNTY_DEPARTMENTS = [
    "县委办公室",
    "县政府办公室",
    "县委组织部",
    "县委宣传部",
    "县委统战部",
    "县委政法委员会",
    "县纪委监委",
    "县委机构编制委员会办公室",
    "县发展和改革委员会",
    "县教育局",
    "县科技和工业信息化局",
    "县公安局",
    "县民政局",
    "县司法局",
    "县财政局",
    "县人力资源和社会保障局",
    "县自然资源局",
    "县生态环境分局",
    "县住房和城乡建设局",
    "县交通运输局",
    "县水利局",
    "县农业农村局",
    "县商务局",
    "县文化广电和旅游局",
    "县卫生健康委员会",
    "县退役军人事务局",
    "县应急管理局",
    "县审计局",
    "县市场监督管理局",
    "县统计局",
    "县医疗保障局",
    "县林业局",
    "县城市管理局",
    "县信访局",
    "县行政审批服务局",
    "县机关事务管理局",
    "县乡村振兴局",
    "县粮食和物资储备局",
    "县档案局",
]
INSTITUTION_SUFFIXES = ("事务中心", "服务中心", "信息中心", "综合执法大队", "发展研究中心")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红文斌鹏辉宇浩凯"
ID_REGIONS = ("411721", "411722", "411723", "411724", "411725", "411726", "411727", "411728", "411729")
STAFF_LABEL = {
    "A": StaffingKind.ADMINISTRATIVE.label,
    "I": StaffingKind.INSTITUTIONAL.label,
    "S": StaffingKind.SERVICE.label,
    "C": StaffingKind.CONTRACT.label,
}
STAFF_KIND = {
    "A": StaffingKind.ADMINISTRATIVE,
    "I": StaffingKind.INSTITUTIONAL,
    "S": StaffingKind.SERVICE,
    "C": StaffingKind.CONTRACT,
}


@dataclass
class PlannedRegion:
    pk: int
    code: str
    name: str
    kind: str
    parent: int | None


@dataclass
class PlannedUnit:
    pk: int
    name: str
    short_name: str
    kind: str
    region: int
    parent: int | None
    staff: str  # primary staffing code: A, I or C
    weight: int
    credit_kind: str = ""  # 1 机关, 2 事业单位; "" for none
    township_unit: bool = False


@dataclass
class PlannedPerson:
    name: str
    id_number: str
    staff: str  # A, I, S or C
    quota_unit: str  # unit name, "" for 编外聘用
    work_unit: str
    start_on: date | None


@dataclass
class Plan:
    regions: list[PlannedRegion]
    units: list[PlannedUnit]
    people: list[PlannedPerson]


def plan_dataset(townships: int, people: int, today: date) -> Plan:
    rng = random.Random(SEED)
    regions = [
        PlannedRegion(1, "410000000000", "河南省", RegionKind.PROVINCE, None),
        PlannedRegion(2, "411700000000", "驻马店市", RegionKind.CITY, 1),
        PlannedRegion(3, "411799000000", "示范县", RegionKind.COUNTY, 2),
    ]
    units: list[PlannedUnit] = []

    def unit(name, short, kind, region, parent, staff, weight, credit_kind="", township_unit=False) -> PlannedUnit:
        u = PlannedUnit(len(units) + 1, name, short, kind, region, parent, staff, weight, credit_kind, township_unit)
        units.append(u)
        return u

    county_root = unit("示范县党委政府", "县委县政府", UnitKind.LEADERSHIP, 3, None, "A", 40, "1")
    departments = {}
    for name in COUNTY_DEPARTMENTS:
        kind = UnitKind.PARTY if name.startswith(("县委", "县纪委")) else UnitKind.GOVERNMENT
        departments[name] = unit(name, name[1:], kind, 3, county_root.pk, "A", 60, "1")
    # County institutions: as many as make 200 county units, round the departments.
    for i in range(200 - 1 - len(COUNTY_DEPARTMENTS)):
        dept = departments[COUNTY_DEPARTMENTS[i % len(COUNTY_DEPARTMENTS)]]
        suffix = INSTITUTION_SUFFIXES[i // len(COUNTY_DEPARTMENTS)]
        unit(dept.name + suffix, dept.short_name + suffix, UnitKind.INSTITUTION, 3, dept.pk, "I", 40, "2")
    names = [a + b for a in SYLLABLES_1 for b in SYLLABLES_2]
    for t in range(townships):
        kind, suffix = TOWNSHIP_SUFFIX[t % len(TOWNSHIP_SUFFIX)]
        tname = names[t % len(names)] + ("" if t < len(names) else str(t // len(names))) + suffix
        tcode = f"411799{t + 1:03d}000"
        region = PlannedRegion(len(regions) + 1, tcode, tname, kind, 3)
        regions.append(region)
        root = unit(tname + "党委政府", tname, UnitKind.LEADERSHIP, region.pk, county_root.pk, "A", 20, "1", True)
        for short, ukind, staff, weight in TOWNSHIP_UNITS:
            credit = "1" if staff == "A" else "2"
            unit(tname + short, short, ukind, region.pk, root.pk, staff, weight, credit, True)
        unit(tname + "司法所", "司法所", UnitKind.STATIONED, region.pk, departments["县司法局"].pk, "A", 4, "1", True)
        communities = villages = 0
        for v in VILLAGES:
            if v.endswith("社区"):
                communities += 1
                code, vkind, uname = f"{tcode[:9]}{communities:03d}", RegionKind.COMMUNITY, v + "居民委员会"
            else:
                villages += 1
                code, vkind, uname = f"{tcode[:9]}{200 + villages:03d}", RegionKind.VILLAGE, v[:-1] + "村民委员会"
            vregion = PlannedRegion(len(regions) + 1, code, v, vkind, region.pk)
            regions.append(vregion)
            unit(tname + uname, v, UnitKind.VILLAGE, vregion.pk, root.pk, "C", 3)

    # People: shared out by weight, exactly `people` in all.
    total_weight = sum(u.weight for u in units)
    sizes = [u.weight * people // total_weight for u in units]
    for i in range(people - sum(sizes)):
        sizes[i % len(units)] += 1
    roots = {u.region: u for u in units if u.kind == UnitKind.LEADERSHIP and u.township_unit}
    seen_ids: set[str] = set()
    planned: list[PlannedPerson] = []
    for u, size in zip(units, sizes, strict=True):
        for _ in range(size):
            if u.staff == "C":
                staff = "C"
            else:
                draw = rng.random()
                staff = u.staff if draw < 0.88 else ("S" if draw < 0.93 else "C")
            while True:
                birth = date(1966, 1, 1) + timedelta(days=rng.randrange(365 * 36))
                id_number = build_id_number(rng.choice(ID_REGIONS), birth, rng.randrange(1000))
                if id_number not in seen_ids:
                    seen_ids.add(id_number)
                    break
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
            work = u.name
            if staff == "C":
                quota, start_on = "", None
            else:
                quota = u.name
                start_on = min(birth + timedelta(days=365 * 21 + rng.randrange(365 * 12)), today - timedelta(days=30))
                # 人编分离: some township staff work in the township's root unit (借调).
                if u.township_unit and u.kind != UnitKind.LEADERSHIP and rng.random() < 0.04:
                    work = roots[u.region].name
            planned.append(PlannedPerson(name, id_number, staff, quota, work, start_on))
    return Plan(regions, units, planned)


def write_roster(plan: Plan, path: Path) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(ROSTER)
    sheet.append(["示范县机关事业单位人员花名册"])  # a title row above the header, as county sheets have
    sheet.append(list(ROSTER_COLUMNS))
    for p in plan.people:
        values = {
            "姓名": p.name,
            "身份证号": p.id_number,
            "编制类型": STAFF_LABEL[p.staff],
            "编制所在单位": p.quota_unit or None,
            "工作单位": p.work_unit,
            "进编日期": p.start_on,
        }
        sheet.append([values[c] for c in ROSTER_COLUMNS])
    book.save(path)


# ---- building the database (child process) ---------------------------------------------------------


def build_structure(plan: Plan, today: date, rng: random.Random) -> dict[str, int]:
    """Regions, units (paths computed here), quota accounts and entries, a pool, and 用编核准."""
    Region.objects.bulk_create(
        Region(pk=r.pk, code=r.code, name=r.name, kind=r.kind, level=REGION_LEVELS[r.kind], parent_id=r.parent)
        for r in plan.regions
    )
    paths: dict[int, str] = {}
    objs = []
    for i, u in enumerate(plan.units):  # parents come before their children
        paths[u.pk] = f"{paths[u.parent] if u.parent else '/'}{u.pk:0{PATH_DIGITS}d}/"
        objs.append(
            Unit(
                pk=u.pk,
                name=u.name,
                short_name=u.short_name,
                kind=u.kind,
                region_id=u.region,
                parent_id=u.parent,
                credit_code=build_credit_code("1", u.credit_kind, "411799", f"{u.pk:09d}") if u.credit_kind else None,
                established_on=date(2019, 3, 1),
                sort=(i + 1) * 10,
                path=paths[u.pk],
            )
        )
    Unit.objects.bulk_create(objs, batch_size=1000)
    with connection.cursor() as cursor:  # explicit keys: move PostgreSQL's sequences past them
        for sql in connection.ops.sequence_reset_sql(no_style(), [Region, Unit]):
            cursor.execute(sql)

    # Quotas follow the planned people: occupied plus or minus a few (vacancies, and some 超编).
    units_by_name = {u.name: u for u in plan.units}
    occupied: dict[tuple[int, str], int] = defaultdict(int)
    for p in plan.people:
        if p.quota_unit:
            occupied[(units_by_name[p.quota_unit].pk, QUOTA_OF_STAFFING[STAFF_KIND[p.staff]])] += 1
    approved: dict[tuple[int, str], int] = {}
    for key, n in occupied.items():
        approved[key] = max(0, n + rng.choice((-1, 0, 0, 1, 1, 2, 3)))
    for u in plan.units:
        if u.staff == "C":
            continue
        approved[(u.pk, QuotaKind.LEADER_CHIEF)] = 2 if u.kind == UnitKind.LEADERSHIP else 1
        approved[(u.pk, QuotaKind.LEADER_DEPUTY)] = 6 if u.kind == UnitKind.LEADERSHIP else rng.choice((1, 2))
    accounts = QuotaAccount.objects.bulk_create(
        [QuotaAccount(unit_id=uid, kind=kind) for uid, kind in sorted(approved)], batch_size=2000
    )
    entries = []
    for account in accounts:
        target = approved[(account.unit_id, account.kind)]
        first_on = date(2016, 1, 1) + timedelta(days=rng.randrange(365 * 3))
        change = rng.choice((0, 0, 0, 1, 2, -1)) if account.kind in SEAT_KINDS else 0
        initial = target - change
        if initial > 0:
            entries.append(QuotaEntry(account=account, delta=initial, on=first_on, reason=EntryReason.APPROVE))
        if change:
            reason = EntryReason.INCREASE if change > 0 else EntryReason.DECREASE
            on = date(2021, 1, 1) + timedelta(days=rng.randrange(365 * 4))
            entries.append(QuotaEntry(account=account, delta=change, on=on, reason=reason))
        if account.kind in SEAT_KINDS and rng.random() < 0.02:  # approved but not yet in force
            later = today + timedelta(days=30)
            entries.append(QuotaEntry(account=account, delta=1, on=later, reason=EntryReason.INCREASE))
    for e in entries:
        e.document_no = f"示编〔{e.on.year}〕{rng.randrange(1, 99)}号"
    QuotaEntry.objects.bulk_create(entries, batch_size=2000)
    pool = QuotaPool.objects.create(name="示范县编制周转池", region_id=3)
    pool_account = QuotaAccount.objects.create(pool=pool, kind=QuotaKind.INSTITUTIONAL)
    QuotaEntry.objects.create(
        account=pool_account, delta=40, on=date(2023, 6, 1), reason=EntryReason.RECLAIM, document_no="示编〔2023〕7号"
    )

    # 用编核准: about one per unit with seats; a mix of every status.
    seat_keys = sorted(k for k in approved if k[1] in SEAT_KINDS)
    requests = []
    for i in range(len(plan.units)):
        uid, kind = rng.choice(seat_keys)
        draw = rng.random()
        requested_on = today - timedelta(days=rng.randrange(20, 500))
        r = HiringRequest(
            unit_id=uid,
            kind=kind,
            seats=rng.choice((1, 1, 2, 3)),
            purpose="补充工作人员",
            channel="事业单位公开招聘" if kind == QuotaKind.INSTITUTIONAL else "公务员招录",
            requested_on=requested_on,
        )
        if draw < 0.45:  # approved and still reserving
            r.status, r.decided_on = HiringRequest.Status.APPROVED, today - timedelta(days=rng.randrange(1, 170))
            r.expires_on = r.decided_on + timedelta(days=180)
        elif draw < 0.55:  # approved but expired
            r.status, r.decided_on = HiringRequest.Status.APPROVED, today - timedelta(days=rng.randrange(200, 400))
            r.expires_on = r.decided_on + timedelta(days=180)
        elif draw < 0.65:
            r.status, r.decided_on = HiringRequest.Status.WITHDRAWN, today - timedelta(days=rng.randrange(60, 170))
            r.expires_on, r.withdrawn_on = r.decided_on + timedelta(days=180), today - timedelta(days=10)
        elif draw < 0.75:
            r.status, r.decided_on = HiringRequest.Status.USED, today - timedelta(days=rng.randrange(60, 400))
            r.expires_on = r.decided_on + timedelta(days=180)
        elif draw < 0.88:
            r.status, r.decided_on = HiringRequest.Status.REFUSED, today - timedelta(days=rng.randrange(1, 400))
        else:
            r.status, r.requested_on = HiringRequest.Status.PENDING, today - timedelta(days=rng.randrange(1, 30))
        if r.decided_on and r.decided_on < r.requested_on:
            r.requested_on = r.decided_on - timedelta(days=10)
        if r.status in (HiringRequest.Status.APPROVED, HiringRequest.Status.USED, HiringRequest.Status.WITHDRAWN):
            r.number = f"示编核〔{r.decided_on.year}〕{i + 1}号"
        requests.append(r)
    HiringRequest.objects.bulk_create(requests, batch_size=2000)
    return {"regions": len(plan.regions), "accounts": len(accounts) + 1, "entries": len(entries) + 1}


def after_import(today: date, rng: random.Random) -> None:
    """What the roster cannot say: leader ranks (领导职数), and seats used by approvals (partly used)."""
    leaders: dict[int, list[int]] = defaultdict(list)
    for pk, unit_id in (
        Person.objects.filter(staffing_kind__in=[StaffingKind.ADMINISTRATIVE, StaffingKind.INSTITUTIONAL])
        .order_by("pk")
        .values_list("pk", "quota_unit_id")
    ):
        if len(leaders[unit_id]) < 8:
            leaders[unit_id].append(pk)
    chiefs, deputies = [], []
    for unit_id, kind in Unit.objects.values_list("pk", "kind"):
        people = leaders.get(unit_id, [])
        n_chief = 2 if kind == UnitKind.LEADERSHIP else 1
        n_deputy = rng.choice((5, 6, 7)) if kind == UnitKind.LEADERSHIP else rng.choice((0, 1, 2, 3))
        chiefs += people[:n_chief]
        deputies += people[n_chief : n_chief + n_deputy]
    Person.objects.filter(pk__in=chiefs).update(leader_rank="chief")
    Person.objects.filter(pk__in=deputies).update(leader_rank="deputy")

    free: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pk, unit_id, kind in Placement.objects.order_by("-pk").values_list("pk", "unit_id", "kind"):
        free[(unit_id, kind)].append(pk)
    updates = []
    requests = HiringRequest.objects.filter(
        status__in=[HiringRequest.Status.APPROVED, HiringRequest.Status.USED]
    ).values_list("pk", "unit_id", "kind", "seats", "status")
    for pk, unit_id, kind, seats, status in requests:
        used = seats if status == HiringRequest.Status.USED else rng.choice((0, 0, 1, seats))
        for _ in range(used):
            if free[(unit_id, kind)]:
                updates.append(Placement(pk=free[(unit_id, kind)].pop(), request_id=pk))
    Placement.objects.bulk_update(updates, ["request"], batch_size=1000)


# ---- the baselines -----------------------------------------------------------------------------------


def naive_rows(day: date, units: list[Unit]) -> list[Row]:
    """Per unit and kind: one SUM over the ledger, one COUNT of people, one query for reserving approvals."""
    townships = reports.township_names()
    rank = {QuotaKind.LEADER_CHIEF: "chief", QuotaKind.LEADER_DEPUTY: "deputy"}
    rows = []
    for unit in units:
        for kind in QuotaKind:
            approved = (
                QuotaEntry.objects.filter(account__unit=unit, account__kind=kind, on__lte=day).aggregate(
                    t=Sum("delta")
                )["t"]
                or 0
            )
            reserved = 0
            if kind in SEAT_KINDS:
                occupied = Placement.objects.on(day).filter(unit=unit, kind=kind).count()
                for r in (
                    HiringRequest.objects.reserving_on(day)
                    .filter(unit=unit, kind=kind)
                    .annotate(used=Count("placements", filter=Q(placements__start_on__lte=day)))
                ):
                    reserved += max(0, r.seats - r.used)
            else:
                occupied = Person.objects.active().filter(quota_unit=unit, leader_rank=rank[kind]).count()
            if approved or occupied or reserved:
                rows.append(Row(unit, kind, Seats(approved, occupied, reserved), townships.get(unit.region_id, COUNTY)))
    return rows


def platform_report(day: date):
    rows = reports.unit_rows(day)
    return rows, reports.summarise(rows, by_township=True), reports.summarise(rows, by_township=False)


def naive_report(day: date, units: list[Unit]):
    rows = naive_rows(day, units)
    return rows, reports.summarise(rows, by_township=True), reports.summarise(rows, by_township=False)


def as_figures(rows: list[Row]) -> dict:
    return {(r.unit.pk, r.kind): (r.seats.approved, r.seats.occupied, r.seats.reserved) for r in rows}


def create_one_by_one(rows: list[PlannedPerson], units: dict[str, Unit]) -> list[int]:
    created = []
    for p in rows:
        person = create_person(
            by=None,
            name=p.name,
            id_number=p.id_number,
            staffing_kind=STAFF_KIND[p.staff],
            quota_unit=units[p.quota_unit] if p.quota_unit else None,
            work_unit=units[p.work_unit],
        )
        created.append(person.pk)
    return created


# ---- one database (child process) --------------------------------------------------------------------


def run_child(args) -> dict:
    started = time.perf_counter()

    def step(text: str) -> None:
        say(f"  [{DB_LABELS[args.db]} {time.perf_counter() - started:6.1f}s] {text}")

    today = timezone.localdate()
    rng = random.Random(SEED + 1)
    call_command("migrate", verbosity=0)
    step("数据库已迁移，规划数据集…")
    plan = plan_dataset(args.townships, args.people, today)
    roster = Path(args.roster) if args.roster else Path(tempfile.mkdtemp()) / "花名册.xlsx"
    if not args.roster:
        write_roster(plan, roster)
    sizes = build_structure(plan, today, rng)
    step(
        f"已建区划{sizes['regions']}个、单位{len(plan.units)}个、编制账户{sizes['accounts']}个、台账{sizes['entries']}条"
    )

    # Baseline of the import: the same people one at a time through the action (each its own transaction).
    units = {u.name: u for u in Unit.objects.all()}
    every = max(1, len(plan.people) // args.baseline_rows)
    sample = plan.people[::every][: args.baseline_rows]
    last_log = OperationLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    t = time.perf_counter()
    created = create_one_by_one(sample, units)
    one_by_one = time.perf_counter() - t
    step(f"逐人 create_person {len(sample)}人：{one_by_one:.2f}s")
    with transaction.atomic():  # not measured: leave the database as it was for the import
        Placement.objects.filter(person__in=created).delete()
        Person.objects.filter(pk__in=created).delete()
        OperationLog.objects.filter(pk__gt=last_log).delete()

    stage_ends: dict[str, float] = {}  # the stages run one after the other: each ends at its last report

    def progress(done: int, total: int, stage: str) -> None:
        stage_ends[stage] = time.perf_counter() - t

    t = time.perf_counter()
    result = import_staffing(roster=roster, dry_run=False, by=None, progress=progress)
    imported = time.perf_counter() - t
    if not result.committed:
        for e in result.errors[:10]:
            say(f"  导入错误：{e}")
        raise SystemExit("花名册导入失败")
    step(f"花名册导入 {result.counts.get('新增人员')}人：{imported:.2f}s")
    stages, previous = {}, 0.0
    for stage, end in list(stage_ends.items()) + [("超编检查和提交", imported)]:
        stages[stage], previous = end - previous, end
    after_import(today, rng)

    # The report: the platform on every unit, the baseline on a sample spread over the tree.
    all_units = list(Unit.objects.select_related("region").order_by("path"))
    every = max(1, len(all_units) // args.baseline_units)
    sample_units = all_units[::every][: args.baseline_units]
    rows = platform_report(today)[0]
    expected = {k: v for k, v in as_figures(rows).items() if k[0] in {u.pk for u in sample_units}}
    same = as_figures(naive_report(today, sample_units)[0]) == expected
    ours = median_seconds(lambda: platform_report(today))
    step(f"空编报表（{len(rows)}行）中位数 {ours * 1000:.1f}ms")
    base = median_seconds(lambda: naive_report(today, sample_units))
    step(f"逐单位查询 {len(sample_units)}单位 中位数 {base:.2f}s")

    reserving = HiringRequest.objects.reserving_on(today)
    return {
        "db": args.db,
        "sizes": {
            "乡镇": Region.objects.townships().count(),
            "村(社区)": Region.objects.villages().count(),
            "单位": Unit.objects.count(),
            "人员": Person.objects.count(),
            "在编记录": Placement.objects.count(),
            "编制账户": QuotaAccount.objects.count(),
            "台账记录": QuotaEntry.objects.count(),
            "用编核准": HiringRequest.objects.count(),
            "预留中的核准": reserving.count(),
            "已部分使用的核准": reserving.filter(placements__isnull=False).distinct().count(),
            "报表行": len(rows),
        },
        "report_s": ours,
        "report_base_s": base,
        "report_base_units": len(sample_units),
        "report_units": len(all_units),
        "report_same": same,
        "import_s": imported,
        "import_rows": result.counts.get("新增人员", 0),
        "import_placements": result.counts.get("在编记录", 0),
        "import_warnings": len(result.warnings),
        "import_stages": stages,
        "import_base_s": one_by_one,
        "import_base_rows": len(sample),
    }


# ---- the parent: databases, subprocesses and the table -------------------------------------------------


def run_database(db: str, args, roster: Path, workdir: Path) -> dict:
    out = workdir / f"{db}.json"
    command = [sys.executable, __file__, "--child", "--db", db, "--roster", str(roster), "--out", str(out)]
    command += ["--townships", str(args.townships), "--people", str(args.people)]
    command += ["--baseline-units", str(args.baseline_units), "--baseline-rows", str(args.baseline_rows)]
    with throwaway_database(db, workdir, f"jiceng_bench_{os.getpid()}") as url:
        subprocess.run(command, env={**os.environ, "DATABASE_URL": url}, check=True)
    return json.loads(out.read_text(encoding="utf-8"))


def print_table(results: list[dict]) -> None:
    first = results[0]["sizes"]
    print()
    print("数据集：" + "，".join(f"{k}{v:,}" for k, v in first.items()))
    print(
        pad("项目", 24)
        + pad("数据库", 12)
        + pad("平台做法", 30)
        + "中位数".rjust(10)
        + "  "
        + pad("基线", 36)
        + "中位数".rjust(10)
        + "    倍数"
    )
    lines = []
    for r in results:
        db = DB_LABELS[r["db"]]
        factor = r["report_units"] / r["report_base_units"]
        base = r["report_base_s"] * factor
        base_label = "逐单位逐类型查询"
        if factor != 1:
            base_label += f"（{r['report_base_units']}单位×{factor:.0f}推算）"
        lines.append(
            (
                f"空编报表（{r['sizes']['报表行']:,}行）",
                db,
                "分组查询＋按乡镇/全县汇总",
                r["report_s"],
                base_label,
                base,
            )
        )
    for r in results:
        db = DB_LABELS[r["db"]]
        factor = r["import_rows"] / r["import_base_rows"]
        base = r["import_base_s"] * factor
        base_label = "逐人 create_person"
        if factor != 1:
            base_label += f"（{r['import_base_rows']}人×{factor:.0f}推算）"
        lines.append(
            (f"花名册导入（{r['import_rows']:,}行）", db, "import_staffing（1次）", r["import_s"], base_label, base)
        )
    for name, db, ours_label, ours_s, base_label, base_s in lines:
        print(
            pad(name, 24)
            + pad(db, 12)
            + pad(ours_label, 30)
            + fmt(ours_s)
            + "  "
            + pad(base_label, 36)
            + fmt(base_s)
            + f" {base_s / ours_s:>6.1f}×"
        )
    print()
    print(f"报表为{REPORT_REPEAT}次中位数（unit_rows + summarise 按乡镇、全县各一次）；导入各1次，写入后再测报表。")
    for r in results:
        db = DB_LABELS[r["db"]]
        stages = "，".join(f"{k} {v:.1f}s" for k, v in r["import_stages"].items())
        same = "一致" if r["report_same"] else "不一致！"
        ok_report = "达标" if r["report_s"] < TARGET_REPORT_S else "未达标"
        ok_import = "达标" if r["import_s"] < TARGET_IMPORT_S else "未达标"
        print(
            f"{db}：报表 {ok_report}（目标<{TARGET_REPORT_S:.0f}s），导入 {ok_import}（目标<{TARGET_IMPORT_S:.0f}s）；"
            f"导入各阶段：{stages}；"
            f"在编{r['import_placements']:,}人，超编提示{r['import_warnings']}条；抽样单位报表数字与基线{same}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--townships", type=int, default=100)
    parser.add_argument("--people", type=int, default=60_000)
    parser.add_argument("--baseline-units", type=int, default=BASELINE_REPORT_UNITS)
    parser.add_argument("--baseline-rows", type=int, default=BASELINE_IMPORT_ROWS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--roster", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        result = run_child(args)
        Path(args.out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        return

    reachable = pg_reachable()
    if args.db is None:
        args.db = "both" if reachable else "sqlite"
        if not reachable:
            say(f"PostgreSQL 不可达（{PG_URL}），只测 SQLite。")
    if args.db in ("postgres", "both") and not reachable:
        raise SystemExit(f"PostgreSQL 不可达（{PG_URL}）")
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]

    workdir = Path(tempfile.mkdtemp(prefix="jiceng-bench-"))
    try:
        t = time.perf_counter()
        plan = plan_dataset(args.townships, args.people, timezone.localdate())
        roster = workdir / "花名册.xlsx"
        write_roster(plan, roster)
        say(f"已生成花名册 {len(plan.people):,}行（{time.perf_counter() - t:.1f}s）：{roster}")
        results = []
        for db in databases:
            say(f"== {DB_LABELS[db]} ==")
            results.append(run_database(db, args, roster, workdir))
        print_table(results)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
