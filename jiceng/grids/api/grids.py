"""Grids API: list and read grids (with members; phones masked), and which grid a point lies in."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.accounts.roles import Perm
from jiceng.lib.masking import mask_phone
from jiceng.orgs.api import require

from .. import geometry
from ..models import Grid, GridKind


class MemberOut(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField(help_text="chief 网格长，full 专职网格员，part 兼职网格员")
    role_display = serializers.CharField(source="get_role_display")
    phone = serializers.SerializerMethodField(help_text="脱敏手机号")

    def get_phone(self, member) -> str:
        return mask_phone(member.phone)


class GridOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="15位网格编码")
    name = serializers.CharField()
    kind = serializers.CharField(help_text="类型：" + "、".join(f"{k.value}（{k.label}）" for k in GridKind))
    layer = serializers.CharField()
    village = serializers.CharField(source="village.code", help_text="村（社区）12位区划代码")
    village_name = serializers.CharField(source="village.name")
    township = serializers.CharField(source="village.parent.code")
    township_name = serializers.CharField(source="village.parent.name")
    area_m2 = serializers.FloatField()
    active = serializers.BooleanField()
    members = MemberOut(many=True)


class GridDetailOut(GridOut):
    polygon = serializers.JSONField(help_text="GeoJSON 几何（WGS-84，[经度, 纬度]）")


@extend_schema_view(
    retrieve=extend_schema(
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="15位网格编码")]
    )
)
class GridViewSet(viewsets.ReadOnlyModelViewSet):
    """网格列表（可按 village、township 区划代码，layer 图层，q 名称或编码筛选）和单个网格（含范围）。"""

    lookup_field = "code"

    def get_queryset(self):
        require(self.request.user, Perm.VIEW_GRIDS)
        qs = (
            Grid.objects.visible_to(self.request.user)
            .select_related("village__parent")
            .prefetch_related("members")
            .order_by("code")
        )
        params = self.request.query_params
        if params.get("village"):
            qs = qs.filter(village__code=params["village"])
        if params.get("township"):
            qs = qs.filter(village__parent__code=params["township"])
        if params.get("layer"):
            qs = qs.filter(layer=params["layer"])
        if params.get("q"):
            qs = qs.filter(name__icontains=params["q"]) | qs.filter(code=params["q"])
        return qs

    def get_serializer_class(self):
        return GridDetailOut if self.action == "retrieve" else GridOut


class LocateIn(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text="纬度（WGS-84）")
    lon = serializers.FloatField(min_value=-180, max_value=180, help_text="经度（WGS-84）")


class LocateOut(serializers.Serializer):
    grid = GridOut(allow_null=True, help_text="点所在的综合网格；不在任何网格内为 null")


class Locate(APIView):
    @extend_schema(parameters=[LocateIn], responses=LocateOut, summary="点 → 网格 → 村（社区） → 乡镇（街道）")
    def get(self, request):
        require(request.user, Perm.VIEW_GRIDS)
        data = LocateIn(data=request.query_params)
        data.is_valid(raise_exception=True)
        grid = geometry.locate(data.validated_data["lat"], data.validated_data["lon"])
        return Response({"grid": GridOut(grid).data if grid else None})
