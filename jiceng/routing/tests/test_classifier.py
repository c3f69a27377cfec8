"""The text model on its own: n-gram counting, calibrated probabilities, explanations, storage, folds."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from jiceng.routing.classifier import Ngrams, TextRouter, baseline, normalise, stratified_folds

TEXTS = {
    "burning": ["村口有人烧塑料垃圾冒黑烟", "田里焚烧秸秆浓烟滚滚", "河边烧轮胎焦臭味很大", "半夜露天焚烧废品黑烟"],
    "noise": ["工地夜里施工噪音扰民", "广场舞音响太吵睡不着", "装修电钻噪声从早到晚", "饭店排风扇嗡嗡响很吵"],
    "road": ["村道路面塌陷出现大坑", "桥上护栏被撞坏了", "公路坑洼积水车辆难行", "下水道井盖丢了路面有洞"],
}


@pytest.fixture(scope="module")
def router():
    texts = [t for group in TEXTS.values() for t in group]
    labels = [label for label, group in TEXTS.items() for _ in group]
    return TextRouter(folds=2).fit(texts, labels)


def test_ngram_counts_match_scikit_learns_char_analyzer():
    texts = [normalise(t) for group in TEXTS.values() for t in group] + ["ab a", "Ｂ"]
    ngrams = Ngrams((1, 3))
    counts = ngrams.fit_counts(texts)
    reference = CountVectorizer(analyzer="char", ngram_range=(1, 3), lowercase=False)
    expected = reference.fit_transform(texts)
    order = [reference.vocabulary_[name] for name in ngrams.names(np.arange(counts.shape[1]))]
    assert counts.shape == expected.shape
    assert (expected[:, order] != counts).nnz == 0
    assert ngrams.counts(["烧塑料", "猫狗鱼"]).sum() == 6  # unknown characters count nothing


def test_probabilities_sum_to_one_and_clear_texts_get_their_label(router):
    guesses = router.suggest("有人在地里烧垃圾，黑烟呛人", k=3)
    assert guesses[0].label == "burning"
    assert sum(g.probability for g in guesses) == pytest.approx(1.0)
    assert guesses[0].probability > guesses[1].probability
    probabilities = router.predict_proba(["晚上施工太吵", "路面塌了个坑"])
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert list(router.classes_[probabilities.argmax(axis=1)]) == ["noise", "road"]


def test_an_unrelated_text_stays_below_the_auto_dispatch_threshold(router):
    assert router.suggest("请问办事大厅几点上班", k=1)[0].probability < 0.8
    assert router.suggest("", k=1)[0].probability < 0.8


def test_the_words_come_from_the_text_and_explain_the_label(router):
    text = "小区旁边工地夜里施工，噪音很大"
    words = router.suggest(text, k=1)[0].words
    assert 0 < len(words) <= 5
    assert all(w in normalise(text) for w in words)
    assert any("噪" in w or "施工" in w for w in words)


def test_a_stored_model_suggests_exactly_as_before(router):
    again = TextRouter.loads(router.dumps())
    assert again.suggest("桥上护栏坏了") == router.suggest("桥上护栏坏了")
    with pytest.raises(ValueError, match="重新训练"):
        TextRouter.loads(__import__("pickle").dumps((0, again)))


def test_the_internal_folds_give_figures_and_a_temperature_only_with_enough_reports(router):
    assert router.metrics_ == {} and router.temperature_ == 1.0  # a dozen texts: scores as they are
    texts = [t + suffix for group in TEXTS.values() for t in group for suffix in ("", "啊", "呀")]
    labels = [label for label, group in TEXTS.items() for _ in group for _ in range(3)]
    larger = TextRouter(folds=3).fit(texts, labels)
    assert set(larger.metrics_) >= {"top1", "top3", "macro_f1", "ece", "coverage", "accuracy_above"}
    assert larger.metrics_["n"] == 36 and larger.metrics_["top1"] > 0.9 and larger.temperature_ != 1.0


def test_title_and_body_pairs_and_two_labels_and_the_baseline():
    model = TextRouter(folds=0).fit([("噪音", "工地夜里施工"), ("坑", "路面塌陷")] * 3, ["noise", "road"] * 3)
    assert model.suggest(("太吵了", "施工噪音"), k=2)[0].label == "noise"
    reference = baseline().fit(["工地噪音", "路面坑洼"] * 3, ["noise", "road"] * 3)
    assert reference.suggest("噪音", k=1)[0].label == "noise"
    with pytest.raises(ValueError, match="两个事项"):
        TextRouter().fit(["一", "二"], ["a", "a"])


def test_folds_deal_every_label_round_and_cover_each_row_once():
    labels = np.array(["a"] * 2 + ["b"] * 7 + ["c"])
    folds = stratified_folds(labels, 5, seed=1)
    assert sorted(np.concatenate(folds).tolist()) == list(range(10))
    assert all(len(f) == 2 for f in folds)
    assert all(set(labels[f]) != {"a"} for f in folds)  # the two a's are in different folds
    assert sum("a" in labels[f] for f in folds) == 2


def test_log_probabilities_match_the_probabilities_and_keep_ranking_what_rounds_to_zero(router):
    texts = ["麦地里有人打地基", "反映一下"]
    log_p = router.predict_log_proba(texts)
    assert np.allclose(np.exp(log_p), router.predict_proba(texts), atol=1e-12)
    assert np.isfinite(log_p).all()  # no label is impossible: the second and third guesses stay ordered
