"""Training in the worker: what was asked on the page (立即重新训练), and once a day (ROUTING_RETRAIN_HOURS)
when cases have been dispatched under a known matter since the model in use was trained: each is a new
example, and a dispatcher's correction or a 退单 that ended in another matter teaches the model the most. The
first model is trained as soon as the catalog has matters. Several workers: the shared cache lets one train and
the others skip."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from jiceng.cases.models import Case
from jiceng.catalog.models import Matter
from jiceng.lib.errors import DomainError

from .actions import train_routing_model
from .models import Reason, RoutingModel, TrainingRequest

logger = logging.getLogger(__name__)
LOCK = "routing:retrain"
LOCK_SECONDS = 30 * 60


def retrain_due(now=None) -> bool:
    now = now or timezone.now()
    active = RoutingModel.objects.filter(active=True).only("activated_at", "created_at").first()
    if active is None:
        return Matter.objects.exists()
    # From when the version was put in use: a rollback is not undone by the next round.
    since = active.activated_at or active.created_at
    if now - since < timedelta(hours=settings.ROUTING_RETRAIN_HOURS):
        return False
    return Case.objects.filter(matter__isnull=False, dispatched_at__gt=since).exists()


def retrain_if_due(now=None) -> RoutingModel | None:
    """Train the version asked for on the page, or a new one when the daily round is due, unless another worker
    is training; the new version, else None."""
    now = now or timezone.now()
    _give_up_stale(now)
    asked = TrainingRequest.objects.filter(started_at__isnull=True).order_by("requested_at", "pk").first()
    if asked is None and not retrain_due(now):
        return None
    if not cache.add(LOCK, 1, LOCK_SECONDS):
        return None
    try:
        # The conditional UPDATE claims the request: of two workers on two machines only one wins it.
        if asked is not None and TrainingRequest.objects.filter(pk=asked.pk, started_at__isnull=True).update(
            started_at=timezone.now()
        ):
            return _train_asked(asked)
        return train_routing_model(by=None, reason=Reason.SCHEDULED) if retrain_due(now) else None
    except DomainError as e:  # e.g. fewer than two matters in force: the alerts must go on regardless
        logger.warning("派单模型未训练：%s", e.message)
        return None
    finally:
        cache.delete(LOCK)


def _train_asked(asked: TrainingRequest) -> RoutingModel | None:
    try:
        model = train_routing_model(by=asked.requested_by, reason=Reason.MANUAL)
    except DomainError as e:
        TrainingRequest.objects.filter(pk=asked.pk).update(finished_at=timezone.now(), error=e.message[:200])
        raise
    TrainingRequest.objects.filter(pk=asked.pk).update(finished_at=timezone.now(), model=model)
    return model


def _give_up_stale(now) -> None:
    """A worker stopped in the middle of a training: its request ends, so that the page can ask again."""
    TrainingRequest.objects.filter(
        finished_at__isnull=True, started_at__lt=now - timedelta(seconds=LOCK_SECONDS)
    ).update(finished_at=now, error="后台任务中断，请重新提交")
