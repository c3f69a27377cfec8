"""Retraining in the worker: once a day (ROUTING_RETRAIN_HOURS), when cases have been dispatched under a known
matter since the model in use was trained — each is a new example, and a dispatcher's correction or a 退单 that
ended in another matter teaches the model the most. The first model is trained as soon as the catalog has
matters. Several workers: the shared cache lets one train and the others skip."""

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
from .models import Reason, RoutingModel

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
    """Train a new version when one is due and no other worker is training; the new version, else None."""
    if not retrain_due(now) or not cache.add(LOCK, 1, LOCK_SECONDS):
        return None
    try:
        return train_routing_model(by=None, reason=Reason.SCHEDULED)
    except DomainError as e:  # e.g. fewer than two matters in force: the alerts must go on regardless
        logger.warning("派单模型未训练：%s", e.message)
        return None
    finally:
        cache.delete(LOCK)
