"""Foundation benchmarks: working-day arithmetic, data-scope filtering and coverage gaps on the demo county.

Each row compares the platform's way with a plain baseline measured in the same run; the table
reports medians and ratios (machines are noisy). Run with `make bench` (a throwaway SQLite database).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import unicodedata
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from jiceng.accounts.models import User  # noqa: E402
from jiceng.lib.workdays import WorkCalendar  # noqa: E402
from jiceng.orgs.duty import coverage_gaps, on_duty  # noqa: E402
from jiceng.orgs.models import Person, Post, Unit  # noqa: E402
from jiceng.workcal.calendar import get_calendar  # noqa: E402
from jiceng.workcal.models import CalendarDay, CalendarYear  # noqa: E402


def pad(text: str, width: int) -> str:
    """Left-align for a terminal, where a Chinese character takes two columns."""
    return text + " " * (width - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text))


def median_seconds(fn, repeat: int = 7, number: int = 1) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t) / number)
    return statistics.median(samples)


def uncached_add(start, days):
    overrides = dict(CalendarDay.objects.values_list("date", "is_workday"))
    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    return WorkCalendar(overrides=overrides, known_years=years).add(start, days)


def subtree_by_walking(root: Unit) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent in Unit.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    out, stack = set(), [root.pk]
    while stack:
        pk = stack.pop()
        out.add(pk)
        stack.extend(children.get(pk, ()))
    return out


def main() -> None:
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    start = date(2026, 9, 30)
    leader = User.objects.get(username="zhenzhang")
    township_root = leader.roles.get().unit
    today = date(2026, 11, 23)
    posts = Post.objects.all()
    rows = []

    ours = median_seconds(lambda: get_calendar().add(start, 20), number=200)
    base = median_seconds(lambda: uncached_add(start, 20), number=20)
    rows.append(("20个工作日截止日（每次）", "缓存的节假日表", ours, "每次重读节假日表", base))

    ours = median_seconds(lambda: list(Person.objects.visible_to(leader).values_list("pk", flat=True)), number=20)
    base = median_seconds(
        lambda: list(
            Person.objects.filter(work_unit__in=subtree_by_walking(township_root)).values_list("pk", flat=True)
        ),
        number=20,
    )
    rows.append(("乡镇领导可见人员", "路径前缀（一次查询）", ours, "逐级遍历单位树", base))

    ours = median_seconds(lambda: coverage_gaps(posts, today, today + timedelta(days=29)), repeat=5)
    base = median_seconds(lambda: [on_duty(p, today + timedelta(days=d)) for p in posts for d in range(30)], repeat=3)
    rows.append((f"在岗缺口 {posts.count()}个岗位×30天", "批量（3次查询）", ours, "逐岗逐日查询", base))

    print(
        pad("项目", 28)
        + pad("平台做法", 22)
        + "中位数".rjust(9)
        + "  "
        + pad("基线", 18)
        + "中位数".rjust(9)
        + "   倍数"
    )
    for name, ours_label, ours_s, base_label, base_s in rows:
        print(
            pad(name, 28)
            + pad(ours_label, 22)
            + f"{ours_s * 1000:>9.3f}ms "
            + pad(base_label, 18)
            + f"{base_s * 1000:>9.3f}ms {base_s / ours_s:>6.1f}×"
        )


if __name__ == "__main__":
    main()
