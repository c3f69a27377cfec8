"""Catalog API: areas (领域) and catalog units, with the per-township bindings of township roles."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.orgs.api import choice_field
from jiceng.orgs.models import Region, Unit

from .. import actions
from ..access import get_area_for_user, get_catalog_unit_for_user, readable
from ..models import Area, CatalogUnit, Level


class AreaOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="领域代码，如 A01")
    name = serializers.CharField()
    sort = serializers.IntegerField()


@extend_schema_view(list=extend_schema(summary="领域列表"), retrieve=extend_schema(summary="领域"))
class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    """职责清单的领域（如 自然资源、生态环境）。"""

    queryset = Area.objects.none()
    serializer_class = AreaOut

    def get_queryset(self):
        return readable(self.request.user, Area.objects.all())

    def get_object(self):
        return get_area_for_user(self.request.user, self.kwargs["pk"])


class BindingOut(serializers.Serializer):
    township = serializers.IntegerField(source="township_id")
    township_name = serializers.CharField(source="township.name")
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")


class CatalogUnitOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="清单单位代码，录入事项时用它指明主体和配合单位")
    name = serializers.CharField()
    level = serializers.CharField(help_text="county（县级单位）、township（乡镇级，按乡镇分别对应实际单位）")
    level_display = serializers.CharField(source="get_level_display")
    kind = serializers.CharField(help_text="单位类别，如 党政机构、事业单位、派驻机构、综合执法队")
    unit = serializers.IntegerField(source="unit_id", allow_null=True, help_text="县级单位对应的平台单位")
    unit_name = serializers.CharField(source="unit.name", allow_null=True)
    bindings = BindingOut(many=True, source="bindings.all", help_text="乡镇级单位在各乡镇的实际单位")


class CatalogUnitFilterIn(serializers.Serializer):
    level = choice_field(Level.choices, "层级", required=False)
    q = serializers.CharField(required=False, help_text="单位代码或名称")


class BindIn(serializers.Serializer):
    township = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), help_text="乡镇（街道）区划 id")
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), help_text="该乡镇承担此角色的实际单位")


@extend_schema_view(
    list=extend_schema(parameters=[CatalogUnitFilterIn], summary="清单单位列表（含乡镇级单位的对应关系）"),
    retrieve=extend_schema(summary="清单单位"),
)
class CatalogUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """清单单位：县级单位对应一个平台单位；乡镇级单位（角色）在每个乡镇分别对应实际单位。"""

    queryset = CatalogUnit.objects.none()
    serializer_class = CatalogUnitOut

    def get_queryset(self):
        data = CatalogUnitFilterIn(data=self.request.query_params)
        data.is_valid(raise_exception=True)
        qs = readable(self.request.user, CatalogUnit.objects.select_related("unit"))
        if data.validated_data.get("level"):
            qs = qs.filter(level=data.validated_data["level"])
        if data.validated_data.get("q"):
            q = data.validated_data["q"]
            qs = qs.filter(Q(code__icontains=q) | Q(name__contains=q))
        return qs.prefetch_related("bindings__township", "bindings__unit")

    def get_object(self):
        return get_catalog_unit_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=BindIn, responses=BindingOut, summary="设置乡镇级单位在某乡镇对应的实际单位")
    @action(detail=True, methods=["post"])
    def bindings(self, request, pk=None):
        role = get_catalog_unit_for_user(request.user, pk, write=True)
        data = BindIn(data=request.data)
        data.is_valid(raise_exception=True)
        binding = actions.bind_role(role, data.validated_data["township"], data.validated_data["unit"], by=request.user)
        return Response(BindingOut(binding).data)
