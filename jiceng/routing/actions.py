"""Training, activating and rolling back routing model versions; exactly one version is in use."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from jiceng.accounts.audit import log_operation
from jiceng.lib.errors import DomainError

from . import semantic, suggest, training
from .classifier import TextRouter
from .models import Reason, RoutingModel, TrainingRequest

KEEP_WEIGHTS = 5  # versions that can be rolled back to


def train_routing_model(
    *, by=None, reason: str = Reason.MANUAL, extra_examples: Iterable | None = None
) -> RoutingModel:
    """Train on the catalog in force today and the dispatched cases (plus `extra_examples`), store the version
    and put it in use; the version in use until now is retired (and can be rolled back to)."""
    started = time.perf_counter()
    examples = training.catalog_examples(timezone.localdate()) + training.case_examples()
    examples += list(extra_examples or ())
    if len({e.label for e in examples}) < 2:
        raise DomainError("职责清单中至少要有两个现行事项才能训练派单模型。")
    texts, labels, holdout = [e.text for e in examples], [e.label for e in examples], [e.report for e in examples]
    router = TextRouter(threshold=settings.ROUTING_AUTO_THRESHOLD).fit(
        texts, labels, sample_weight=[e.weight for e in examples], holdout=holdout
    )
    metrics, refiner = dict(router.metrics_), None
    if settings.ROUTING_SEMANTIC and semantic.available():
        refiner = semantic.SemanticRouter().fit(router, texts, labels, holdout)
        metrics["semantic"] = refiner.metrics_
    with transaction.atomic():
        now = timezone.now()
        RoutingModel.objects.select_for_update().filter(active=True).update(active=False, retired_at=now)
        model = RoutingModel.objects.create(
            version=(RoutingModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1,
            trained_by=by if getattr(by, "pk", None) else None,
            reason=reason,
            training_size=len(examples),
            sources=dict(Counter(e.source for e in examples)),
            metrics=metrics,
            classes=len(router.classes_),
            seconds=round(time.perf_counter() - started, 2),
            blob=router.dumps(),
            semantic=refiner.dumps() if refiner else b"",
            active=True,
            activated_at=now,
        )
        log_operation(by, "训练派单模型", model, detail=f"v{model.version}，样本{model.training_size}条")
        # A version's weights take tens of MB: older versions keep their figures, the newest few their weights.
        kept = RoutingModel.objects.order_by("-version").values_list("pk", flat=True)[:KEEP_WEIGHTS]
        RoutingModel.objects.filter(active=False).exclude(pk__in=list(kept)).with_blob().update(blob=b"", semantic=b"")
        _put_in_use()
    return model


def request_training(*, by) -> tuple[TrainingRequest, bool]:
    """立即重新训练 from the page: queue it for the worker, which trains within a loop or two. Returns the
    request and whether it is new (one already waiting or running is returned instead of a second)."""
    waiting = TrainingRequest.objects.filter(finished_at__isnull=True).first()
    if waiting is not None:
        return waiting, False
    request = TrainingRequest.objects.create(requested_by=by if getattr(by, "pk", None) else None)
    log_operation(by, "提交派单模型训练", request)
    return request, True


@transaction.atomic
def rollback_routing_model(*, by) -> RoutingModel:
    """Put the previous version (the newest older one that still has its weights) back in use."""
    current = RoutingModel.objects.select_for_update().filter(active=True).first()
    older = RoutingModel.objects.with_blob()
    if current is not None:
        older = older.filter(version__lt=current.version)
    previous = older.order_by("-version").first()
    if previous is None:
        raise DomainError("没有可回滚的上一版本派单模型。")
    now = timezone.now()
    if current is not None:
        current.active, current.retired_at = False, now
        current.save(update_fields=["active", "retired_at"])
    previous.active, previous.activated_at, previous.retired_at = True, now, None
    previous.save(update_fields=["active", "activated_at", "retired_at"])
    log_operation(
        by, "回滚派单模型", previous, detail=f"由v{current.version if current else '—'}回滚到v{previous.version}"
    )
    _put_in_use()
    return previous


def _put_in_use() -> None:
    """This process routes with the new version at once (the others within ROUTING_CHECK_SECONDS), and the
    cases waiting in the command centre get its guesses."""
    from jiceng.cases.actions import refresh_suggestions  # cases calls routing on every intake

    suggest.invalidate()
    refresh_suggestions()
