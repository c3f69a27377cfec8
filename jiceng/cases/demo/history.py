"""A year of the demo county's cases, ending today: every channel, every township, the whole lifecycle.

Loaded by `manage.py seed_demo` after the catalog demo (`jiceng.catalog.demo`), in the same
transaction. Each case is a story (stories.py) told through the case actions, so its events,
deadline, tasks, evaluations and rectification are what the platform itself writes:

- 窗口: service items accepted at the township halls, handled there or sent on by the catalog to the
  county unit; some 补正 then resumed (two visits), a few withdrawn or refused (不予受理); 即办件 on the spot;
- 代办点: the 一次不跑 items taken at village agency points (most by `daiban` at 柳树村) and sent to
  the hall; 李湾村's point has done nothing for months, so the agency page shows it idle;
  consultations (咨询) at the points;
- 网格上报 (most by `wangge` at 王庄村), 乡呼, 12345热线 (with order numbers), 网上 and Open311:
  dispatched by `paidan` through the catalog, signed, sometimes returned (退单) and re-dispatched, twice
  three times and then designated (指定); extensions asked, granted and refused; grid reports verified
  on site or sent back; 好差评 mostly good, 差评 opening rectifications (整改) with follow-up ratings,
  some reopened (重办); townships' 反向评价 of county departments; older cases archived.

A story runs its steps in order; a step that falls after now is not taken, which leaves the case
open where it stands (so every status has work today, some of it overdue). The actions stamp the
present moment, so every story is then moved to its own dates: events, the case's clock fields
(with the deadline and next alert recomputed by `deadlines`), evaluations, rectifications, tasks.
Last, the worker's alert sweep is replayed over the past weeks, so open cases got their 催办, 督办
and 通报 when they were due (those notices are marked sent: nothing is delivered).

Deterministic for a given day (one `random.Random` per case); adds nothing when demo cases exist.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Max, Min
from django.db.models.signals import post_save

from jiceng.catalog.demo import MATTERS_FROM
from jiceng.catalog.models import Matter
from jiceng.catalog.resolve import version_on
from jiceng.lib.errors import DomainError
from jiceng.orgs.demo.data import RANDOM_SEED
from jiceng.orgs.models import Region

from .. import actions, deadlines, figures, worker
from ..models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseTask,
    Channel,
    Consultation,
    Evaluation,
    Notification,
    Rectification,
    Status,
)
from . import routing, texts
from .stories import AGENT_POINT, GRID_VILLAGE, Later, Planned, Stories, Story

CASES = 2200  # stories told (reopened cases come on top): about 23 ms each on SQLite, under a minute
KEY_PREFIX = "demo-"  # every demo case's idempotency key starts so: the mark that the demo is loaded
HISTORY_DAYS = 364
BATCH = 200
EXISTS_LINE = "办件演示数据已存在，保留现有数据。"

SHARES = {
    Channel.WINDOW: 30,
    Channel.AGENT: 9,
    Channel.GRID: 15,
    Channel.TOWNSHIP_CALL: 14,
    Channel.HOTLINE: 18,
    Channel.ONLINE: 10,
    Channel.OPEN311: 4,
}
TOWNSHIP_WEIGHTS = {"城关街道": 13, "东关街道": 10, "龙泉镇": 14, "白沙镇": 10, "河西镇": 12, "张店乡": 7, "青山乡": 6}
URBAN_BONUS = {Channel.HOTLINE: 2.0, Channel.ONLINE: 2.0}  # the streets call and write more
WEEKEND = {Channel.HOTLINE: 0.5, Channel.ONLINE: 0.6, Channel.OPEN311: 0.3, Channel.GRID: 0.15}  # of a weekday
INTAKE_HOURS = {  # minutes after midnight
    Channel.WINDOW: (520, 1020),
    Channel.AGENT: (520, 1020),
    Channel.TOWNSHIP_CALL: (520, 1040),
    Channel.GRID: (450, 1110),
    Channel.HOTLINE: (420, 1350),
    Channel.ONLINE: (360, 1430),
    Channel.OPEN311: (450, 1140),
}
AGENCY_POINTS = {"柳树村": 55, "龙泉社区": 15, "李湾村": 8, "白沙社区": 8, "河西社区": 8, "新华社区": 6}
CONSULTATIONS = {"柳树村": 1.2, "龙泉社区": 0.6, "李湾村": 0.3, "白沙社区": 0.3, "河西社区": 0.3, "新华社区": 0.2}
IDLE_POINT, IDLE_FOR = "李湾村", 120  # the point that has done nothing for IDLE_FOR days

CASE_COLUMNS = (
    "created_at",
    "started_on",
    "dispatched_at",
    "signed_at",
    "finished_at",
    "paused_on",
    "paused_days",
    "matter_version",
    "due_at",
    "alert_stage",
    "next_alert_at",
)


class Recorder:
    """Hands the rows the actions create to the story being told (a receiver connected only while seeding)."""

    models = (CaseEvent, Evaluation, Rectification)

    def __init__(self):
        self.story: Story | None = None

    def __call__(self, sender, instance, created, **kwargs):
        if created and self.story is not None:
            self.story.saw(instance)

    def __enter__(self) -> Recorder:
        for model in self.models:
            post_save.connect(self, sender=model, weak=False, dispatch_uid=f"cases-demo-{model.__name__}")
        return self

    def __exit__(self, *exc) -> None:
        for model in self.models:
            post_save.disconnect(sender=model, dispatch_uid=f"cases-demo-{model.__name__}")


def update_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """UPDATE the columns of one row per tuple (values…, id) in one executemany.

    bulk_update's CASE WHEN takes seconds on batches this size; this takes milliseconds.
    """
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in columns]
    qn = connection.ops.quote_name
    sql = (
        f"UPDATE {qn(model._meta.db_table)} SET {', '.join(f'{qn(f.column)} = %s' for f in fields)} "
        f"WHERE {qn(model._meta.pk.column)} = %s"
    )
    params = [
        [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=False)] + [row[-1]] for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


class CaseSeeder(Stories):
    def __init__(self, *, today: date, count: int):
        super().__init__(today=today)
        self.count = count
        self.first_day = max(today - timedelta(days=HISTORY_DAYS), MATTERS_FROM)
        self.failures: list[str] = []
        self.serial = 0
        self.recorder = Recorder()
        self.case_rows: list[tuple] = []
        self.event_rows: list[tuple] = []
        self.evaluation_rows: list[tuple] = []
        self.rectification_rows: list[tuple] = []
        self.task_times: dict[int, datetime] = {}

    # -- the plan -------------------------------------------------------------------------------

    def plan(self) -> list[Planned]:
        """When each story starts, where, and by which channel: spread over the year's days and townships."""
        rng = random.Random(RANDOM_SEED + 31)
        days = [self.first_day + timedelta(days=i) for i in range((self.today - self.first_day).days + 1)]
        townships = [self.townships[n] for n in TOWNSHIP_WEIGHTS if n in self.townships]
        points = {
            self.points[v.pk]: w
            for name, w in AGENCY_POINTS.items()
            if (v := self.village_by_name.get(name)) is not None and v.pk in self.points
        }
        busy = next((p for p in points if p.region_id == self.village_by_name[AGENT_POINT].pk), None)
        total = sum(SHARES.values())
        out: list[Planned] = []
        index = 0
        for channel, share in SHARES.items():
            day_weights = [1.0 if self.cal.is_workday(d) else WEEKEND.get(channel, 0.0) for d in days]
            if channel == Channel.OPEN311:
                where = [t for t in townships if t.kind == "subdistrict"]  # 数字城管 covers the streets
            elif channel == Channel.WINDOW:
                where = [t for t in townships if t.pk in self.halls]
            else:
                where = townships
            bonus = URBAN_BONUS.get(channel, 1.0)
            weights = [TOWNSHIP_WEIGHTS[t.name] * (bonus if t.kind == "subdistrict" else 1.0) for t in where]
            lo, hi = INTAKE_HOURS[channel]
            for _ in range(round(self.count * share / total)):
                index += 1
                day = rng.choices(days, day_weights)[0]
                start = self.at(day, rng.randint(lo, hi))
                if channel == Channel.AGENT:
                    point = rng.choices(list(points), weights=list(points.values()))[0]
                    if point.short_name == IDLE_POINT and (self.today - day).days <= IDLE_FOR:
                        point = busy or point
                    planned = Planned(start, index, self.agent, {"point": point})
                else:
                    township = rng.choices(where, weights=weights)[0]
                    if channel == Channel.WINDOW:
                        planned = Planned(start, index, self.window, {"township": township})
                    else:
                        planned = Planned(start, index, self.event, {"channel": channel, "township": township})
                if start <= self.now:
                    out.append(planned)
        return out

    # -- stories the demo must have whatever the count --------------------------------------------

    def specials(self) -> list[Planned]:
        """Each open status at the end of the last working day, 指定 after three returns, overdue to 通报, 重办."""
        out: list[Planned] = []
        last, t = self.last_day, self.townships
        call = {"tell": self.event, "channel": Channel.TOWNSHIP_CALL}
        hotline = {"tell": self.event, "channel": Channel.HOTLINE}
        grid = {"tell": self.event, "channel": Channel.GRID, "village": GRID_VILLAGE}

        def add(start: datetime, stop: str = "", **kwargs) -> None:
            out.append(Planned(start, -1 - len(out), kwargs.pop("tell"), {"detours": False} | kwargs, stop))

        def limit(matter: str) -> int:
            return self.versions[self.matters[matter].pk].time_limit_days or 3

        land, water, house = "农村乱占耕地建房", "农村饮水安全工程管护", "农村房屋安全隐患排查"
        add(self.at(self.back(last, 45), 600), **call, township=t["龙泉镇"], matter=land, returns=3, late=0)
        add(self.at(self.back(last, 2), 560), "finish", **call, township=t["河西镇"], matter=land, returns=3)
        add(self.at(last, 1000), "dispatch", **call, township=t["龙泉镇"], matter=water)
        add(
            (self.now - timedelta(minutes=95)).replace(second=0, microsecond=0),
            "dispatch",
            **hotline,
            township=t["城关街道"],
        )
        add(self.at(last, 1010), "dispatch", **grid, township=t["龙泉镇"])
        add(self.at(last, 820), "sign", **call, township=t["白沙镇"])
        add(self.at(last, 840), "sign", **hotline, township=t["东关街道"])
        add(self.at(last, 560), "redispatch", **call, township=t["青山乡"], returns=1)
        add(self.at(last, 600), "redispatch", **grid, township=t["龙泉镇"], returns=1)
        for name in ("龙泉镇", "城关街道"):
            add(
                self.at(last, 640),
                "resume",
                tell=self.window,
                township=t[name],
                supplement=True,
                service="最低生活保障申请",
            )
        start = self.back(last, limit(house) - 1)
        add(self.at(start, 520), "decide_extension", **call, township=t["龙泉镇"], matter=house, extension="approve")
        for weeks, decision in ((6, "approve"), (9, "refuse")):
            add(self.at(self.back(last, weeks * 5), 560), **call, township=t["白沙镇"], extension=decision, late=0)
        overdue = (
            ("龙泉镇", "非法占地硬化场地、建设厂房堆场", 1),
            ("白沙镇", "企业偷排超排废水", 3),
            ("河西镇", water, 5),
            ("龙泉镇", land, 7),
            ("张店乡", "小场所安全生产隐患", 12),
        )
        for name, matter, late in overdue:
            start = self.back(last, limit(matter) + late)
            add(self.at(start, 600), "finish", **call, township=t[name], matter=matter, late=late + 3, returns=0)
        add(self.at(self.back(last, 30), 600), **hotline, township=t["城关街道"], score=1, reopen=True, late=0)
        idle = self.points.get(self.village_by_name[IDLE_POINT].pk)
        if idle is not None:  # the point that went quiet was busy once
            add(self.at(self.back(last, IDLE_FOR), 600), tell=self.agent, point=idle)
        return out

    # -- telling, then moving each story to its dates -------------------------------------------

    def run(self) -> list[str]:
        plan = sorted(self.plan() + self.specials(), key=lambda p: (p.start, p.index))
        with self.recorder:
            for i in range(0, len(plan), BATCH):
                with transaction.atomic():
                    for planned in plan[i : i + BATCH]:
                        self.tell(planned)
                    self.flush()
        consultations = self.consult()
        alerts = self.replay_alerts()
        return self.summary(consultations, alerts)

    def tell(self, p: Planned, *, seed: str = "case") -> None:
        s = Story(self.now, p.start, p.stop)
        r = random.Random(f"{RANDOM_SEED}-{seed}-{p.index}")
        self.serial += 1
        key = f"{KEY_PREFIX}{p.index:05d}" if p.index > 0 else f"{KEY_PREFIX}s{-p.index:02d}"
        self.recorder.story = s
        try:
            p.tell(s, r, key=key, index=p.index, serial=self.serial, **p.kwargs)
        except Later:
            pass
        except DomainError as e:
            self.failures.append(f"{key}：{e.message}")
        finally:
            self.recorder.story = None
        if s.case is not None:
            self.finalize(s)
        for follow in s.then:
            self.tell(follow, seed="reopen")

    def finalize(self, s: Story) -> None:
        """Replay the story's events on the clock fields, as the actions set them, at the story's times."""
        case = s.case
        events = sorted((pk, action, t) for pk, case_id, action, t in s.events if case_id == case.pk)
        started = dispatched = signed = finished = paused_on = None
        paused_days = 0
        for _, action, t in events:
            day = self.day_of(t)
            if action == "accept":
                started = day
            elif action == "dispatch":
                dispatched, signed = t, None
                if not case.is_service or started is None:
                    started = day  # as dispatch_case: an event's clock starts at 派单
            elif action == "reassign":
                dispatched, signed = t, None
            elif action == "sign":
                signed = t
            elif action == "supplement":
                paused_on = day
            elif action in ("resume", "complete_intake"):
                paused_days += deadlines.paused_workdays(paused_on or day, day)
                paused_on = None
            elif action == "finish":
                finished = t
            elif action == "send_back":
                finished = None
        case.created_at = events[0][2]
        case.started_on = started if case.started_on else None
        case.dispatched_at = dispatched if case.dispatched_at else None
        case.signed_at = signed if case.signed_at else None
        case.finished_at = finished if case.finished_at else None
        case.paused_on = paused_on if case.paused_on else None
        case.paused_days = paused_days
        if case.matter_id:
            version = version_on(Matter(pk=case.matter_id), started or self.day_of(case.created_at))
            case.matter_version = version or case.matter_version
        case.due_at = deadlines.due_at(case)
        case.alert_stage = 0
        ticking = case.status in (Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING)
        case.next_alert_at = deadlines.next_alert(case, 0)[0] if ticking else None
        self.case_rows.append(
            tuple(
                getattr(case, f.attname if f.is_relation else f.name) for f in map(Case._meta.get_field, CASE_COLUMNS)
            )
            + (case.pk,)
        )
        self.event_rows += [(t, pk) for pk, _, t in events]
        self.evaluation_rows += [(t, pk) for pk, _, t in s.evaluations]
        if s.rectification:
            pk, t = s.rectification
            due = self.add(self.day_of(t), actions.RECTIFY_WORKDAYS)
            self.rectification_rows.append((t, due, s.marks.get("rectify"), pk))
        if case.dispatched_at:
            self.task_times[case.pk] = case.dispatched_at

    def flush(self) -> None:
        update_rows(Case, CASE_COLUMNS, self.case_rows)
        update_rows(CaseEvent, ("at",), self.event_rows)
        update_rows(Evaluation, ("at",), self.evaluation_rows)
        update_rows(Rectification, ("created_at", "due_on", "done_at"), self.rectification_rows)
        tasks = CaseTask.objects.filter(case_id__in=list(self.task_times)).values_list("pk", "case_id")
        update_rows(CaseTask, ("updated_at",), [(self.task_times[case_id], pk) for pk, case_id in tasks])
        self.case_rows, self.event_rows, self.evaluation_rows, self.rectification_rows = [], [], [], []
        self.task_times = {}

    # -- consultations and alerts ---------------------------------------------------------------

    def consult(self) -> int:
        """Questions answered at the agency points (咨询) on working days; none lately at the idle point."""
        rng = random.Random(RANDOM_SEED + 32)
        rows, times = [], []
        for name, per_day in CONSULTATIONS.items():
            village = self.village_by_name.get(name)
            point = self.points.get(village.pk) if village else None
            if point is None:
                continue
            by = self.user("agent") if name == AGENT_POINT else None
            for day in self.cal.workdays_in(self.first_day, self.today):
                if name == IDLE_POINT and (self.today - day).days <= IDLE_FOR:
                    continue
                for _ in range(int(per_day) + (rng.random() < per_day % 1)):
                    topic, matter = rng.choice(texts.CONSULT_TOPICS)
                    t = self.at(day, rng.randint(520, 1040))
                    if t <= self.now:
                        rows.append(Consultation(unit=point, topic=topic, matter=self.matters.get(matter), by=by))
                        times.append(t)
        before = Consultation.objects.aggregate(m=Max("pk"))["m"] or 0
        Consultation.objects.bulk_create(rows, batch_size=500)
        created = Consultation.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True)
        update_rows(Consultation, ("at",), list(zip(times, created, strict=True)))
        return len(rows)

    def replay_alerts(self) -> int:
        """Run the worker's alert sweep on each past morning an alert fell due, as the worker would have."""
        sent = 0
        waiting = Case.objects.filter(status__in=OPEN_STATUSES).exclude(status=Status.PAUSED)
        while True:
            first = waiting.aggregate(t=Min("next_alert_at"))["t"]
            if first is None or first > self.now:
                return sent
            moment = min(max(first, self.at(self.day_of(first), 540)), self.now)
            before = Notification.objects.aggregate(m=Max("pk"))["m"] or 0
            done = worker.sweep_alerts(now=moment)
            # Sent back then: the outbox must not deliver a year of old notices today.
            Notification.objects.filter(pk__gt=before).update(
                created_at=moment, state=Notification.State.SENT, sent_at=moment
            )
            sent += done
            if not done:
                return sent

    # -- summary --------------------------------------------------------------------------------

    def summary(self, consultations: int, alerts: int) -> list[str]:
        cases = Case.objects.all()
        channels = Counter(cases.values_list("channel", flat=True))
        statuses = Counter(cases.values_list("status", flat=True))
        overdue = list(figures.overdue(self.now))
        notified = sum(actions.overdue_workdays(c, self.now) >= deadlines.LATE_FOR_NOTICE for c in overdue)
        totals = figures.totals(self.today - timedelta(days=365))
        evaluations = Counter(Evaluation.objects.values_list("kind", flat=True))
        rectifications = Rectification.objects.all()

        def pct(x: float | None) -> str:
            return f"{x:.0%}" if x is not None else "—"

        lines = [
            f"办件：近一年{sum(channels.values())}件（"
            + "，".join(f"{label}{channels[value]}" for value, label in Channel.choices)
            + f"；重办{cases.exclude(reopened_from=None).count()}件，"
            f"指定承办{cases.filter(designated=True).count()}件）",
            f"  在办{sum(statuses[s] for s in OPEN_STATUSES)}件（"
            + "、".join(f"{Status(s).label}{statuses[s]}" for s in OPEN_STATUSES if statuses[s])
            + f"），超期{len(overdue)}件（5个工作日以上{notified}件）；办结{totals.finished}件，"
            f"按期办结率{pct(totals.on_time_rate)}，平均{totals.average_workdays or 0:.1f}个工作日，"
            f"一次办好{pct(totals.once_share)}",
            f"  好差评{evaluations[Evaluation.Kind.REQUESTER]}条（差评整改{rectifications.count()}件，"
            f"已整改{rectifications.exclude(done_at=None).count()}件），反向评价{evaluations[Evaluation.Kind.REVERSE]}条；"
            f"代办点咨询{consultations}次；催办、督办、通报{alerts}次",
        ]
        if self.failures:
            lines.append(f"  {len(self.failures)}个办件的演示步骤未能执行，如：{self.failures[0]}")
        return lines


def seed(*, today: date, count: int | None = None) -> list[str]:
    """Load a year of demo cases ending `today` (CASES stories unless `count`); returns lines for the summary.

    Needs the orgs, staffing and catalog demos; call inside a transaction (the command does).
    """
    if Case.objects.filter(idempotency_key__startswith=KEY_PREFIX).exists():
        return [EXISTS_LINE]
    lines = CaseSeeder(today=today, count=CASES if count is None else count).run()
    return lines + _duplicate_pair() + routing.seed()


def _duplicate_pair() -> list[str]:
    """Two villagers report the same broken street light this morning: the second is flagged for merging."""
    village = Region.objects.filter(name=GRID_VILLAGE, level=5).first()
    if village is None:
        return []
    reports = (("村委会门口路灯不亮", "13903960101"), ("村委会门口的路灯不亮了", "13903960102"))
    for n, (title, phone) in enumerate(reports):
        case, _ = actions.register_case(
            channel=Channel.ONLINE if n else Channel.HOTLINE,
            title=title,
            text="晚上村委会门口一片漆黑，老人出门不方便。",
            township=village.parent,
            village=village,
            address="村委会门口",
            requester_name="村民",
            requester_phone=phone,
            idempotency_key=f"{KEY_PREFIX}duplicate-{n}",
        )
        case.events.update(at=case.created_at)  # like every demo case: registered at the moment of its first event
    flagged = Case.objects.filter(idempotency_key=f"{KEY_PREFIX}duplicate-1", duplicate_of__isnull=False).count()
    return [f"疑似重复待合并：{flagged}件"]
