"""The demo county (示范县): regions, units, people, AB posts, absences and one account per role.

Everything the demo needs is in the tables below (a user's clone has no seed documents), modelled on
the source documents: the 毕节 "三办三中心" town with the stations it absorbed, the 吉安 "5+2"
towns, the 驻马店 "4+8" developed town, and 张店乡 with its published staffing figures.

`seed()` is deterministic (`random.Random(2026)`) except for the absences, which are placed relative
to the day it runs so that the demo always shows people away and AB-post coverage gaps right now.
Run it through `manage.py seed_demo`, which wraps it in one transaction and passes the staffing demo
(`jiceng.staffing.demo`) as `then`: quotas, seats and the plan that merges 龙泉镇's old stations.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta

from django.contrib.auth.models import Permission
from django.db.models import Count, Q
from django.utils import timezone

from jiceng.accounts.models import RoleAssignment, User
from jiceng.accounts.roles import Role
from jiceng.lib.validators import build_credit_code, build_id_number
from jiceng.workcal.actions import load_package_calendar
from jiceng.workcal.calendar import get_calendar

from .. import actions
from ..duty import coverage_gaps
from ..models import (
    REGION_LEVELS,
    Absence,
    Person,
    Post,
    PostHolder,
    Region,
    RegionKind,
    StaffingKind,
    Unit,
    UnitStatus,
)
from .data import (
    A_ONLY_ABSENCES,
    ADMIN_DJANGO_PERMS,
    COMMAND_CENTER,
    COUNTY_CODE,
    COUNTY_DEPARTMENTS,
    COUNTY_GOV_ROOT,
    COUNTY_NAME,
    COUNTY_PARTY_ORGANS,
    COUNTY_PARTY_ROOT,
    COUNTY_POSTS,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    EXISTS_MESSAGE,
    FEMALE_FIRST,
    FEMALE_SECOND,
    GAP_KINDS,
    GAP_POSTS,
    LONGQUAN_MERGED,
    MALE_FIRST,
    MALE_SECOND,
    MAX_DEPUTIES,
    OTHER_COUNTIES,
    PHONE_PREFIXES,
    PLAQUES,
    POSTS,
    RANDOM_SEED,
    SECONDED_TO_COMMAND,
    SEPARATED,
    STAFF_POSITIONS,
    STAFFING_OFFICE,
    STATIONED,
    SURNAME_WEIGHTS,
    SURNAMES,
    TOWNSHIPS,
    UNIT_DUTIES,
    VILLAGE_STAFF,
    K,
    Township,
    head_title,
    leader_rank_of,
    parse_staff,
)


class PeopleFactory:
    """Names, ID numbers and phones, unique and reproducible from one random generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.ids: set[str] = set()
        self.phones: set[str] = set()
        self.names: set[str] = set()
        self.people: list[Person] = []

    def name(self, male: bool) -> str:
        rng = self.rng
        while True:
            surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
            first, second = (MALE_FIRST, MALE_SECOND) if male else (FEMALE_FIRST, FEMALE_SECOND)
            given = rng.choice(second) if rng.random() < 0.3 else rng.choice(first) + rng.choice(second)
            if given[0] != given[-1] or len(given) == 1:
                full = surname + given
                if full not in self.names:
                    self.names.add(full)
                    return full

    def id_number(self, male: bool, born: tuple[int, int]) -> str:
        rng = self.rng
        lo, hi = date(born[0], 1, 1).toordinal(), date(born[1], 12, 31).toordinal()
        while True:
            region = "411799" if rng.random() < 0.8 else rng.choice(OTHER_COUNTIES)
            birth = date.fromordinal(rng.randint(lo, hi))
            sequence = rng.randint(0, 499) * 2 + (1 if male else 0)
            value = build_id_number(region, birth, sequence)
            if value not in self.ids:
                self.ids.add(value)
                return value

    def phone(self) -> str:
        while True:
            value = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if value not in self.phones:
                self.phones.add(value)
                return value

    def add(self, *, work_unit: Unit, kind: str, position: str, quota_unit: Unit | None = None, senior=False):
        rng = self.rng
        male = rng.random() < (0.7 if senior else 0.55)
        born = (1966, 1982) if senior else (1984, 2000) if kind == StaffingKind.CONTRACT else (1965, 2000)
        person = Person(
            name=self.name(male),
            id_number=self.id_number(male, born),
            phone=self.phone(),
            staffing_kind=kind,
            quota_unit=None if kind == StaffingKind.CONTRACT else (quota_unit or work_unit),
            work_unit=work_unit,
            position=position,
        )
        person.clean()  # sex and birth date from the ID number (parse_id_number); checks the quota rule
        self.people.append(person)
        return person

    def add_staff(self, unit: Unit, spec: str, title: str | None = None, titles: tuple[str, ...] = ()):
        """The people of a unit: the first heads it, the second deputises when there are three or more."""
        kinds = parse_staff(spec)
        title = title or head_title(unit.short_name or unit.name)
        added = []
        for i, kind in enumerate(kinds):
            if titles:
                position = titles[i]
            elif i == 0:
                position = title
            elif i == 1 and len(kinds) >= 3 and kind != StaffingKind.CONTRACT:
                position = "副" + title
            elif unit.kind == K.SERVICE_CENTER and kind != StaffingKind.SERVICE:
                position = "窗口工作人员"
            elif unit.kind == K.ENFORCEMENT and kind != StaffingKind.CONTRACT:
                position = "执法队员"
            else:
                position = self.rng.choice(STAFF_POSITIONS[kind])
            senior = bool(titles) or i < 2
            added.append(self.add(work_unit=unit, kind=kind, position=position, senior=senior))
        return added


class Seeder:
    def __init__(self, stdout):
        self.stdout = stdout
        self.rng = random.Random(RANDOM_SEED)
        self.today = timezone.localdate()
        self.regions: dict[str, Region] = {}
        self.units: dict[str, Unit] = {}
        self.factory = PeopleFactory(self.rng)
        self.sort = 0
        self.org_codes: set[str] = set()
        self.posts: dict[tuple[str, str], Post] = {}
        self.account_people: dict[str, Person] = {}

    def say(self, line: str = "") -> None:
        self.stdout.write(line + "\n")

    # -- regions and units ----------------------------------------------------------------------

    def region(self, code: str, name: str, kind: str, parent: Region | None = None) -> Region:
        region = Region(code=code, name=name, kind=kind, parent=parent, level=REGION_LEVELS[kind])
        region.full_clean()
        region.save()
        self.regions[name] = region
        return region

    def credit_code(self, kind: str) -> str:
        while True:
            org = "0" + f"{self.rng.randrange(10**8):08d}"
            if org not in self.org_codes:
                self.org_codes.add(org)
                return build_credit_code("1", kind, COUNTY_CODE[:6], org)

    def unit(self, name: str, kind: str, region: Region, parent: Unit | None, **fields) -> Unit:
        self.sort += 10
        fields.setdefault("sort", self.sort)
        unit = actions.create_unit(by=None, name=name, kind=kind, region=region, parent=parent, **fields)
        self.units[name] = unit
        return unit

    def build_regions(self) -> None:
        province = self.region("410000000000", "河南省", RegionKind.PROVINCE)
        city = self.region("411700000000", "驻马店市", RegionKind.CITY, province)
        county = self.region(COUNTY_CODE, COUNTY_NAME, RegionKind.COUNTY, city)
        for t in TOWNSHIPS:
            township = self.region(t.code, t.name, t.kind, county)
            communities = villages = 0
            for v in t.villages:
                if v.endswith("社区"):
                    communities += 1
                    code, kind = f"{t.code[:9]}{communities:03d}", RegionKind.COMMUNITY
                else:
                    villages += 1
                    code, kind = f"{t.code[:9]}{200 + villages:03d}", RegionKind.VILLAGE
                self.region(code, v, kind, township)

    def build_county(self) -> None:
        county = self.regions[COUNTY_NAME]
        f = self.factory
        party = self.unit(
            COUNTY_PARTY_ROOT,
            K.LEADERSHIP,
            county,
            None,
            short_name="县委",
            credit_code=self.credit_code("1"),
            established_on=date(1949, 10, 1),
        )
        gov = self.unit(
            COUNTY_GOV_ROOT,
            K.LEADERSHIP,
            county,
            None,
            short_name="县政府",
            credit_code=self.credit_code("1"),
            established_on=date(1949, 10, 1),
        )
        for parent, table in ((party, COUNTY_PARTY_ORGANS), (gov, COUNTY_DEPARTMENTS)):
            for name, short, kind, staff, credit_kind in table:
                unit = self.unit(
                    name,
                    kind,
                    county,
                    parent,
                    short_name=short,
                    credit_code=self.credit_code(credit_kind),
                    established_on=date(2019, 3, 1),
                    document_no="示发〔2019〕3号",
                )
                f.add_staff(unit, staff)
        center = self.units[COMMAND_CENTER]
        for dept in SECONDED_TO_COMMAND:
            f.add(work_unit=center, quota_unit=self.units[dept], kind=StaffingKind.ADMINISTRATIVE, position="借调人员")

    def build_township(self, t: Township) -> None:
        f = self.factory
        region = self.regions[t.name]
        gov = self.units[COUNTY_GOV_ROOT]
        root = self.unit(
            t.root,
            K.LEADERSHIP,
            region,
            gov,
            short_name=t.name,
            credit_code=self.credit_code("1"),
            established_on=t.root_since,
        )
        f.add_staff(root, "A" + str(len(t.leaders)), titles=t.leaders)
        for u in t.units:
            unit = self.unit(
                t.name + u.short,
                u.kind,
                region,
                root,
                short_name=u.short,
                duties=UNIT_DUTIES.get(u.short, ""),
                established_on=t.reform_on,
                document_no=t.reform_doc,
            )
            f.add_staff(unit, u.staff)
        for v in t.villages:
            name = v + "居民委员会" if v.endswith("社区") else v[:-1] + "村民委员会"
            self.unit(name, K.VILLAGE, self.regions[v], root, short_name=v, established_on=t.root_since)

    def build_longquan_history(self) -> None:
        """龙泉镇's stations before 2014, still in use here: the staffing demo merges them by a plan."""
        region = self.regions["龙泉镇"]
        root = self.units["龙泉镇党委政府"]
        for name, kind, _into, since in LONGQUAN_MERGED:
            old = actions.create_unit(
                by=None,
                name="龙泉镇" + name,
                short_name=name,
                kind=kind,
                region=region,
                parent=root,
                established_on=since,
                sort=9000 + len(self.units),
            )
            self.units[old.name] = old

    def build_extras(self) -> None:
        f = self.factory
        for township, unit, name, doc, since in PLAQUES:
            actions.add_plaque(self.units[township + unit], name=name, document_no=doc, since=since, by=None)
        for township, quota, work, count in SEPARATED:
            quota_unit = self.units[township + quota]
            kind = StaffingKind.INSTITUTIONAL if quota_unit.kind == K.INSTITUTION else StaffingKind.ADMINISTRATIVE
            work_unit = self.units[township + work]
            position = "窗口工作人员" if work_unit.kind == K.SERVICE_CENTER else "工作人员"
            for _ in range(count):
                f.add(work_unit=work_unit, quota_unit=quota_unit, kind=kind, position=position)
        for township, village, position in VILLAGE_STAFF:
            unit = next(
                u
                for u in self.units.values()
                if u.kind == K.VILLAGE and u.short_name == village and u.region.parent.name == township
            )
            f.add(work_unit=unit, kind=StaffingKind.CONTRACT, position=position)
        for township, name, dept, staff in STATIONED:
            unit = self.unit(
                name,
                K.STATIONED,
                self.regions[township],
                self.units[dept],
                established_on=date(2008, 1, 1),
                short_name=name,
            )
            f.add_staff(unit, staff)

    def assign_leader_ranks(self) -> None:
        """领导职数: the unit head is 正职, 副职 are deputies; at most 1 chief and 2 deputies a unit."""
        taken: dict[tuple[int, str], int] = defaultdict(int)
        for person in self.factory.people:
            rank = leader_rank_of(person.position) if person.quota_unit_id else ""
            limit = 1 if rank == "chief" else MAX_DEPUTIES
            if rank and taken[(person.quota_unit_id, rank)] < limit:
                taken[(person.quota_unit_id, rank)] += 1
                person.leader_rank = rank

    def save_people(self) -> None:
        self.assign_leader_ranks()
        Person.objects.bulk_create(self.factory.people)
        if any(p.pk is None for p in self.factory.people):  # backends that do not return keys
            by_id = {p.id_number: p.pk for p in Person.objects.all()}
            for p in self.factory.people:
                p.pk = by_id[p.id_number]

    # -- posts and absences ---------------------------------------------------------------------

    def people_of(self, unit: Unit) -> list[Person]:
        return [p for p in self.factory.people if p.work_unit_id == unit.pk]

    def make_posts(self, unit: Unit, table, pool: list[Person]) -> None:
        rng = self.rng
        staff = self.people_of(unit)
        if not staff:
            return
        table = table[: max(2, len(staff))]
        # Heads keep an A post only when the unit has too few people for the posts.
        a_holders = staff[1:] if len(staff) > len(table) else staff
        for i, (name, duties) in enumerate(table):
            # The first post of every unit takes its dispatched cases (派单到人).
            post = actions.create_post(unit, name=name, duties=duties, sort=(i + 1) * 10, takes_cases=i == 0, by=None)
            a = a_holders[i % len(a_holders)]
            wanted = rng.choice((1, 2))
            same_unit = [p for p in staff if p.pk != a.pk]
            rng.shuffle(same_unit)
            bs = same_unit[:wanted]
            if len(bs) < wanted or rng.random() < 0.3:
                others = [p for p in pool if p.work_unit_id != unit.pk]
                if others:
                    bs = bs[: wanted - 1] + [rng.choice(others)]
            actions.set_post_holders(post, a=a, bs=bs, by=None)
            self.posts[(unit.name, name)] = post

    def build_posts(self) -> None:
        for t in TOWNSHIPS:
            units = [self.units[t.name + u.short] for u in t.units]
            pool = [p for u in units for p in self.people_of(u)]
            for u, unit in zip(t.units, units, strict=True):
                self.make_posts(unit, POSTS[u.short], pool)
        for name, table in COUNTY_POSTS.items():
            unit = self.units[name]
            self.make_posts(unit, table, self.people_of(unit))

    def workdays(self) -> list[date]:
        cal = get_calendar()
        return [d for d in (self.today + timedelta(days=i) for i in range(60)) if cal.is_workday(d)]

    def build_absences(self) -> None:
        wd = self.workdays()
        away: set[int] = set()
        for unit, post_name, first, last in GAP_POSTS:
            post = self.posts[(unit, post_name)]
            holders = list(post.holders.select_related("person").order_by("role", "order"))
            for i, holder in enumerate(holders):
                kind, note = GAP_KINDS[i % len(GAP_KINDS)]
                if first is None:  # from today (or the day before) through the last working day
                    start = self.today - timedelta(days=i % 2)
                    end = max(wd[last], self.today + timedelta(days=1)) + timedelta(days=i)
                else:  # staggered periods whose overlap is wd[first]..wd[last]
                    start = wd[max(first - i % 2, 0)]
                    end = wd[last + i]
                actions.record_absence(holder.person, kind=kind, start_date=start, end_date=end, note=note, by=None)
                away.add(holder.person_id)
        for unit, post_name, kind, note, first, last in A_ONLY_ABSENCES:
            post = self.posts[(unit, post_name)]
            holders = list(post.holders.select_related("person"))
            a = next(h for h in holders if h.role == PostHolder.Role.A)
            if a.person_id in away or all(h.person_id in away for h in holders if h.role == PostHolder.Role.B):
                continue
            actions.record_absence(
                a.person,
                kind=kind,
                start_date=self.today + timedelta(days=first),
                end_date=self.today + timedelta(days=last),
                note=note,
                by=None,
            )
            away.add(a.person_id)

    # -- accounts -------------------------------------------------------------------------------

    def by_unit(self, name: str) -> list[Person]:
        return self.people_of(self.units[name])

    def village_person(self, village: str, position: str) -> Person:
        return next(p for p in self.factory.people if p.work_unit.short_name == village and p.position == position)

    def pick_account_people(self) -> None:
        by_unit, village = self.by_unit, self.village_person
        hall = self.units["龙泉镇便民服务中心"]
        gap_post = self.posts[(hall.name, "综合受理窗口")]
        # The clerk and the department account are on duty, so their views show the others' absences.
        absent = set(Absence.objects.values_list("person_id", flat=True))
        busy = absent | set(gap_post.holders.values_list("person_id", flat=True))
        clerks = [p for p in by_unit(hall.name)[1:] if p.pk not in busy]
        land_staff = [p for p in by_unit("县自然资源局")[2:] if p.pk not in absent]
        self.account_people = {
            "staffing": by_unit(STAFFING_OFFICE)[1],
            "department": land_staff[0],
            "dispatcher": by_unit(COMMAND_CENTER)[1],
            "leader": by_unit("龙泉镇党委政府")[1],
            "head": by_unit(hall.name)[0],
            "clerk": clerks[0],
            "agent": village("柳树村", "代办员"),
            "grid": village("王庄村", "网格员"),
        }

    def build_accounts(self) -> None:
        self.pick_account_people()
        for acc in DEMO_ACCOUNTS:
            person = self.account_people.get(acc.person)
            user = User(
                username=acc.username,
                full_name=person.name if person else Role(acc.role).label,
                phone=person.phone if person else "",
                person=person,
                is_staff=acc.role == Role.ADMIN,
                is_superuser=False,
                must_change_password=False,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            RoleAssignment.objects.create(
                user=user, role=acc.role, unit=self.units[acc.unit] if acc.unit else None, scope=acc.scope
            )
            if acc.role == Role.ADMIN:
                q = Q(pk__in=[])
                for label in ADMIN_DJANGO_PERMS:
                    app_label, codename = label.split(".")
                    q |= Q(content_type__app_label=app_label, codename=codename)
                user.user_permissions.set(Permission.objects.filter(q))

    # -- the whole county -----------------------------------------------------------------------

    def run(self, then: Callable[[date], list[str]] | None = None) -> None:
        years = load_package_calendar()
        if years:
            self.say(f"已导入节假日安排：{'、'.join(str(y) for y in years)}年。")
        self.build_regions()
        self.build_county()
        for t in TOWNSHIPS:
            self.build_township(t)
        self.build_longquan_history()
        self.build_extras()
        self.save_people()
        self.build_posts()
        self.build_absences()
        self.build_accounts()
        extra = then(self.today) if then else []
        self.summary(extra)

    def summary(self, extra: list[str]) -> None:
        units = Unit.objects.all()
        people = Person.objects.all()
        kinds = dict(people.values_list("staffing_kind").annotate(n=Count("id")).order_by())
        gaps = coverage_gaps(Post.objects.all(), self.today, self.today + timedelta(days=14))
        regions = Region.objects.all()
        self.say("示范县演示数据已生成：")
        self.say(
            f"  行政区划 {regions.count()} 个（乡镇街道 {regions.townships().count()} 个，"
            f"村/社区 {regions.villages().count()} 个）"
        )
        self.say(
            f"  单位 {units.count()} 个（在用 {units.filter(status=UnitStatus.ACTIVE).count()} 个，"
            f"已合并 {units.filter(status=UnitStatus.MERGED).count()} 个）"
        )
        self.say(
            f"  人员 {people.count()} 人（"
            + "，".join(f"{label} {kinds.get(value, 0)}" for value, label in StaffingKind.choices)
            + f"；人编分离 {people.separated().count()} 人）"
        )
        self.say(f"  岗位 {Post.objects.count()} 个，AB岗人员 {PostHolder.objects.count()} 人次")
        self.say(
            f"  请假外出 {Absence.objects.count()} 条；今后14天AB岗空档 {len(gaps)} 段，"
            f"涉及 {len({g.post.pk for g in gaps})} 个岗位"
        )
        for line in extra:
            self.say("  " + line)
        self.say(f"  账号 {len(DEMO_ACCOUNTS)} 个")


def accounts_table() -> list[tuple[str, str, str]]:
    return [(Role(a.role).label, a.username, a.description) for a in DEMO_ACCOUNTS]


def seed(stdout, then: Callable[[date], list[str]] | None = None) -> list[tuple[str, str, str]]:
    """Load the demo county unless it is there already; return the demo accounts.

    `then(today)` runs once everything here is saved (accounts included) and before the summary is
    printed; it returns more summary lines. The command passes the staffing demo.
    Call inside a transaction (the command does). Returns (role label, username, description).
    """
    if Region.objects.filter(code=COUNTY_CODE).exists():
        stdout.write(EXISTS_MESSAGE + "\n")
        return accounts_table()
    taken = list(
        User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).values_list("username", flat=True)
    )
    if taken:
        raise SeedError(f"账号{'、'.join(taken)}已存在，无法生成演示账号。请使用空数据库。")
    Seeder(stdout).run(then)
    return accounts_table()


class SeedError(Exception):
    """The demo cannot be loaded into this database."""
