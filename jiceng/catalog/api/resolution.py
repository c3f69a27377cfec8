"""Catalog API: the resolution contract, (matter, township, date) → who leads and who cooperates."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.accounts.roles import Perm
from jiceng.orgs.api import DATE_ERRORS, require
from jiceng.orgs.models import Region

from ..access import readable
from ..models import ListKind, Matter
from ..resolve import Unresolvable, resolve
from .common import CatalogUnitRefOut, DetailOut, RegionRefOut, UnitRefOut


class ResolveIn(serializers.Serializer):
    matter = serializers.CharField(max_length=30, help_text="事项编码或 id")
    township = serializers.CharField(max_length=50, help_text="乡镇（街道）：区划 id、12位区划代码或名称")
    date = serializers.DateField(required=False, error_messages=DATE_ERRORS, help_text="YYYY-MM-DD，默认今天")


class ResolvedMatterOut(serializers.Serializer):
    code = serializers.CharField(source="matter.code")
    name = serializers.CharField(source="version.name", help_text="该日有效版本的事项名称")
    list_kind = serializers.CharField(source="version.list_kind", help_text="清单类别：" + "、".join(ListKind.values))


class ResolvedVersionOut(serializers.Serializer):
    id = serializers.IntegerField()
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(allow_null=True)
    document_no = serializers.CharField(help_text="依据文件")


class PartyOut(serializers.Serializer):
    catalog_unit = CatalogUnitRefOut(help_text="清单中的单位（县级单位或乡镇级角色）")
    unit = UnitRefOut(allow_null=True, help_text="在该乡镇实际承担的单位；未设时为空")
    name = serializers.CharField(help_text="实际单位名称，未设时为“清单单位名称（本乡镇未设）”")
    duty = serializers.CharField()


class ResolutionOut(serializers.Serializer):
    matter = ResolvedMatterOut(source="*")
    version = ResolvedVersionOut()
    township = RegionRefOut()
    date = serializers.DateField(source="day")
    lead = PartyOut(help_text="主体责任单位")
    cooperating = PartyOut(many=True, help_text="配合责任单位")
    response_days = serializers.IntegerField(allow_null=True, help_text="响应时限（工作日）")
    time_limit_days = serializers.IntegerField(allow_null=True, help_text="办理时限（工作日）")
    delegated = serializers.BooleanField(help_text="本乡镇已承接赋权，由乡镇实施")
    notes = serializers.ListField(child=serializers.CharField())


def find_matter(user, code_or_id: str) -> Matter:
    matters = readable(user, Matter.objects.all())
    found = matters.filter(code=code_or_id).first()
    if found is None and code_or_id.isdigit():
        found = matters.filter(pk=int(code_or_id)).first()
    if found is None:
        raise NotFound(f"事项“{code_or_id}”不存在。")
    return found


def find_township(value: str) -> Region:
    """A region by id, 12-digit code or (for a 乡镇/街道) name."""
    if value.isdigit():
        found = Region.objects.filter(**({"code": value} if len(value) == 12 else {"pk": int(value)})).first()
    else:
        named = list(Region.objects.townships().filter(name=value)[:2])
        if len(named) > 1:
            raise serializers.ValidationError({"township": [f"有多个名为“{value}”的乡镇（街道），请使用区划代码。"]})
        found = named[0] if named else None
    if found is None:
        raise NotFound(f"乡镇（街道）“{value}”不存在。")
    return found


class Resolve(APIView):
    @extend_schema(
        parameters=[ResolveIn],
        responses={200: ResolutionOut, 404: DetailOut, 422: DetailOut},
        summary="事项在某乡镇某日由谁办理：主体责任单位、配合单位和时限（无法确定时返回422及原因）",
    )
    def get(self, request):
        require(request.user, Perm.VIEW_CATALOG)
        data = ResolveIn(data=request.query_params)
        data.is_valid(raise_exception=True)
        matter = find_matter(request.user, data.validated_data["matter"])
        township = find_township(data.validated_data["township"])
        try:
            resolution = resolve(matter, township, data.validated_data.get("date") or timezone.localdate())
        except Unresolvable as e:
            return Response({"detail": e.message}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        return Response(ResolutionOut(resolution).data)
