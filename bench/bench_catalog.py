"""Catalog benchmarks: resolution throughput with the cached index, and importing the shared catalog.

Each row compares the platform's way with a baseline measured in the same run (medians; ratios).
Run with `make bench-catalog` on a throwaway SQLite database with the demo county.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import tempfile
import time
import unicodedata
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from jiceng.catalog.importing import import_catalog  # noqa: E402
from jiceng.catalog.models import Matter, Responsibility  # noqa: E402
from jiceng.catalog.resolve import Unresolvable, index, invalidate, resolve  # noqa: E402
from jiceng.orgs.models import Region  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "catalog"


def pad(text: str, width: int) -> str:
    return text + " " * (width - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text))


def median(fn, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def uncached_lead(matter: Matter, township: Region, day: date):
    """The baseline: what resolve answers, asked of the database each time."""
    version = matter.versions.in_force(day).first()
    lead = Responsibility.objects.select_related("catalog_unit__unit").get(version=version, is_lead=True)
    cu = lead.catalog_unit
    if cu.level == "township":
        return cu.bindings.filter(township=township).values_list("unit__name", flat=True).first()
    return cu.unit.name if cu.unit else None


def main() -> None:
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    day = date.today()
    pairs = [(m, t) for m in Matter.objects.all() for t in Region.objects.townships()]
    index()  # warm

    def resolve_all():
        for m, t in pairs:
            with contextlib.suppress(Unresolvable):  # unresolvable pairs are answered too
                resolve(m, t, day)

    ours = median(resolve_all)
    sample = pairs[:: max(1, len(pairs) // 300)]
    base = median(lambda: [uncached_lead(m, t, day) for m, t in sample], repeat=3) * len(pairs) / len(sample)
    invalidate()
    rebuild = median(lambda: (invalidate(), index()), repeat=3)
    rows = [
        (
            f"责任单位解析 {len(pairs)}次",
            "内存索引",
            ours,
            "每次查询数据库（抽样推算）",
            base,
            f"{len(pairs) / ours:,.0f} 次/秒",
        ),
        ("清单变更后重建索引", "整体重建", rebuild, "—", None, ""),
    ]
    if SHARED.exists():

        def fresh_import():
            with transaction.atomic():
                result = import_catalog(SHARED, dry_run=False, document_no="bench")
                transaction.set_rollback(True)
            return result

        imported = median(fresh_import, repeat=3)
        rows.append(("导入共享清单（117项）", "import_catalog", imported, "—", None, ""))
    print(
        pad("项目", 26)
        + pad("平台做法", 12)
        + "中位数".rjust(10)
        + "  "
        + pad("基线", 28)
        + "中位数".rjust(10)
        + "  倍数   吞吐"
    )
    for name, ours_label, ours_s, base_label, base_s, extra in rows:
        base_text = f"{base_s * 1000:>9.1f}ms" if base_s else " " * 11
        ratio = f"{base_s / ours_s:>6.1f}×" if base_s else " " * 7
        print(
            pad(name, 26)
            + pad(ours_label, 12)
            + f"{ours_s * 1000:>9.1f}ms  "
            + pad(base_label, 28)
            + base_text
            + f" {ratio}  {extra}"
        )


if __name__ == "__main__":
    main()
