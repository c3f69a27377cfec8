"""Shared pieces of the staffing API: access, serializer helpers, error format."""

from __future__ import annotations

from contextlib import contextmanager

from django.utils import timezone
from rest_framework import serializers

from jiceng.lib.errors import DomainError
from jiceng.orgs.api import DATE_ERRORS
from jiceng.orgs.models import Unit

from ..models import (
    QuotaKind,
)

KIND_HELP = "编制类型代码：" + "、".join(f"{k.value}（{k.label}）" for k in QuotaKind)
NEVER_CHANGED = 99999  # reports.paradox's idle days for a vacancy with no recorded change


def code_field(choices, label: str, **kwargs) -> serializers.CharField:
    """Like `choice_field`, but described as a plain string in the OpenAPI schema (no enum component)."""
    accepted = dict(choices)

    def check(value):
        if value not in accepted:
            names = "、".join(f"{k}（{v}）" for k, v in accepted.items())
            raise serializers.ValidationError(f"{label}“{value}”无效，应为：{names}。")

    return serializers.CharField(validators=[check], **kwargs)


def as_of(request):
    data = AsOfIn(data=request.query_params)
    data.is_valid(raise_exception=True)
    return data.validated_data.get("as_of") or timezone.localdate()


def in_scope(unit: Unit, units) -> Unit:
    if not units.filter(pk=unit.pk).exists():
        raise serializers.ValidationError(f"“{unit.name}”不在您可修改的数据范围内。")
    return unit


@contextmanager
def listed_errors():
    """A DomainError of several lines (a plan's validation) → 400 {"detail": first line, "errors": [the rest]}."""
    try:
        yield
    except DomainError as e:
        first, *rest = e.message.splitlines()
        if not rest:
            raise
        raise serializers.ValidationError({"detail": first, "errors": rest}) from None


class AsOfIn(serializers.Serializer):
    as_of = serializers.DateField(required=False, help_text="统计日期 YYYY-MM-DD，默认今天", error_messages=DATE_ERRORS)
