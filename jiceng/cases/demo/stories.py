"""How each kind of case goes, told through the case actions one step at a time (see history.py)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.catalog.models import CatalogUnit, Matter, MatterVersion, RoleBinding
from jiceng.catalog.resolve import Unresolvable, resolve
from jiceng.grids import demo as grids_demo
from jiceng.lib.validators import build_id_number
from jiceng.orgs.demo.data import (
    COUNTY_CODE,
    FEMALE_FIRST,
    FEMALE_SECOND,
    MALE_FIRST,
    MALE_SECOND,
    OTHER_COUNTIES,
    PHONE_PREFIXES,
    RANDOM_SEED,
    SURNAME_WEIGHTS,
    SURNAMES,
)
from jiceng.orgs.models import Region, Unit, UnitKind
from jiceng.workcal.calendar import get_calendar

from .. import actions, deadlines
from ..models import Case, CaseEvent, Channel, Evaluation, Rectification, Result, Status
from . import texts

AGENT_POINT = "柳树村"  # daiban's agency point
GRID_VILLAGE = "王庄村"  # wangge's village: most grid reports come from there
# Demo accounts that act in the stories; a unit without an account acts as 系统.
ACCOUNTS = {
    "clerk": "chuangkou",
    "dispatcher": "paidan",
    "department": "bumen",
    "leader": "zhenzhang",
    "agent": "daiban",
    "grid": "wangge",
}
SCORES = ((5, 68), (4, 18), (3, 7), (2, 4), (1, 3))
REVERSE_SCORES = ((5, 55), (4, 30), (3, 11), (2, 4))
RESULTS = ((Result.SOLVED, 88), (Result.PARTLY, 5), (Result.UNFOUNDED, 5), (Result.UNSOLVED, 2))
RATED_SHARE = {
    Channel.WINDOW: 0.6,
    Channel.AGENT: 0.5,
    Channel.HOTLINE: 0.75,
    Channel.ONLINE: 0.55,
    Channel.OPEN311: 0.2,
}
REVERSE_SHARE = {Channel.TOWNSHIP_CALL: 0.75, Channel.GRID: 0.25}
ARCHIVED_SHARE = 0.2
LATE, STALLED = 0.07, 0.015  # finished after the deadline; left lying for weeks (recent cases only)
COUNTY_ALTERNATES = ("C04", "C05", "C03", "C01", "C08")  # where a returned case may be sent instead


class Later(Exception):
    """The story's next step falls after now (or where a special story stops): the case stays put."""


class Story:
    """One case's history: each step runs an action at once and remembers when it really happened.

    The rows the actions write are reported by `history.Recorder` through `saw`, stamped with the
    time of the step that wrote them.
    """

    def __init__(self, now: datetime, start: datetime, stop: str = ""):
        self.now = now
        self.t = start
        self.stop = stop
        self.case: Case | None = None
        self.events: list[tuple[int, int, str, datetime]] = []  # (id, case id, action, when)
        self.evaluations: list[tuple[int, str, datetime]] = []  # (id, kind, when)
        self.rectification: tuple[int, datetime] | None = None
        self.marks: dict[str, datetime] = {}  # when each labelled step happened (rectify has no event)
        self.then: list[Planned] = []  # stories of new cases this one starts (重办)

    def do(self, when: datetime, step: Callable, label: str = "") -> Case:
        when = max(when, self.t)
        if when > self.now or (label and label == self.stop):
            raise Later
        self.t = when
        result = step()
        if isinstance(result, tuple):
            result = result[0]
        if isinstance(result, Case):
            self.case = result
        if label:
            self.marks[label] = when
        return self.case

    def saw(self, row: CaseEvent | Evaluation | Rectification) -> None:
        if isinstance(row, CaseEvent):
            self.events.append((row.pk, row.case_id, row.action, self.t))
        elif isinstance(row, Evaluation):
            self.evaluations.append((row.pk, row.kind, self.t))
        else:
            self.rectification = (row.pk, self.t)


@dataclass
class Planned:
    start: datetime
    index: int
    tell: Callable
    kwargs: dict = field(default_factory=dict)
    stop: str = ""


@dataclass
class Place:
    village: Region
    address: str
    latitude: float | None
    longitude: float | None


class Stories:
    """The county as the stories need it, the office clock, and one method per kind of case."""

    def __init__(self, *, today: date):
        self.today = today
        self.now = timezone.now()
        self.cal = get_calendar()
        self.users = {key: User.objects.filter(username=name).first() for key, name in ACCOUNTS.items()}
        county = Region.objects.get(code=COUNTY_CODE)
        self.county_id = county.pk
        self.townships = {r.name: r for r in Region.objects.townships().filter(parent=county).order_by("code")}
        self.villages: dict[int, list[Region]] = {}
        for v in Region.objects.villages().filter(parent__in=list(self.townships.values())).order_by("code"):
            self.villages.setdefault(v.parent_id, []).append(v)
        self.village_by_name = {v.name: v for vs in self.villages.values() for v in vs}
        self.village_by_id = {v.pk: v for vs in self.villages.values() for v in vs}
        self.township_by_id = {t.pk: t for t in self.townships.values()}
        self.township_of = {v.pk: t for t in self.townships.values() for v in self.villages.get(t.pk, [])}
        units = Unit.objects.active()
        self.roots = {u.region_id: u for u in units.filter(kind=UnitKind.LEADERSHIP, region__parent=county)}
        self.points = {u.region_id: u for u in units.filter(kind=UnitKind.VILLAGE)}
        self.halls = {
            b.township_id: b.unit for b in RoleBinding.objects.filter(role__code="T08").select_related("unit")
        }
        self.county_units = {c.code: c.unit for c in CatalogUnit.objects.exclude(unit=None).select_related("unit")}
        self.acting: dict[int, User] = {}  # unit id → the demo account that signs and handles for it
        self.leader_of: dict[int, User] = {}  # township id → the township leader's account
        for key, user in self.users.items():
            role = user.roles.select_related("unit").first() if user else None
            if role is None or role.unit is None:
                continue
            if key in ("department", "clerk"):
                self.acting[role.unit_id] = user
            if key == "leader":
                self.leader_of[role.unit.region_id] = user
        self.matters: dict[str, Matter] = {}
        self.versions: dict[int, MatterVersion] = {}
        for v in MatterVersion.objects.in_force(today).select_related("matter"):
            self.matters[v.name] = v.matter
            self.versions[v.matter_id] = v
        self.resolved: dict[tuple[int, int], tuple[Unit, list[Unit]] | None] = {}
        # Points inside the village's demo grids, from their own random stream so the stories stay the same.
        self.point_rng = random.Random(RANDOM_SEED + 30)
        self.last_day = self.last_workday()

    # -- lookups --------------------------------------------------------------------------------

    def user(self, key: str) -> User | None:
        return self.users.get(key)

    def resolution(self, matter: Matter, township: Region) -> tuple[Unit, list[Unit]] | None:
        """The catalog's lead and cooperating units today, or None where the catalog cannot say."""
        key = (matter.pk, township.pk)
        if key not in self.resolved:
            try:
                r = resolve(matter, township, self.today)
            except Unresolvable:
                self.resolved[key] = None
            else:
                self.resolved[key] = (r.lead.unit, [p.unit for p in r.cooperating if p.unit is not None])
        return self.resolved[key]

    def county_led(self, matter: Matter, township: Region) -> bool:
        found = self.resolution(matter, township)
        return found is not None and found[0].region_id == self.county_id

    def alternates(self, matter: Matter, township: Region, lead: Unit) -> list[Unit]:
        """Units a returned case may go to next: the catalog's cooperating units, then a few departments."""
        found = self.resolution(matter, township)
        units = (found[1] if found else []) + [
            self.county_units[c] for c in COUNTY_ALTERNATES if c in self.county_units
        ]
        out: list[Unit] = []
        for u in units:
            if u.pk != lead.pk and all(u.pk != o.pk for o in out):
                out.append(u)
        return out

    def pick(self, r: random.Random, table, allowed=None, month: int = 0) -> str:
        """A matter name from a weighted table; seasonal matters come up mostly in their months."""
        rows = [(n, w) for n, w in table if n in self.matters and (allowed is None or allowed(n))]
        weights = [w * (4 if month in texts.SEASONS[n] else 0.2) if n in texts.SEASONS else w for n, w in rows]
        return r.choices([n for n, _ in rows], weights=weights)[0]

    # -- the office clock -----------------------------------------------------------------------

    def at(self, day: date, minutes: int) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(0, 0))) + timedelta(minutes=minutes)

    def day_of(self, t: datetime) -> date:
        return timezone.localtime(t).date()

    def add(self, day: date, n: int) -> date:
        return self.cal.add(day, n).value

    def back(self, day: date, n: int) -> date:
        """The working day n working days before `day`."""
        while n > 0:
            day -= timedelta(days=1)
            n -= self.cal.is_workday(day)
        return day

    def office(self, r: random.Random, t: datetime, delay: int) -> datetime:
        """The first office moment at or after t + delay minutes (08:30–17:30 on a working day)."""
        t = timezone.localtime(t + timedelta(minutes=delay))
        day, minutes = t.date(), t.hour * 60 + t.minute
        if self.cal.is_workday(day):
            if minutes < 510:
                return self.at(day, 510 + r.randint(0, 40))
            if minutes <= 1050:
                return t
        return self.at(self.add(day, 1), 510 + r.randint(0, 40))

    def on(self, r: random.Random, day: date, after: datetime | None = None, lo: int = 540, hi: int = 1040) -> datetime:
        """A moment in office hours on `day`, later than `after` when that is the same day."""
        if after is not None and self.day_of(after) == day:
            a = timezone.localtime(after)
            lo = max(lo, a.hour * 60 + a.minute + 5)
        return self.at(day, r.randint(lo, max(lo, hi)))

    def last_workday(self) -> date:
        """The latest working day whose office hours are over."""
        day = timezone.localdate(self.now)
        while not self.cal.is_workday(day) or self.at(day, 1050) > self.now:
            day -= timedelta(days=1)
        return day

    # -- people and places ----------------------------------------------------------------------

    def person(self, r: random.Random, *, id_number: bool = False) -> dict:
        male = r.random() < 0.5
        first, second = (MALE_FIRST, MALE_SECOND) if male else (FEMALE_FIRST, FEMALE_SECOND)
        given = r.choice(second) if r.random() < 0.25 else r.choice(first) + r.choice(second)
        out = {
            "requester_name": r.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0] + given,
            "requester_phone": r.choice(PHONE_PREFIXES) + f"{r.randrange(10**8):08d}",
        }
        if id_number:
            birth = date(1940, 1, 1) + timedelta(days=r.randrange(365 * 65))
            region = "411799" if r.random() < 0.85 else r.choice(OTHER_COUNTIES)
            out["requester_id_number"] = build_id_number(region, birth, r.randrange(500) * 2 + male)
        return out

    def place(self, r: random.Random, township: Region, village: Region | None = None) -> Place:
        village = village or r.choice(self.villages[township.pk])
        if village.name.endswith("社区") and township.kind == "subdistrict":
            address = (
                f"{township.name}{r.choice(texts.STREETS)}{r.randint(1, 260)}号"
                if r.random() < 0.7
                else f"{township.name}{r.choice(texts.LANDMARKS)}"
            )
        else:
            address = f"{village.name}{r.randint(1, 12)}组"
        point = grids_demo.point_in(village, self.point_rng)
        if point is None:  # a county without demo grids: the case is placed by its village only
            return Place(village, address, None, None)
        lon, lat = point
        return Place(village, address, round(lat, 6), round(lon, 6))

    def event_text(self, r: random.Random, name: str, place: Place) -> tuple[str, str, str]:
        default = ((("反映" + name + "问题", "{place}存在" + name + "问题，请尽快处理。"),), "")
        variants, reply = texts.EVENTS.get(name, default)
        title, text = r.choice(variants)
        text = text.format(place=place.address, n=r.choice((3, 5, 8, 12, 20, 30, 60, 120, 200, 300)))
        return title, text, reply or "已按职责调查处理，并向反映人反馈。"

    # -- steps many stories share ---------------------------------------------------------------

    def finish_day(self, r: random.Random, *, start: date, earliest: date, limit: int, due: date, late: int | None):
        """When a case is done: within the limit (mostly early in it), or `late` working days after the due day."""
        if late is None:
            late, roll = 0, r.random()
            if roll < LATE:
                late = r.randint(1, 5)
            elif roll < LATE + STALLED and (self.today - start).days < 60:
                late = r.randint(6, 20)
        if late:
            return self.add(due, late)
        k = min(r.randint(0, limit), r.randint(0, limit)) if limit else 0
        return max(self.add(start, k), earliest)

    def rate(self, s: Story, r: random.Random, when: datetime, *, score: int | None = None) -> None:
        """好差评 by the requester, mostly good; a 差评 opens a rectification (see `rectify`)."""
        score = score or r.choices([v for v, _ in SCORES], weights=[w for _, w in SCORES])[0]
        comment = r.choice(texts.BAD_COMMENTS) if score <= 2 else r.choice(texts.GOOD_COMMENTS)
        s.do(when, lambda: actions.rate_case(s.case, score=score, comment=comment), "rate")
        if score <= 2:
            s.marks["bad"] = s.t

    def rectify(self, s: Story, r: random.Random, *, sure: bool = False) -> None:
        """整改 after a 差评, mostly done within days and rated again (always, for a special story)."""
        handler = self.acting.get(s.case.lead_unit_id)
        if sure or r.random() < 0.85:
            note = r.choice(texts.RECTIFY_NOTES)
            done = self.on(r, self.add(self.day_of(s.t), r.randint(1, 5)))
            s.do(done, lambda: actions.rectify_case(s.case, note=note, by=handler), "rectify")
            if sure or r.random() < 0.8:
                again = r.choices((5, 4, 3, 2), weights=(40, 40, 15, 5))[0]
                later = self.on(r, self.add(self.day_of(s.t), r.randint(1, 3)))
                s.do(later, lambda: actions.rate_follow_up(s.case, score=again, comment="整改后回访"), "follow_up")

    def archive(self, s: Story, r: random.Random, share: float = ARCHIVED_SHARE) -> None:
        if r.random() < share:
            day = self.add(self.day_of(s.t), r.randint(10, 30))
            s.do(self.on(r, day), lambda: actions.archive_case(s.case, by=None), "archive")

    # -- 窗口 and 代办点 ---------------------------------------------------------------------------

    def window(self, s: Story, r: random.Random, *, township: Region, **force) -> None:
        """As the window desk does: register, then refuse (不予受理) or accept with the missing materials
        listed (补正 at the desk); routed on once complete, to the hall or the catalog's county unit."""
        hall = self.halls[township.pk]
        name = force.get("service") or self.pick(r, texts.SERVICES)
        matter = self.matters[name]
        version = self.versions[matter.pk]
        by = self.acting.get(hall.pk)
        who = self.person(r, id_number=True) | {"requester_address": self.place(r, township).address}
        note = r.choice(texts.WINDOW_NOTES)
        s.do(
            s.t,
            lambda: actions.register_case(
                channel=Channel.WINDOW,
                title=version.name,
                text=note,
                by=by,
                unit=hall,
                matter=matter,
                township=township,
                idempotency_key=force["key"],
                **who,
            ),
        )
        if force.get("detours", True) and r.random() < 0.02:
            reason = r.choice(texts.REJECT_REASONS[:2])
            s.do(s.t + timedelta(minutes=r.randint(3, 9)), lambda: actions.reject_case(s.case, reason=reason, by=by))
            return self.archive(s, r, 0.5)
        missing = self.missing(r, version) if force.get("supplement", r.random() < 0.14) else []
        when = s.t + timedelta(minutes=r.randint(2, 6))
        s.do(when, lambda: actions.accept_case(s.case, by=by, unit=hall, missing=missing))
        started = self.day_of(s.t)
        paused = self.wait_for_materials(s, r, by=by, unit=hall) if missing else 0
        if paused is None:
            return
        unit, handler = s.case.lead_unit, by
        if s.case.status == Status.DISPATCHED:
            handler = self.acting.get(unit.pk)
            s.do(
                self.office(r, s.t, r.randint(30, 900)),
                lambda: actions.sign_case(s.case, by=handler, unit=unit),
                "sign",
            )
        self.handle_service(s, r, unit=unit, by=handler, version=version, started=started, paused=paused)
        self.after_service(s, r, Channel.WINDOW)

    def agent(self, s: Story, r: random.Random, *, point: Unit, **force) -> None:
        """代办, as the agency page does: the agent registers for the villager, who need not come (一次不跑),
        and accepts it at the point; the catalog sends it on to the hall."""
        village = self.village_by_id[point.region_id]
        township = self.township_of[point.region_id]
        name = self.pick(r, texts.SERVICES, lambda n: self.versions[self.matters[n].pk].no_visit)
        matter = self.matters[name]
        version = self.versions[matter.pk]
        by = self.user("agent") if village.name == AGENT_POINT else None
        who = self.person(r, id_number=True) | {"requester_address": f"{village.name}{r.randint(1, 12)}组"}
        note = r.choice(texts.AGENT_NOTES)

        def register() -> Case:
            c, _ = actions.register_case(
                channel=Channel.AGENT,
                title=version.name,
                text=note,
                by=by,
                unit=point,
                matter=matter,
                township=township,
                village=village,
                idempotency_key=force["key"],
                **who,
            )
            c.visits = 0  # as the agency page does: the villager did not have to come
            c.save(update_fields=["visits"])
            return c

        s.do(s.t, register)
        s.do(s.t + timedelta(minutes=r.randint(1, 4)), lambda: actions.accept_case(s.case, by=by, unit=point))
        started = self.day_of(s.t)
        unit = s.case.lead_unit
        handler = self.acting.get(unit.pk)
        if s.case.status == Status.DISPATCHED:
            s.do(
                self.office(r, s.t, r.randint(20, 600)),
                lambda: actions.sign_case(s.case, by=handler, unit=unit),
                "sign",
            )
        paused = 0
        if r.random() < 0.06:  # the hall finds something missing after all
            missing = self.missing(r, version)
            when = s.t + timedelta(minutes=r.randint(10, 90))
            s.do(when, lambda: actions.request_supplement(s.case, missing=missing, by=handler, unit=unit))
            paused = self.wait_for_materials(s, r, by=handler, unit=unit)
            if paused is None:
                return
        self.handle_service(s, r, unit=unit, by=handler, version=version, started=started, paused=paused)
        self.after_service(s, r, Channel.AGENT)

    def missing(self, r: random.Random, version: MatterVersion) -> list[str]:
        materials = version.material_list[-2:] or list(texts.SUPPLEMENT_EXTRA)
        return r.sample(materials, k=min(len(materials), r.randint(1, 2)))

    def wait_for_materials(self, s: Story, r: random.Random, *, by, unit) -> int | None:
        """After a 补正 notice: the applicant brings the materials some working days later (the clock stopped
        meanwhile; returns how many), or gives up and withdraws (None)."""
        noticed = self.day_of(s.t)
        if r.random() < 0.08:
            day = self.add(noticed, r.randint(10, 20))
            reason = "申请人未补齐材料，申请撤回"
            s.do(self.on(r, day), lambda: actions.withdraw_case(s.case, reason=reason, by=by), "withdraw")
            self.archive(s, r, 0.6)
            return None
        brought = self.add(noticed, r.randint(1, 6))

        def resume() -> Case:
            # The pause runs from the notice's day: give the action that day, not today.
            Case.objects.filter(pk=s.case.pk).update(paused_on=noticed)
            return actions.resume_case(s.case, by=by, unit=unit, on=brought)

        s.do(self.on(r, brought), resume, "resume")
        return deadlines.paused_workdays(noticed, brought)

    def handle_service(self, s: Story, r, *, unit, by, version, started: date, paused: int) -> None:
        """办结: 即办件 on the spot, the others within the committed days (mostly early), a few late."""
        limit = s.case.limit_days if s.case.limit_days is not None else (version.committed_days or 0)
        due = deadlines.due_date(started, limit, paused_days=paused)
        if limit == 0 and r.random() < 0.97 and self.day_of(s.t) <= due:
            when = s.t + timedelta(minutes=r.randint(8, 50))
        else:
            late = r.randint(1, 4) if r.random() < 0.05 else 0
            day = self.finish_day(r, start=started, earliest=self.day_of(s.t), limit=limit + paused, due=due, late=late)
            when = self.on(r, day, s.t)
        result = Result.SOLVED if r.random() < 0.97 else Result.PARTLY
        reply = r.choice(texts.SERVICE_REPLIES).format(name=version.name)
        s.do(when, lambda: actions.finish_case(s.case, result=result, reply=reply, by=by, unit=unit), "finish")

    def after_service(self, s: Story, r: random.Random, channel: str) -> None:
        if r.random() < RATED_SHARE[channel]:
            at_desk = channel == Channel.WINDOW and r.random() < 0.5  # the rating pad at the window
            later = self.on(r, self.add(self.day_of(s.t), r.randint(0, 2)), s.t, 480, 1260)
            self.rate(s, r, s.t + timedelta(minutes=r.randint(1, 5)) if at_desk else later)
            if "bad" in s.marks:
                self.rectify(s, r)
        self.archive(s, r)

    # -- events: 网格上报, 乡呼, 12345, 网上, Open311 ------------------------------------------------

    def event(self, s: Story, r: random.Random, *, channel: str, township: Region, **force) -> None:
        county_only = channel == Channel.TOWNSHIP_CALL  # 乡呼县应: the township calls a county department
        name = force.get("matter") or self.pick(
            r,
            texts.CHANNEL_MATTERS[channel],
            lambda n: (self.county_led if county_only else self.resolution)(self.matters[n], township),
            self.day_of(s.t).month,
        )
        matter = self.matters[name]
        place = self.place(r, township, self.village_by_name.get(force.get("village", "")))
        title, text, reply = self.event_text(r, name, place)
        with_matter = channel != Channel.ONLINE or r.random() < 0.7  # the web form has no matter to choose
        fields = dict(
            channel=channel,
            title=title,
            text=text,
            matter=matter if with_matter else None,
            township=township,
            address=place.address,
            idempotency_key=force["key"],
        )
        reporter = None
        if channel == Channel.GRID:
            reporter = self.user("grid") if place.village.name == GRID_VILLAGE else None
            fields |= dict(
                by=reporter,
                unit=self.points.get(place.village.pk),
                village=place.village,
                latitude=place.latitude,
                longitude=place.longitude,
            )
        elif channel == Channel.TOWNSHIP_CALL:
            fields |= dict(by=self.leader_of.get(township.pk), unit=self.roots[township.pk], village=place.village)
        elif channel == Channel.OPEN311:
            serial = f"SR{self.day_of(s.t):%Y%m%d}{force['serial']:05d}"
            fields |= dict(external_no=serial, latitude=place.latitude, longitude=place.longitude)
        else:
            fields |= self.person(r)
            if channel == Channel.HOTLINE:
                fields["external_no"] = f"12345-{self.day_of(s.t):%Y%m%d}-{force['serial']:05d}"
        s.do(s.t, lambda: actions.register_case(**fields))
        dispatcher = self.user("dispatcher")
        detours = force.get("detours", True)  # special stories go straight
        if detours and channel in (Channel.HOTLINE, Channel.ONLINE) and r.random() < 0.02:
            reason = "来电人表示问题已自行解决，申请撤回。" if channel == Channel.HOTLINE else "反映人申请撤回。"
            s.do(
                self.office(r, s.t, r.randint(10, 200)),
                lambda: actions.withdraw_case(s.case, reason=reason),
                "withdraw",
            )
            return self.archive(s, r, 0.6)
        if detours and channel == Channel.ONLINE and r.random() < 0.03:
            reason = texts.REJECT_REASONS[2]
            when = self.office(r, s.t, r.randint(10, 200))
            s.do(when, lambda: actions.reject_case(s.case, reason=reason, by=dispatcher), "reject")
            return self.archive(s, r, 0.6)
        lead = None if with_matter else self.resolution(matter, township)[0]  # chosen by the dispatcher
        when = self.office(r, s.t, r.randint(10, 150))
        s.do(when, lambda: actions.dispatch_case(s.case, by=dispatcher, unit=lead), "dispatch")
        returns = force.get("returns", None if detours else 0)
        if returns is None:
            roll = r.random()
            returns = 2 if roll < 0.012 else 1 if roll < 0.06 else 0
        tried = [s.case.lead_unit]
        for i in range(returns):
            self.bounce(s, r, matter=matter, township=township, tried=tried, designate=i + 1 >= actions.MAX_RETURNS)
        self.handle_event(s, r, channel=channel, township=township, reply=reply, reporter=reporter, **force)

    def bounce(self, s: Story, r, *, matter: Matter, township: Region, tried: list[Unit], designate: bool) -> None:
        """退单 by the unit that has the case, and 派单 to the next one; after three returns, 指定 the first."""
        lead = s.case.lead_unit
        reason = r.choice(texts.RETURN_REASONS)
        when = self.office(r, s.t, r.randint(30, 240))
        s.do(when, lambda: actions.return_case(s.case, reason=reason, by=self.acting.get(lead.pk), unit=lead), "return")
        options = [u for u in self.alternates(matter, township, tried[0]) if u not in tried]
        target = tried[0] if designate or not options else options[0]
        tried.append(target)
        note = f"已退单{actions.MAX_RETURNS}次，指定承办" if designate else "退单后改派"
        dispatcher = self.user("dispatcher")
        s.do(
            self.office(r, s.t, r.randint(15, 120)),
            lambda: actions.dispatch_case(s.case, by=dispatcher, unit=target, designate=designate, note=note),
            "redispatch",
        )

    def handle_event(self, s: Story, r, *, channel: str, township: Region, reply: str, reporter, **force) -> None:
        """签收, maybe a request for more time, 办结 (mostly in time), 核查, evaluations, 归档."""
        lead = s.case.lead_unit
        handler = self.acting.get(lead.pk)
        dispatcher = self.user("dispatcher")
        start = self.day_of(s.t)
        roll = r.random()
        if roll < 0.85:
            signed = self.office(r, s.t, r.randint(10, 200))
        else:
            signed = self.on(r, self.add(start, 1 if roll < 0.97 else 2), None, 520, 700)
        s.do(signed, lambda: actions.sign_case(s.case, by=handler, unit=lead), "sign")
        limit = s.case.limit_days if s.case.limit_days is not None else 5
        extension = 0
        due = deadlines.due_date(start, limit)
        wants = force.get("extension")
        if wants is None and force.get("detours", True) and r.random() < 0.06:
            wants = r.choice(("approve", "approve", "refuse"))
        if wants and limit >= 1:
            days, reason = r.randint(2, 5), r.choice(texts.EXTENSION_REASONS)
            asked = self.on(r, max(self.back(due, 1), self.day_of(s.t)), s.t)
            s.do(
                asked,
                lambda: actions.request_extension(s.case, days=days, reason=reason, by=handler, unit=lead),
                "request_extension",
            )
            approve = wants == "approve"
            s.do(
                self.office(r, s.t, r.randint(30, 400)),
                lambda: actions.decide_extension(s.case, approve=approve, by=dispatcher),
                "decide_extension",
            )
            extension = days if approve else 0
            due = deadlines.due_date(start, limit, extension_days=extension)
        day = self.finish_day(
            r, start=start, earliest=self.day_of(s.t), limit=limit + extension, due=due, late=force.get("late")
        )
        result = r.choices([v for v, _ in RESULTS], weights=[w for _, w in RESULTS])[0]

        def finish() -> Case:
            return actions.finish_case(s.case, result=result, reply=reply, by=handler, unit=lead)

        s.do(self.on(r, day, s.t), finish, "finish")
        if channel == Channel.GRID:
            if r.random() < 0.15:
                note = r.choice(texts.SEND_BACK_NOTES)
                when = self.office(r, s.t, r.randint(60, 1500))
                s.do(when, lambda: actions.verify_case(s.case, passed=False, note=note, by=reporter), "send_back")
                result = Result.SOLVED
                s.do(self.on(r, self.add(self.day_of(s.t), r.randint(1, 3)), s.t), finish, "finish")
            when = self.office(r, s.t, r.randint(60, 1500))
            s.do(when, lambda: actions.verify_case(s.case, passed=True, by=reporter), "verify")
        if r.random() < REVERSE_SHARE.get(channel, 0) and lead.region_id == self.county_id:
            response, quality, cooperation = (
                r.choices([v for v, _ in REVERSE_SCORES], weights=[w for _, w in REVERSE_SCORES])[0] for _ in "rqc"
            )
            comment = r.choice(texts.REVERSE_COMMENTS)
            s.do(
                self.on(r, self.add(self.day_of(s.t), r.randint(0, 3)), s.t),
                lambda: actions.reverse_evaluate(
                    s.case,
                    response=response,
                    quality=quality,
                    cooperation=cooperation,
                    comment=comment,
                    by=self.leader_of.get(township.pk),
                ),
                "reverse",
            )
        if force.get("score") or r.random() < RATED_SHARE.get(channel, 0):
            when = self.on(r, self.add(self.day_of(s.t), r.randint(1, 2)), s.t, 540, 1200)
            self.rate(s, r, when, score=force.get("score"))
            if "bad" in s.marks:
                if channel in (Channel.HOTLINE, Channel.ONLINE) and (force.get("reopen") or r.random() < 0.4):
                    self.reopen(s, r, reply=reply, index=force["index"])
                self.rectify(s, r, sure=bool(force.get("score")))
        self.archive(s, r)

    def reopen(self, s: Story, r: random.Random, *, reply: str, index: int) -> None:
        """重办 after a 差评: the dispatcher opens a new case for the same unit; its own story goes on later."""
        old, reason = s.case, r.choice(texts.REOPEN_REASONS)
        when = self.office(r, s.t, r.randint(60, 900))
        again = s.do(when, lambda: actions.reopen_case(old, reason=reason, by=self.user("dispatcher")), "reopen")
        s.case = old
        carried = [e for e in s.events if e[1] == again.pk]  # the new case's 登记 and 派单
        s.events = [e for e in s.events if e[1] != again.pk]
        s.then.append(Planned(s.t, index, self.reopened, {"case": again, "carried": carried, "reply": reply}))

    def reopened(self, s: Story, r: random.Random, *, case: Case, carried: list, reply: str, **force) -> None:
        """The re-opened case, from its 派单: handled again and rated (better, mostly)."""
        s.case, s.events = case, list(carried)
        township = self.township_by_id[case.township_id]
        score = r.choice((3, 4, 5, 5))
        self.handle_event(
            s, r, channel=case.channel, township=township, reply=reply, reporter=None, score=score, **force
        )
