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
_FORMAT = 2  # bumped when the pickled layout changes
# Up to this many training texts: a logistic regression per label, keeping n-grams seen once (on the catalog's
# short texts, 4 points more top-1 than the SVM); above it a linear SVM over n-grams seen at least twice, as
# accurate on long reports and about 9 times faster to train, with labels weighted inversely to their frequency
# so that rare matters are not swamped by common ones (+0.002 macro-F1 on gov-messages).
LOGISTIC_MAX_ROWS = 3000
# Fewer held-out rows than this say too little to fit a temperature (a dozen right answers would make every
# suggestion look certain): the scores are then used as they are (T = 1), and no figures are reported.
MIN_CALIBRATION_ROWS = 30
# Multiples of the reports' given weight that the internal folds try (when there are reports beside catalog
# wording, and at most LOGISTIC_MAX_ROWS texts): the one whose held-out reports are predicted best is kept.
REPORT_SCALES = (0.0, 0.1, 1 / 3, 1.0)
# Weights of the prototype score (cosine to the label's catalog wording, scaled to the spread of the linear
# scores) that the folds try; without folds (a handful of texts) the default.
PROTOTYPE_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0)
DEFAULT_PROTOTYPE_WEIGHT = 0.5
# A text whose known n-grams say less than this about any label (see TextRouter._specificity) is vague: its
# probabilities are drawn towards uniform in proportion, so it is never dispatched on the model's word alone.
MIN_EVIDENCE = 1.0


@dataclass(frozen=True)
class Guess:
    label: str
    probability: float
    words: tuple[str, ...]  # the n-grams of the text that weighed most for this label, strongest first
    # The text says too little about any label (evidence below MIN_EVIDENCE): however high the probability, a
    # person decides. Shrinking the probabilities alone is not enough when the model is sure of everything.
    vague: bool = False
    # 语义复核 only (see semantic.py): the catalog wording of the label that the text's meaning is closest to.
    phrase: str = ""


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
        held = np.ones(len(y), dtype=bool) if holdout is None else np.asarray(holdout, dtype=bool)
        small = len(y) <= LOGISTIC_MAX_ROWS
        self.learner_ = self.learner if self.learner != "auto" else "logistic" if small else "svm"
        min_df = self.min_df or (1 if small else 2)
        self.blocks_ = [Ngrams(self.title_ngrams), Ngrams(self.text_ngrams)]
        counts = [block.fit_counts(t) for block, t in zip(self.blocks_, (titles, wholes), strict=True)]
        catalog = np.flatnonzero(~held)  # wording that describes a label (the catalog): its prototype
        reports = np.flatnonzero(held)
        if len(reports) < 2 * self.folds:
            reports = np.arange(len(y))
        # Reports' weight (a multiple of the one given) is chosen by the folds when there are real reports beside
        # catalog wording, and the weight of the prototypes whenever there is catalog wording.
        searching = len(catalog) > 0 and len(reports) == held.sum()
        scales = REPORT_SCALES if searching and small else (1.0,)
        betas = PROTOTYPE_WEIGHTS if len(catalog) else (0.0,)
        self.temperature_, self.metrics_ = 1.0, {}
        self.report_scale_, self.prototype_weight_ = 1.0, DEFAULT_PROTOTYPE_WEIGHT if len(catalog) else 0.0
        self.similarity_scale_ = None
        self.held_out_ = None
        if self.folds >= 2 and len(reports) >= max(2 * self.folds, MIN_CALIBRATION_ROWS):
            scores = {s: np.zeros((len(reports), len(self.classes_))) for s in scales}
            similarity = np.zeros((len(reports), len(self.classes_)))
            evidence = np.zeros(len(reports))
            for test in stratified_folds(y[reports], self.folds, self.seed):
                train = np.setdiff1d(np.arange(len(y)), reports[test])
                features, kept, idfs = _features(counts, train, min_df)
                rows = features[reports[test]]
                evidence[test] = _evidence(
                    counts[1][reports[test]][:, kept[1]],
                    self._specificity(counts, train, y, kept, np.intersect1d(train, catalog)),
                )
                if len(betas) > 1:
                    similarity[test] = (
                        rows @ _prototypes(counts, kept, idfs, np.intersect1d(train, catalog), y).T
                    ).toarray()
                for s in scales:
                    w = weight[train] * np.where(held[train] & searching, s, 1.0)
                    fit = train[w > 0]
                    coef, intercept = self._train(features[fit], y[fit], w[w > 0])
                    scores[s][test] = rows @ coef + intercept
            truth = y[reports]
            best = min(
                ((s, beta) for s in scales for beta in betas),
                key=lambda sb: (_loss(_mix(scores[sb[0]], similarity, sb[1]), truth), sb[1] != 0.0, -sb[0]),
            )
            self.report_scale_, self.prototype_weight_ = best
            mixed = _mix(scores[best[0]], similarity, best[1])
            self.temperature_ = fit_temperature(mixed, truth)
            self.metrics_ = evaluate(
                _abstain(_softmax(mixed, self.temperature_), evidence), truth, threshold=self.threshold
            )
            self.metrics_ |= {"report_weight": round(self.report_scale_, 3), "prototype_weight": self.prototype_weight_}
            self.similarity_scale_ = _scale(scores[best[0]], similarity)
            # The held-out reports and their out-of-fold log-probabilities: what semantic.SemanticRouter weighs
            # its own score against. Not stored with the model (see __getstate__).
            self.held_out_ = (reports, _log_abstain(log_softmax(mixed / self.temperature_, axis=1), evidence))
        features, kept, idfs = _features(counts, np.arange(len(y)), min_df)
        self.evidence_ = self._specificity(counts, np.arange(len(y)), y, kept, catalog)
        for block, columns in zip(self.blocks_, kept, strict=True):
            block.keep(columns)
        self.idf_ = idfs
        self.offsets_ = np.cumsum([0] + [len(i) for i in idfs])
        w = weight * np.where(held & searching, self.report_scale_, 1.0)
        coef, self.intercept_ = self._train(features[w > 0], y[w > 0], w[w > 0])
        if self.prototype_weight_:
            prototypes = _prototypes(counts, kept, idfs, catalog, y)
            if self.similarity_scale_ is None:
                scores = features[catalog] @ coef + self.intercept_
                self.similarity_scale_ = _scale(scores, (features[catalog] @ prototypes.T).toarray())
            coef = coef + self.prototype_weight_ * self.similarity_scale_ * prototypes.T.toarray()
        self.coef_ = np.ascontiguousarray(coef, dtype=np.float32)  # features × classes: a text gathers its rows
        self.seconds_ = time.perf_counter() - started
        return self

    def _specificity(self, counts, rows, y, kept, wording=None) -> np.ndarray:
        """For each kept n-gram of two or more characters of the whole-text block, how much it says about one
        label: the share of the training texts holding it that have its most frequent label, counted as if one
        more text held it (an n-gram seen once weighs 1/2, one spread over many labels next to nothing);
        single characters weigh 0. Where the labels have catalog wording (`wording`: its rows), only n-grams found in
        it count: a turn of phrase that a few templated reports happen to share is no evidence. A text's evidence
        is the sum over its distinct known n-grams."""
        block, columns = self.blocks_[1], kept[1]
        present = counts[1][rows][:, columns]
        present.data[:] = 1.0
        onehot = sp.csr_matrix(
            (np.ones(len(rows)), (np.arange(len(rows)), y[rows])), shape=(len(rows), len(self.classes_))
        )
        by_label = (present.T @ onehot).tocsr()
        most = by_label.max(axis=1).toarray().ravel()
        df = np.asarray(present.sum(axis=0)).ravel()
        longer = block.vocabulary_[columns] >= (np.uint64(1) << np.uint64(block.bits_))
        if wording is not None and len(wording):
            longer &= np.asarray(counts[1][wording][:, columns].sum(axis=0)).ravel() > 0
        return np.where(longer, (most / (df + 1.0)) ** 2, 0.0).astype(np.float32)

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
        return self._transform(texts)[0]

    def _transform(self, texts: Sequence[Text]) -> tuple[sp.csr_matrix, np.ndarray]:
        counts = [block.counts(t) for block, t in zip(self.blocks_, _split(texts), strict=True)]
        features = sp.hstack([_tfidf(c, idf) for c, idf in zip(counts, self.idf_, strict=True)], format="csr")
        return features, _evidence(counts[1], self.evidence_)

    def decision_function(self, texts: Sequence[Text]) -> np.ndarray:
        return self.transform(texts) @ self.coef_ + self.intercept_

    def evidence(self, texts: Sequence[Text]) -> np.ndarray:
        """How much each text's known n-grams say about any label (below MIN_EVIDENCE: vague)."""
        return self._transform(texts)[1]

    def predict_proba(self, texts: Sequence[Text]) -> np.ndarray:
        features, evidence = self._transform(texts)
        return _abstain(_softmax(features @ self.coef_ + self.intercept_, self.temperature_), evidence)

    def predict_log_proba(self, texts: Sequence[Text]) -> np.ndarray:
        """The log of predict_proba, without its tiny probabilities rounding to 0 (they still rank the labels)."""
        features, evidence = self._transform(texts)
        scores = features @ self.coef_ + self.intercept_
        return _log_abstain(log_softmax(scores / self.temperature_, axis=1), evidence)

    def _vector(self, text: Text) -> tuple[np.ndarray, np.ndarray, float]:
        """The non-zero features of one text as (columns, values), and its evidence: the fast path for a single
        suggestion."""
        columns, values, evidence = [], [], 0.0
        for b, (block, part, idf, offset) in enumerate(
            zip(self.blocks_, _title_and_text(text), self.idf_, self.offsets_, strict=False)
        ):
            found = block.lookup(block.keys([normalise(part)])[0])
            found, counts = np.unique(found[found >= 0], return_counts=True)
            if b == 1:
                evidence = float(self.evidence_[found].sum())
            value = (1.0 + np.log(counts)) * idf[found]
            norm = math.sqrt(float(value @ value))
            columns.append(found + offset)
            values.append(value / norm if norm else value)
        return np.concatenate(columns), np.concatenate(values), evidence

    def suggest(self, text: Text, k: int = 3) -> list[Guess]:
        columns, values, evidence = self._vector(text)
        weights = self.coef_[columns]
        scores = values @ weights + self.intercept_
        probabilities = np.exp((scores - scores.max()) / self.temperature_)  # softmax, without scipy's overhead
        probabilities = _abstain(probabilities / probabilities.sum(), evidence)
        top = np.argsort(-probabilities)[:k]
        return [
            Guess(
                str(self.classes_[c]),
                float(probabilities[c]),
                self._words(columns, values * weights[:, c]),
                vague=evidence < MIN_EVIDENCE,
            )
            for c in top
        ]

    def words_for(self, text: Text, labels: Sequence[int]) -> list[tuple[str, ...]]:
        """The n-grams of the text that weighed most for each of `labels` (indices into classes_)."""
        columns, values, _ = self._vector(text)
        weights = self.coef_[columns]
        return [self._words(columns, values * weights[:, c]) for c in labels]

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

    def __getstate__(self) -> dict:
        return {key: value for key, value in self.__dict__.items() if key != "held_out_"}

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


def _prototypes(counts: list[sp.csr_matrix], kept, idfs, rows: np.ndarray, y: np.ndarray) -> sp.csr_matrix:
    """Each label's prototype: the TF-IDF vector (per block, unit length) of all its `rows` put together."""
    n_labels = int(y.max()) + 1
    onehot = sp.csr_matrix((np.ones(len(rows)), (y[rows], np.arange(len(rows)))), shape=(n_labels, len(rows)))
    blocks = [_tfidf((onehot @ m[rows][:, c]).tocsr(), idf) for m, c, idf in zip(counts, kept, idfs, strict=True)]
    return sp.hstack(blocks, format="csr")


def _scale(scores: np.ndarray, similarity: np.ndarray) -> float:
    """How much wider the linear scores spread over the labels than the prototype similarities (median by text)."""
    spread = np.median(similarity.std(axis=1))
    return float(np.median(scores.std(axis=1)) / spread) if spread > 0 else 0.0


def _mix(scores: np.ndarray, similarity: np.ndarray, beta: float) -> np.ndarray:
    return scores + beta * _scale(scores, similarity) * similarity if beta else scores


def _loss(scores: np.ndarray, truth: np.ndarray) -> float:
    """Log loss of the scores at their best temperature."""
    t = fit_temperature(scores, truth)
    return -float(np.mean(log_softmax(scores / t, axis=1)[np.arange(len(truth)), truth]))


def _evidence(counts: sp.csr_matrix, specificity: np.ndarray) -> np.ndarray:
    present = counts.copy()
    present.data[:] = 1.0
    return np.asarray(present @ specificity).ravel()


def _abstain(probabilities: np.ndarray, evidence) -> np.ndarray:
    """Draw each row towards uniform as far as its evidence falls short of MIN_EVIDENCE (order is kept)."""
    share = np.clip(np.asarray(evidence, dtype=float) / MIN_EVIDENCE, 0.0, 1.0)
    share = share[:, None] if probabilities.ndim == 2 else share
    return share * probabilities + (1.0 - share) / probabilities.shape[-1]


def _log_abstain(log_probabilities: np.ndarray, evidence) -> np.ndarray:
    """log(_abstain(exp(log_probabilities), evidence)), computed in logs."""
    share = np.clip(np.asarray(evidence, dtype=float) / MIN_EVIDENCE, 0.0, 1.0)[:, None]
    with np.errstate(divide="ignore"):
        return np.logaddexp(np.log(share) + log_probabilities, np.log((1.0 - share) / log_probabilities.shape[1]))


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
