"""Shared pieces of the catalog API: the date parameter, look-ups by code, and small reference outputs."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from jiceng.orgs.api import DATE_ERRORS

from ..models import DelegationStatus

STATUS_HELP = "承接状态代码：" + "、".join(f"{s.value}（{s.label}）" for s in DelegationStatus)


class AsOfIn(serializers.Serializer):
    as_of = serializers.DateField(required=False, help_text="日期 YYYY-MM-DD，默认今天", error_messages=DATE_ERRORS)


def as_of(request):
    data = AsOfIn(data=request.query_params)
    data.is_valid(raise_exception=True)
    return data.validated_data.get("as_of") or timezone.localdate()


class CodeField(serializers.SlugRelatedField):
    """A reference to a catalog row (area, catalog unit) by its code: one code, a string."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data.strip())


def by_code(queryset, label: str, *, invalid: str = "", **kwargs) -> CodeField:
    return CodeField(
        slug_field="code",
        queryset=queryset,
        error_messages={
            "does_not_exist": f"{label}“{{value}}”不存在。",
            "invalid": invalid or f"{label}应为一个代码。",
        },
        **kwargs,
    )


class RegionRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class UnitRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CatalogUnitRefOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class DetailOut(serializers.Serializer):
    detail = serializers.CharField()
