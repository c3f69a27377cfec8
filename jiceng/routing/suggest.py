"""Suggestions from the model in use: loaded once per process, reloaded when another version is put in use
(checked at most every ROUTING_CHECK_SECONDS, so a retrain or rollback on one machine reaches them all)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from jiceng.catalog.models import Matter, MatterVersion

from .classifier import Text, TextRouter
from .models import RoutingModel


@dataclass(frozen=True)
class Suggestion:
    matter: Matter
    name: str  # the matter's name in the version in force
    probability: float
    words: tuple[str, ...]  # the words of the text that drove the choice
    version: int  # the model version that made it
    vague: bool = False  # the text says too little to dispatch on the model's word (see classifier.Guess)


@dataclass
class _Loaded:
    model_id: int
    version: int
    router: TextRouter
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
            _loaded = _Loaded(model.pk, model.version, TextRouter.loads(bytes(model.blob)), matters)
        return _loaded


def suggest(text: Text, k: int = 3) -> list[Suggestion]:
    """The top `k` matters for a report (a text, or a (title, body) pair), most likely first; [] without a
    model. Matters repealed since the model was trained are left out."""
    loaded = _current()
    if loaded is None or not (text if isinstance(text, str) else "".join(text)).strip():
        return []
    out = []
    for guess in loaded.router.suggest(text, k=k + 2):
        if guess.label in loaded.matters and len(out) < k:
            matter, name = loaded.matters[guess.label]
            out.append(Suggestion(matter, name, guess.probability, guess.words, loaded.version, guess.vague))
    return out


def should_auto_dispatch(suggestions: list[Suggestion]) -> bool:
    """The top suggestion is sure enough (ROUTING_AUTO_THRESHOLD) to dispatch without the command centre, and
    the text is not too vague to say (反映个情况…)."""
    return (
        bool(suggestions) and not suggestions[0].vague and suggestions[0].probability >= settings.ROUTING_AUTO_THRESHOLD
    )
