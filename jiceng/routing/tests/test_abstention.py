"""TextRouter on catalog wording beside templated reports: clear texts get their matter, vague ones abstain (their
probabilities stay far from the auto-dispatch threshold however sure the templated history made the model), the
reports' weight and the prototypes' weight come from the internal folds, and a stored model keeps all of it."""

import numpy as np
import pytest

from jiceng.routing.classifier import MIN_EVIDENCE, TextRouter

CATALOG = {
    "M001": ["农村违法占用耕地建房", "占耕地", "地里盖房", "打地基", "麦地", "发现占用耕地建房、打地基的，及时劝阻"],
    "M027": ["露天焚烧垃圾", "烧垃圾", "烧塑料", "冒黑烟", "焦臭味", "发现露天焚烧垃圾、塑料、轮胎的，及时制止"],
    "M060": ["农村道路损毁", "路坏了", "坑洼", "路面塌陷", "护栏", "发现农村公路路面塌陷、护栏损坏的，设置警示"],
    "M111": ["社会生活噪声扰民", "广场舞", "音响", "装修", "噪音", "发现广场舞、装修噪声扰民的，劝导调解"],
}
# Reports as a templated demo history writes them: the same sentence with another place, over and over, so the
# model's folds are always right and its temperature tiny: without a guard any text at all would look certain.
TEMPLATES = {
    "M001": "{p}村民在麦地里打地基准备建房，请尽快处理。",
    "M027": "{p}有人焚烧塑料垃圾冒黑烟，请尽快处理。",
    "M060": "{p}村道路面塌陷出现大坑，请尽快处理。",
    "M111": "{p}广场舞音响声音太大吵得睡不着，请尽快处理。",
}
PLACES = ["城关镇东关村", "河西镇前进村", "青山乡后沟村", "白沙镇河口村", "龙泉镇泉水湾村", "马坊乡马坊村"]
VAGUE = ["反映个情况", "有个事想问问", ("反映一下", "请你们来看看"), "麻烦你们派人来看看", "你好", ""]
CLEAR = {
    "村东头有人在麦地里打地基盖房子": "M001",
    "河边有人烧塑料和轮胎，黑烟呛人": "M027",
    "村道路面塌了一个大坑，车过不去": "M060",
    "楼下广场舞音响开得太大声": "M111",
}


def train(reports: int = 8) -> TextRouter:
    texts, labels, weights, held = [], [], [], []
    for code, docs in CATALOG.items():
        texts += docs
        labels += [code] * len(docs)
        weights += [1.0] * len(docs)
        held += [False] * len(docs)
    for code, template in TEMPLATES.items():
        for n in range(reports):
            texts.append(template.format(p=PLACES[n % len(PLACES)]))
            labels.append(code)
            weights.append(3.0)
            held.append(True)
    return TextRouter().fit(texts, labels, sample_weight=weights, holdout=held)


@pytest.fixture(scope="module")
def router():
    return train()


def test_the_templated_history_makes_the_scores_overconfident(router):
    assert router.metrics_["top1"] == 1.0 and router.temperature_ < 0.5


@pytest.mark.parametrize("text", CLEAR)
def test_a_clear_text_gets_its_matter_with_words_from_the_text(router, text):
    guess = router.suggest(text, k=3)[0]
    assert guess.label == CLEAR[text]
    assert router.evidence([text])[0] >= MIN_EVIDENCE
    assert guess.words and all(w in text for w in guess.words)


def test_clear_texts_are_sure_enough_to_dispatch(router):
    probabilities = router.predict_proba(list(CLEAR))
    assert list(router.classes_[probabilities.argmax(axis=1)]) == list(CLEAR.values())
    assert (probabilities.max(axis=1) >= 0.8).all()


@pytest.mark.parametrize("text", VAGUE, ids=str)
def test_a_vague_text_abstains(router, text):
    assert router.evidence([text])[0] < 0.5 * MIN_EVIDENCE
    guesses = router.suggest(text, k=4)
    assert guesses[0].probability < 0.6  # far below ROUTING_AUTO_THRESHOLD (0.8)
    assert sum(g.probability for g in guesses) == pytest.approx(1.0)
    assert router.predict_proba([text])[0].max() == pytest.approx(guesses[0].probability)


def test_should_auto_dispatch_is_false_for_a_vague_text(router, settings):
    from jiceng.routing.suggest import Suggestion, should_auto_dispatch

    settings.ROUTING_AUTO_THRESHOLD = 0.8

    def suggestions(text):
        return [Suggestion(None, g.label, g.probability, g.words, 1) for g in router.suggest(text, k=3)]

    assert should_auto_dispatch(suggestions("村东头有人在麦地里打地基盖房子"))
    assert not should_auto_dispatch(suggestions("反映个情况"))
    assert not should_auto_dispatch(suggestions(("反映一下", "请你们来看看")))


def test_a_vague_text_is_never_auto_dispatched_even_when_its_probability_clears_the_threshold(router, settings):
    """As in the demo: a few weak words (没人管) drew a templated model's probability to 84%, above 80%."""
    from jiceng.routing.suggest import Suggestion, should_auto_dispatch

    settings.ROUTING_AUTO_THRESHOLD = 0.5
    guesses = router.suggest(("反映个情况", "那边的事情一直没人管，麻烦你们派人来看看"), k=3)
    assert guesses[0].vague and guesses[0].probability >= 0.2
    sure = [Suggestion(None, g.label, 0.99, g.words, 1, g.vague) for g in guesses]
    assert not should_auto_dispatch(sure)
    clear = router.suggest("村东头有人在麦地里打地基盖房子", k=1)[0]
    assert not clear.vague
    assert should_auto_dispatch([Suggestion(None, clear.label, 0.99, clear.words, 1, clear.vague)])


def test_the_folds_choose_the_reports_weight_and_the_prototypes_weight(router):
    assert router.metrics_["report_weight"] in (0.0, 0.1, 0.333, 1.0)
    assert router.metrics_["prototype_weight"] in (0.0, 0.25, 0.5, 1.0, 2.0)
    catalog_only = TextRouter(folds=0).fit(
        [d for docs in CATALOG.values() for d in docs], [c for c, docs in CATALOG.items() for _ in docs]
    )
    assert catalog_only.metrics_ == {} and catalog_only.suggest("楼下广场舞太吵", k=1)[0].label == "M111"


def test_a_stored_model_abstains_and_suggests_exactly_as_before(router):
    again = TextRouter.loads(router.dumps())
    for text in [*CLEAR, *VAGUE]:
        assert again.suggest(text) == router.suggest(text)
    np.testing.assert_allclose(again.evidence(list(CLEAR)), router.evidence(list(CLEAR)))
