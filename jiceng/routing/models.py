from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Reason(models.TextChoices):
    SCHEDULED = "定时", "定时"
    MANUAL = "手动", "手动"
    COMMAND = "命令行", "命令行"


class RoutingModelQuerySet(models.QuerySet):
    def with_blob(self):
        """Versions that can still be loaded (older ones keep their figures but not their weights)."""
        return self.exclude(blob=b"")


class RoutingModel(models.Model):
    """One trained version of the text → matter model; exactly one is active (in use) at a time."""

    version = models.PositiveIntegerField("版本", unique=True)
    created_at = models.DateTimeField("训练时间", auto_now_add=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="训练人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="空为后台定时任务",
    )
    reason = models.CharField("训练原因", max_length=10, choices=Reason.choices, default=Reason.MANUAL)
    training_size = models.PositiveIntegerField("训练样本数")
    sources = models.JSONField(
        "样本来源", default=dict, help_text="各来源的样本数：catalog 清单、examples 样例、cases 办件"
    )
    metrics = models.JSONField("交叉验证指标", default=dict, blank=True)
    classes = models.PositiveIntegerField("事项数")
    seconds = models.FloatField("训练用时（秒）", default=0)
    blob = models.BinaryField("模型", default=b"")
    semantic = models.BinaryField("语义复核", default=b"", help_text="清单表述的语义向量及其权重；空为未启用")
    active = models.BooleanField("在用", default=False)
    activated_at = models.DateTimeField("启用时间", null=True, blank=True)
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)

    objects = RoutingModelQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name = verbose_name_plural = "派单模型"
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="one_active_routing_model")
        ]

    def __str__(self) -> str:
        return f"派单模型 v{self.version}"


class TrainingRequest(models.Model):
    """立即重新训练, asked on the page: the worker trains the version, so the web request returns at once."""

    requested_at = models.DateTimeField("提交时间", auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    model = models.ForeignKey(
        RoutingModel, verbose_name="训练出的版本", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.CharField("未完成的原因", max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = verbose_name_plural = "训练任务"

    def __str__(self) -> str:
        return f"训练任务 {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def pending(self) -> bool:
        return self.finished_at is None

    @property
    def state(self) -> str:
        if self.finished_at is None:
            return "训练中" if self.started_at else "排队中"
        return f"已完成：v{self.model.version}" if self.model_id else f"未完成：{self.error}"
