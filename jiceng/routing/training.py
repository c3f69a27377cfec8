"""Training examples from the database: the catalog's text for every matter in force, and every case that
was dispatched under a known matter (its final matter: a dispatcher's correction or a 退单 that ended in
another matter is simply a case whose final matter differs from the first suggestion)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jiceng.catalog.models import ListKind, MatterVersion

from .classifier import Text

CATALOG_WEIGHT = 1.0
CASE_WEIGHT = 3.0  # a real report says more about how people write than the catalog's wording
EXAMPLE_WEIGHT = 3.0
CLOSED_WITHOUT_MATTER = ("rejected", "withdrawn", "merged")
PHRASE_END = re.compile(r"[。；;！？，、,]")


@dataclass(frozen=True)
class Example:
    text: Text
    label: str
    weight: float
    source: str  # catalog, examples or cases
    report: bool  # a real report (held out by the model's internal folds), not catalog wording


def matter_documents(name: str, keywords: str, township_duty: str = "", county_duty: str = "") -> list[str]:
    """A matter's catalog text as short training documents: its name, each keyword on its own, all keywords
    together, and each phrase of the township's and the county's duties (split at 。；，、)."""
    words = [k.strip() for k in keywords.replace("；", ";").split(";") if k.strip()]
    phrases = [p.strip() for duty in (township_duty, county_duty) for p in PHRASE_END.split(duty or "")]
    return [d for d in (name.strip(), *words, " ".join(words), *phrases) if len(d) > 1]


def catalog_examples(day: date) -> list[Example]:
    """The documents of every matter with a version in force on `day` (see `matter_documents`), but for the
    政务服务 items: the model routes reports of problems, and an application is made at a window for its item."""
    out = []
    versions = MatterVersion.objects.in_force(day).exclude(list_kind=ListKind.SERVICE)
    for v in versions.select_related("matter").order_by("matter__code"):
        docs = matter_documents(v.name, v.keywords, v.township_duty, v.county_duty)
        out += [Example(doc, v.matter.code, CATALOG_WEIGHT, "catalog", False) for doc in docs]
    return out


def catalog_csv_examples(directory: str | Path) -> list[Example]:
    """The same documents from a catalog in the shared CSV format (matters.csv: matter_code, matter_name,
    keywords, township_duty, county_duty), for evaluating without a database."""
    with open(Path(directory) / "matters.csv", encoding="utf-8-sig", newline="") as f:
        return [
            Example(doc, row["matter_code"], CATALOG_WEIGHT, "catalog", False)
            for row in csv.DictReader(f)
            for doc in matter_documents(
                row["matter_name"], row["keywords"], row.get("township_duty", ""), row.get("county_duty", "")
            )
        ]


def case_examples() -> list[Example]:
    from jiceng.cases.models import Case

    rows = (
        Case.objects.filter(matter__isnull=False, dispatched_at__isnull=False, is_service=False)
        .exclude(status__in=CLOSED_WITHOUT_MATTER)
        .values_list("title", "text", "matter__code")
    )
    return [Example((title, text), code, CASE_WEIGHT, "cases", True) for title, text, code in rows.iterator()]


def file_examples(path: str | Path) -> list[Example]:
    """A CSV with columns text and matter_code (like the shared catalog's examples_dev.csv)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [
            Example(row["text"], row["matter_code"], EXAMPLE_WEIGHT, "examples", True)
            for row in csv.DictReader(f)
            if row.get("text") and row.get("matter_code")
        ]
