"""Suggestions from the model in use: loaded once per process, reloaded when another version is put in use
(checked at most every ROUTING_CHECK_SECONDS, so a retrain or rollback on one machine reaches them all)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from jiceng.catalog.models import Matter, MatterVersion

from . import semantic
from .classifier import Text, TextRouter
from .models import RoutingModel
from .semantic import SemanticRouter


@dataclass(frozen=True)
class Suggestion:
    matter: Matter
    name: str  # the matter's name in the version in force
    probability: float
    words: tuple[str, ...]  # the words of the text that drove the choice
    version: int  # the model version that made it
    vague: bool = False  # the text says too little to dispatch on the model's word (see classifier.Guess)
    refined: bool = False  # 语义复核 weighed in (see semantic.py)
    phrase: str = ""  # with it: the matter's catalog wording nearest in meaning to the report


@dataclass
class _Loaded:
    model_id: int
    version: int
    router: TextRouter
    semantic: SemanticRouter | None  # 语义复核, when the version was trained with it
    matters: dict[str, tuple[Matter, str]]


_lock = threading.Lock()
_loaded: _Loaded | None = None
_checked = 0.0


def invalidate() -> None:
    global _loaded, _checked
    with _lock:
        _loaded, _checked = None, 0.0


def _current() -> _Loaded | None:
    global _loaded, _checked
    now = time.monotonic()
    if _loaded is not None and now - _checked < settings.ROUTING_CHECK_SECONDS:
        return _loaded
    active = RoutingModel.objects.filter(active=True).values_list("pk", flat=True).first()
    with _lock:
        _checked = now
        if active is None:
            _loaded = None
        elif _loaded is None or _loaded.model_id != active:
            model = RoutingModel.objects.get(pk=active)
            names = dict(MatterVersion.objects.in_force(timezone.localdate()).values_list("matter__code", "name"))
            matters = {m.code: (m, names.get(m.code, m.code)) for m in Matter.objects.filter(code__in=names)}
            # The sentence encoder itself is loaded on the first refine, not here: intake never needs it.
            refiner = SemanticRouter.loads(bytes(model.semantic)) if model.semantic else None
            _loaded = _Loaded(model.pk, model.version, TextRouter.loads(bytes(model.blob)), refiner, matters)
        return _loaded


def suggest(text: Text, k: int = 3) -> list[Suggestion]:
    """The top `k` matters for a report (a text, or a (title, body) pair), most likely first; [] without a
    model. Matters repealed since the model was trained are left out. The lexical model alone: fast enough for
    every intake."""
    loaded = _current()
    if loaded is None or not semantic.plain(text).strip():
        return []
    return _suggestions(loaded, loaded.router.suggest(text, k=k + 2), k)


def can_refine() -> bool:
    return _refinable(_current())


def _refinable(loaded: _Loaded | None) -> bool:
    return loaded is not None and loaded.semantic is not None and semantic.available()


def refine(texts: list[Text], k: int = 3) -> list[list[Suggestion]]:
    """语义复核 of each report: the top `k` matters with the meaning of the text weighed in (tens of ms a text,
    so for the worker and for one text at a time); the lexical suggestions when the version has no 语义复核."""
    loaded = _current()
    if not _refinable(loaded):
        return [suggest(text, k) for text in texts]
    said = [i for i, text in enumerate(texts) if semantic.plain(text).strip()]
    out: list[list[Suggestion]] = [[] for _ in texts]
    guesses = loaded.semantic.refine(loaded.router, [texts[i] for i in said], k=k + 2) if said else []
    for i, found in zip(said, guesses, strict=True):
        out[i] = _suggestions(loaded, found, k, refined=True)
    return out


def _suggestions(loaded: _Loaded, guesses, k: int, refined: bool = False) -> list[Suggestion]:
    out = []
    for guess in guesses:
        if guess.label in loaded.matters and len(out) < k:
            matter, name = loaded.matters[guess.label]
            out.append(
                Suggestion(
                    matter, name, guess.probability, guess.words, loaded.version, guess.vague, refined, guess.phrase
                )
            )
    return out


def should_auto_dispatch(suggestions: list[Suggestion]) -> bool:
    """The top suggestion is sure enough (ROUTING_AUTO_THRESHOLD) to dispatch without the command centre, and
    the text is not too vague to say (反映个情况…)."""
    return (
        bool(suggestions) and not suggestions[0].vague and suggestions[0].probability >= settings.ROUTING_AUTO_THRESHOLD
    )
