"""Text → label: character n-grams, TF-IDF, a linear model, and probabilities calibrated on held-out folds.

Pure Python, NumPy and scikit-learn (no Django), so the evaluation command and the benchmark measure the very
class the platform runs. A text is a string, or a (title, body) pair when the title is known apart: the model
reads the title on its own (character 1–3-grams) and the whole text (1–2-grams), each block TF-IDF-weighted with
sublinear term frequency and unit length; a string counts as its own title. The linear model is a logistic
regression per label while the data are small (the catalog and its first cases) and a linear SVM beyond
`LOGISTIC_MAX_ROWS` texts.

N-grams are counted by packing each character's index in the training alphabet into a 64-bit key, so counting
is a few NumPy operations rather than a Python loop over millions of substrings (several times faster than
scikit-learn's CountVectorizer, which matters for training time on long messages).

The probabilities are a softmax of the decision scores divided by one temperature, fitted on out-of-fold
scores from a quick k-fold inside `fit`; the same folds give the cross-validated figures in `metrics_`.
"""

from __future__ import annotations

import math
import pickle
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

Text = str | tuple[str, str]

_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
_FORMAT = 1  # bumped when the pickled layout changes
# Up to this many training texts: a logistic regression per label, keeping n-grams seen once (on the catalog's
# short texts, 4 points more top-1 than the SVM); above it a linear SVM over n-grams seen at least twice, as
# accurate on long reports and about 9 times faster to train, with labels weighted inversely to their frequency
# so that rare matters are not swamped by common ones (+0.002 macro-F1 on gov-messages).
LOGISTIC_MAX_ROWS = 3000
# Fewer held-out rows than this say too little to fit a temperature (a dozen right answers would make every
# suggestion look certain): the scores are then used as they are (T = 1), and no figures are reported.
MIN_CALIBRATION_ROWS = 30


@dataclass(frozen=True)
class Guess:
    label: str
    probability: float
    words: tuple[str, ...]  # the n-grams of the text that weighed most for this label, strongest first


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), lower case, one space for any run of blanks, every number as 0."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _DIGITS.sub("0", _SPACES.sub(" ", text)).strip()


def _title_and_text(text: Text) -> tuple[str, str]:
    if isinstance(text, str):
        return text, text
    title, body = text
    return title, f"{title} {body}"


class Ngrams:
    """Character n-grams of one block (title or whole text) as packed integer keys.

    `fit_counts` fixes the alphabet (the characters seen in training) and the vocabulary (every n-gram seen);
    `keep` narrows the vocabulary; `counts` gives the document × vocabulary count matrix of any texts.
    """

    def __init__(self, ngram_range: tuple[int, int]):
        self.ngram_range = ngram_range

    def fit_counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        codes = _codes(texts)[0]
        self.alphabet_ = np.unique(codes) if len(codes) else np.zeros(1, dtype=np.uint32)
        self.bits_ = max(1, math.ceil(math.log2(len(self.alphabet_) + 1)))
        if self.bits_ * self.ngram_range[1] > 64:
            raise ValueError("训练文本的字符种类过多，无法按当前的 n 元长度编码。")
        keys, docs = self.keys(texts)
        self.vocabulary_, columns = np.unique(keys, return_inverse=True)
        return _matrix(docs, columns, len(texts), len(self.vocabulary_))

    def keep(self, columns: np.ndarray) -> None:
        self.vocabulary_ = self.vocabulary_[columns]

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        keys, docs = self.keys(texts)
        columns = self.lookup(keys)
        hit = columns >= 0
        return _matrix(docs[hit], columns[hit], len(texts), len(self.vocabulary_))

    def keys(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(key, document) of every n-gram of every text; n-grams with a character outside the alphabet are left out."""
        codes, lengths = _codes(texts)
        found = np.minimum(np.searchsorted(self.alphabet_, codes), len(self.alphabet_) - 1)
        ids = np.where(self.alphabet_[found] == codes, found + 1, 0).astype(np.uint64)  # 0: an unknown character
        doc = np.repeat(np.arange(len(lengths)), lengths)
        end = np.cumsum(lengths)[doc]  # where each character's document ends
        position = np.arange(len(codes))
        shift = np.uint64(self.bits_)
        keys, docs = [np.zeros(0, dtype=np.uint64)], [np.zeros(0, dtype=np.int64)]
        low, high = self.ngram_range
        for n in range(low, high + 1):
            m = len(codes) - n + 1
            if m <= 0:
                break
            key = np.zeros(m, dtype=np.uint64)
            known = np.ones(m, dtype=bool)
            for j in range(n):
                part = ids[j : j + m]
                key = (key << shift) | part
                known &= part != 0
            inside = known & (position[:m] + n <= end[:m])
            keys.append(key[inside])
            docs.append(doc[:m][inside])
        return np.concatenate(keys), np.concatenate(docs)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """The vocabulary column of each key, -1 where the key is not in the vocabulary."""
        if len(self.vocabulary_) == 0:
            return np.full(len(keys), -1, dtype=np.int64)
        found = np.minimum(np.searchsorted(self.vocabulary_, keys), len(self.vocabulary_) - 1)
        return np.where(self.vocabulary_[found] == keys, found, -1)

    def names(self, columns) -> list[str]:
        mask = (1 << self.bits_) - 1
        out = []
        for key in self.vocabulary_[columns]:
            key, chars = int(key), []
            while key:
                chars.append(chr(int(self.alphabet_[(key & mask) - 1])))
                key >>= self.bits_
            out.append("".join(reversed(chars)))
        return out


def _codes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    return np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32), lengths


def _matrix(docs, columns, n_docs: int, n_columns: int) -> sp.csr_matrix:
    matrix = sp.csr_matrix((np.ones(len(docs)), (docs, columns)), shape=(n_docs, n_columns))
    matrix.sum_duplicates()
    return matrix


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    weighted = counts.copy()
    weighted.data = (1.0 + np.log(weighted.data)) * idf[weighted.indices]
    return normalize(weighted, copy=False)


def stratified_folds(labels: np.ndarray, k: int, seed: int = 0) -> list[np.ndarray]:
    """Row indices of k test folds: each label's rows are shuffled and dealt round the folds in turn, so every
    fold gets its share of every label even when a label has fewer rows than there are folds."""
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(labels), dtype=np.int64)
    dealt = 0
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        rng.shuffle(rows)
        fold[rows] = (dealt + np.arange(len(rows))) % k
        dealt += len(rows)
    return [np.flatnonzero(fold == i) for i in range(k)]


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    return np.exp(log_softmax(scores / temperature, axis=1))


def fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The temperature T that makes softmax(scores / T) best predict `truth` (least log loss)."""
    rows = np.arange(len(truth))

    def loss(log_t: float) -> float:
        return -float(np.mean(log_softmax(scores / math.exp(log_t), axis=1)[rows, truth]))

    return math.exp(minimize_scalar(loss, bounds=(-6.0, 4.0), method="bounded").x)


def evaluate(probabilities: np.ndarray, truth: np.ndarray, *, threshold: float = 0.8, bins: int = 10) -> dict:
    """Top-1, top-3, macro-F1 and the reliability of the top probability: expected calibration error over
    `bins` equal-width bins, and how many predictions clear `threshold` and how many of those are right.

    `truth` holds each row's true column in `probabilities` (-1 for a label the model does not know)."""
    order = np.argsort(-probabilities, axis=1)
    first = order[:, 0]
    right = first == truth
    confidence = probabilities[np.arange(len(truth)), first]
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    ece = sum(abs(right[which == b].mean() - confidence[which == b].mean()) * np.mean(which == b) for b in set(which))
    above = confidence >= threshold
    return {
        "n": len(truth),
        "top1": round(float(right.mean()), 4),
        "top3": round(float((order[:, :3] == truth[:, None]).any(axis=1).mean()), 4),
        "macro_f1": round(float(f1_score(truth, first, average="macro")), 4),
        "ece": round(float(ece), 4),
        "threshold": threshold,
        "coverage": round(float(above.mean()), 4),
        "accuracy_above": round(float(right[above].mean()), 4) if above.any() else None,
    }


class TextRouter:
    """Suggests labels for texts with calibrated probabilities and the n-grams behind each suggestion.

    `holdout` in `fit` marks the rows that are real reports: only they are held out by the internal k-fold
    (catalog text stays in every fold's training), so the figures and the temperature describe reports.
    """

    def __init__(
        self,
        *,
        title_ngrams: tuple[int, int] = (1, 3),
        text_ngrams: tuple[int, int] = (1, 2),
        min_df: int | None = None,
        C_logistic: float = 30.0,
        C_svm: float = 1.0,
        learner: str = "auto",
        folds: int = 3,
        seed: int = 0,
        threshold: float = 0.8,
    ):
        self.title_ngrams = title_ngrams
        self.text_ngrams = text_ngrams
        self.min_df = min_df
        self.C_logistic = C_logistic
        self.C_svm = C_svm
        self.learner = learner
        self.folds = folds
        self.seed = seed
        self.threshold = threshold

    # -- training -----------------------------------------------------------------------------------------

    def fit(self, texts: Sequence[Text], labels: Sequence[str], sample_weight=None, holdout=None) -> TextRouter:
        started = time.perf_counter()
        titles, wholes = _split(texts)
        self.classes_, y = np.unique(np.asarray(labels, dtype=str), return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError("至少需要两个事项的样本才能训练。")
        weight = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        small = len(y) <= LOGISTIC_MAX_ROWS
        self.learner_ = self.learner if self.learner != "auto" else "logistic" if small else "svm"
        min_df = self.min_df or (1 if small else 2)
        self.blocks_ = [Ngrams(self.title_ngrams), Ngrams(self.text_ngrams)]
        counts = [block.fit_counts(t) for block, t in zip(self.blocks_, (titles, wholes), strict=True)]
        self.temperature_, self.metrics_ = 1.0, {}
        reports = np.arange(len(y)) if holdout is None else np.flatnonzero(np.asarray(holdout, dtype=bool))
        if len(reports) < 2 * self.folds:
            reports = np.arange(len(y))
        if self.folds >= 2 and len(reports) >= max(2 * self.folds, MIN_CALIBRATION_ROWS):
            scores = np.zeros((len(reports), len(self.classes_)))
            for test in stratified_folds(y[reports], self.folds, self.seed):
                train = np.setdiff1d(np.arange(len(y)), reports[test])
                features, _, _ = _features(counts, train, min_df)
                coef, intercept = self._train(features[train], y[train], weight[train])
                scores[test] = features[reports[test]] @ coef + intercept
            self.temperature_ = fit_temperature(scores, y[reports])
            self.metrics_ = evaluate(_softmax(scores, self.temperature_), y[reports], threshold=self.threshold)
        features, kept, idfs = _features(counts, np.arange(len(y)), min_df)
        for block, columns in zip(self.blocks_, kept, strict=True):
            block.keep(columns)
        self.idf_ = idfs
        self.offsets_ = np.cumsum([0] + [len(i) for i in idfs])
        coef, self.intercept_ = self._train(features, y, weight)
        self.coef_ = np.ascontiguousarray(coef, dtype=np.float32)  # features × classes: a text gathers its rows
        self.seconds_ = time.perf_counter() - started
        return self

    def _train(self, features, y, weight) -> tuple[np.ndarray, np.ndarray]:
        coef = np.zeros((features.shape[1], len(self.classes_)))
        intercept = np.full(len(self.classes_), -1e3)  # a label missing from a fold's training is never suggested
        present = np.unique(y)
        if self.learner_ == "logistic":
            for label in present:
                model = LogisticRegression(C=self.C_logistic, solver="liblinear", dual=True, max_iter=1000)
                model.fit(features, y == label, sample_weight=weight)
                coef[:, label], intercept[label] = model.coef_[0], model.intercept_[0]
            return coef, intercept
        model = LinearSVC(C=self.C_svm, class_weight="balanced").fit(features, y, sample_weight=weight)
        if len(present) == 2:  # one score s for the second label: softmax([0, s]) is the logistic of s
            coef[:, present[1]], intercept[present[1]] = model.coef_[0], model.intercept_[0]
            intercept[present[0]] = 0.0
        else:
            coef[:, present], intercept[present] = model.coef_.T, model.intercept_
        return coef, intercept

    # -- prediction ---------------------------------------------------------------------------------------

    def transform(self, texts: Sequence[Text]) -> sp.csr_matrix:
        blocks = _split(texts)
        return sp.hstack(
            [_tfidf(block.counts(t), idf) for block, t, idf in zip(self.blocks_, blocks, self.idf_, strict=True)],
            format="csr",
        )

    def decision_function(self, texts: Sequence[Text]) -> np.ndarray:
        return self.transform(texts) @ self.coef_ + self.intercept_

    def predict_proba(self, texts: Sequence[Text]) -> np.ndarray:
        return _softmax(self.decision_function(texts), self.temperature_)

    def _vector(self, text: Text) -> tuple[np.ndarray, np.ndarray]:
        """The non-zero features of one text as (columns, values): the fast path for a single suggestion."""
        columns, values = [], []
        for block, part, idf, offset in zip(
            self.blocks_, _title_and_text(text), self.idf_, self.offsets_, strict=False
        ):
            found = block.lookup(block.keys([normalise(part)])[0])
            found, counts = np.unique(found[found >= 0], return_counts=True)
            value = (1.0 + np.log(counts)) * idf[found]
            norm = math.sqrt(float(value @ value))
            columns.append(found + offset)
            values.append(value / norm if norm else value)
        return np.concatenate(columns), np.concatenate(values)

    def suggest(self, text: Text, k: int = 3) -> list[Guess]:
        columns, values = self._vector(text)
        weights = self.coef_[columns]
        scores = values @ weights + self.intercept_
        probabilities = np.exp((scores - scores.max()) / self.temperature_)  # softmax, without scipy's overhead
        probabilities /= probabilities.sum()
        top = np.argsort(-probabilities)[:k]
        return [
            Guess(str(self.classes_[c]), float(probabilities[c]), self._words(columns, values * weights[:, c]))
            for c in top
        ]

    def suggest_many(self, texts: Sequence[Text], k: int = 3) -> list[list[Guess]]:
        return [self.suggest(text, k) for text in texts]

    def _words(self, columns: np.ndarray, contributions: np.ndarray, limit: int = 5) -> tuple[str, ...]:
        """The n-grams that added most to a label's score, words of two or more characters before single ones;
        an n-gram inside one already chosen (or around it) is not repeated, nor are numbers and punctuation."""
        strongest = np.flatnonzero(contributions > 0)
        if len(strongest) > 3 * limit:
            strongest = strongest[np.argpartition(-contributions[strongest], 3 * limit)[: 3 * limit]]
        weight: dict[str, float] = {}
        blocks = np.searchsorted(self.offsets_, columns[strongest], side="right") - 1
        for b, block in enumerate(self.blocks_):
            mine = strongest[blocks == b]
            for word, value in zip(block.names(columns[mine] - self.offsets_[b]), contributions[mine], strict=True):
                weight[word] = weight.get(word, 0.0) + float(value)
        chosen: list[str] = []
        for word in sorted(weight, key=lambda w: (len(w) < 2, -weight[w], w)):
            if word.isalpha() and not any(word in c or c in word for c in chosen):
                chosen.append(word)
                if len(chosen) == limit:
                    break
        return tuple(chosen)

    # -- storage ------------------------------------------------------------------------------------------

    def dumps(self) -> bytes:
        return pickle.dumps((_FORMAT, self), protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def loads(cls, data: bytes) -> TextRouter:
        layout, router = pickle.loads(data)  # our own model, from our own database
        if layout != _FORMAT or not isinstance(router, cls):
            raise ValueError("模型格式已过期，请重新训练。")
        return router


def _split(texts: Sequence[Text]) -> tuple[list[str], list[str]]:
    pairs = [_title_and_text(t) for t in texts]
    return [normalise(p[0]) for p in pairs], [normalise(p[1]) for p in pairs]


def _features(counts: list[sp.csr_matrix], rows: np.ndarray, min_df: int):
    """TF-IDF of every row over the n-grams found in at least `min_df` of `rows` (idf from `rows` alone), as a
    model trained on `rows` would see them; also the kept columns and the idf of each block."""
    blocks, kept, idfs = [], [], []
    for matrix in counts:
        df = np.bincount(matrix[rows].indices, minlength=matrix.shape[1])
        columns = np.flatnonzero(df >= min_df)
        idf = np.log((1 + len(rows)) / (1 + df[columns])) + 1
        blocks.append(_tfidf(matrix[:, columns], idf))
        kept.append(columns)
        idfs.append(idf)
    return sp.hstack(blocks, format="csr"), kept, idfs


class Baseline:
    """The reference the benchmarks report beside TextRouter: scikit-learn's character 1–3-gram TF-IDF over the
    whole text and a linear SVM, with nothing tuned; its "probabilities" are a plain softmax of the SVM scores."""

    def fit(self, texts: Sequence[Text], labels: Sequence[str], sample_weight=None, holdout=None) -> Baseline:
        started = time.perf_counter()
        self.pipeline_ = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3)), LinearSVC())
        self.pipeline_.fit(_whole(texts), np.asarray(labels, dtype=str), linearsvc__sample_weight=sample_weight)
        self.classes_ = self.pipeline_.classes_
        self.seconds_ = time.perf_counter() - started
        return self

    def decision_function(self, texts: Sequence[Text]) -> np.ndarray:
        scores = self.pipeline_.decision_function(_whole(texts))
        return np.column_stack([-scores, scores]) / 2 if scores.ndim == 1 else scores

    def predict_proba(self, texts: Sequence[Text]) -> np.ndarray:
        return _softmax(self.decision_function(texts), 1.0)

    def suggest(self, text: Text, k: int = 3) -> list[Guess]:
        probabilities = self.predict_proba([text])[0]
        return [Guess(str(self.classes_[c]), float(probabilities[c]), ()) for c in np.argsort(-probabilities)[:k]]


def baseline() -> Baseline:
    return Baseline()


def _whole(texts: Sequence[Text]) -> list[str]:
    return [_title_and_text(t)[1] for t in texts]
