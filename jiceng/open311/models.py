from __future__ import annotations

import hashlib
import secrets
from datetime import date

from django.db import models
from django.db.models import Max, OuterRef, Subquery

from jiceng.cases.models import Case, CaseEvent, Channel
from jiceng.catalog.models import ListKind, MatterVersion

# 上级收回: the township no longer handles it; 政务服务: applications need identity checks and materials at a
# window (一网通办), not an anonymous report. Everything else in force can be reported.
NOT_OFFERED_KINDS = (ListKind.RECLAIMED, ListKind.SERVICE)
KEY_PREFIX_LENGTH = 8


def new_raw_key() -> str:
    """A 43-character key with 256 bits of randomness; only its hash is stored."""
    return secrets.token_urlsafe(32)


def new_token() -> str:
    return secrets.token_urlsafe(16)


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def offered_versions(day: date):
    """The matter versions offered as Open311 services on `day`, in catalog order."""
    return (
        MatterVersion.objects.in_force(day)
        .exclude(list_kind__in=NOT_OFFERED_KINDS)
        .select_related("matter__area")
        .order_by("matter__area__sort", "matter__code")
    )


def published_cases():
    """The cases Open311 shows: only those received through it, whose reporters sent them to a public API.

    Cases from the hotline, the portal or the windows stay private: their text may name people.
    """
    rejected_reason = CaseEvent.objects.filter(case=OuterRef("pk"), action="reject").order_by("-at", "-id")
    return (
        Case.objects.filter(channel=Channel.OPEN311)
        .select_related("matter", "matter_version", "lead_unit", "open311")
        .annotate(last_event_at=Max("events__at"), rejected_reason=Subquery(rejected_reason.values("note")[:1]))
        .order_by("-created_at", "-id")
    )


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def for_raw_key(self, raw: str) -> ApiKey | None:
        return self.active().filter(key_hash=hash_key(raw)).first() if raw else None


class ApiKey(models.Model):
    """A client allowed to submit requests. Only a hash is kept: a lost key is replaced, never shown again."""

    name = models.CharField("名称", max_length=100, unique=True, help_text="使用方，如“12345热线系统”“某某小程序”")
    prefix = models.CharField("密钥前缀", max_length=KEY_PREFIX_LENGTH, editable=False)
    key_hash = models.CharField("密钥摘要（SHA-256）", max_length=64, unique=True, editable=False)
    active = models.BooleanField("启用", default=True)
    hourly_limit = models.PositiveIntegerField("每小时提交上限", default=100, help_text="0为不限")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "Open311密钥"

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    def set_key(self, raw: str) -> None:
        self.prefix = raw[:KEY_PREFIX_LENGTH]
        self.key_hash = hash_key(raw)


class ServiceRequest(models.Model):
    """A case received through Open311: the client that sent it, its token, and the spec's fields a case lacks.

    The e-mail, device and account identifiers are personal data: they are kept for follow-up, never shown.
    """

    case = models.OneToOneField(Case, verbose_name="办件", on_delete=models.PROTECT, related_name="open311")
    api_key = models.ForeignKey(ApiKey, verbose_name="提交方", on_delete=models.PROTECT, related_name="requests")
    token = models.CharField("令牌", max_length=32, unique=True, default=new_token, editable=False)
    email = models.EmailField("电子邮箱", blank=True)
    account_id = models.CharField("账号标识", max_length=100, blank=True)
    device_id = models.CharField("设备标识", max_length=100, blank=True)
    media_url = models.URLField("图片地址", max_length=500, blank=True)
    jurisdiction_id = models.CharField("辖区标识", max_length=100, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "Open311请求"
        indexes = [models.Index(fields=["api_key", "created_at"])]

    def __str__(self) -> str:
        return f"{self.case.code}（{self.api_key.name}）"
