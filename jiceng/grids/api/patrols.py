"""Patrols API (巡查): the worker's phone starts a patrol, sends track points and findings, ends it; the command
centre and the townships read patrols in their scope and the coverage per grid."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from jiceng.accounts.roles import Perm
from jiceng.orgs.api import require
from jiceng.orgs.models import Region

from .. import patrols
from ..models import Grid, Patrol, PatrolStatus

STATUS_HELP = "状态代码：" + "、".join(f"{s.value}（{s.label}）" for s in PatrolStatus)


class PatrolFindingOut(serializers.Serializer):
    case = serializers.CharField(source="case.code", help_text="办件查询码")
    title = serializers.CharField(source="case.title")
    status = serializers.CharField(source="case.status", help_text="办件状态代码")
    status_display = serializers.CharField(source="case.get_status_display")
    created_at = serializers.DateTimeField()


class PatrolOut(serializers.Serializer):
    id = serializers.IntegerField()
    grid = serializers.CharField(source="grid.code", help_text="15位网格编码")
    grid_name = serializers.CharField(source="grid.name")
    village_name = serializers.CharField(source="grid.village.name")
    township_name = serializers.CharField(source="grid.village.parent.name")
    user = serializers.CharField(source="user.display_name", help_text="巡查人")
    status = serializers.CharField(help_text=STATUS_HELP)
    status_display = serializers.CharField(source="get_status_display")
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(
        allow_null=True,
        help_text=f"结束时间；由指挥中心结束或超过{patrols.MAX_PATROL_HOURS}小时才结束的巡查，为最后一次定位或上报的时间",
    )
    distance_m = serializers.FloatField(help_text="轨迹里程（米）")
    points = serializers.SerializerMethodField(help_text="轨迹点数")
    note = serializers.CharField()
    findings = PatrolFindingOut(many=True, source="findings.all")

    def get_points(self, patrol) -> int:
        return len(patrol.track)


class PatrolDetailOut(PatrolOut):
    track = serializers.SerializerMethodField(help_text="轨迹：[经度, 纬度, 北京时间（ISO 8601）] 的列表，按时间排序")

    @extend_schema_field(serializers.ListField(child=serializers.ListField(child=serializers.JSONField())))
    def get_track(self, patrol) -> list:
        time = serializers.DateTimeField()
        return [[lon, lat, time.to_representation(at)] for lon, lat, at in patrol.track_points()]


class PatrolFilterIn(serializers.Serializer):
    mine = serializers.BooleanField(required=False, default=False, help_text="只看本人的巡查")
    status = serializers.ChoiceField(choices=PatrolStatus.choices, required=False, help_text=STATUS_HELP)
    grid = serializers.CharField(required=False, help_text="网格编码")
    township = serializers.CharField(required=False, help_text="乡镇（街道）区划代码")


class PatrolStartIn(serializers.Serializer):
    grid = serializers.CharField(max_length=15, help_text="要巡查的综合网格编码（本人所在网格或本乡镇的综合网格）")


class PatrolPointIn(serializers.Serializer):
    lon = serializers.FloatField(help_text="经度（WGS-84）")
    lat = serializers.FloatField(help_text="纬度（WGS-84）")
    at = serializers.DateTimeField(required=False, allow_null=True, help_text="定位时间；不填为收到的时间")


class PatrolPointsIn(serializers.Serializer):
    points = PatrolPointIn(
        many=True, min_length=1, max_length=500, help_text="一个或多个轨迹点（离线期间的点可一并上传）"
    )


class PatrolFindingIn(serializers.Serializer):
    title = serializers.CharField(max_length=100, help_text="问题，如：违章搭建")
    description = serializers.CharField(help_text="现场情况")
    lon = serializers.FloatField(
        required=False, allow_null=True, help_text="经度（WGS-84）；不填则按巡查网格所在村登记"
    )
    lat = serializers.FloatField(required=False, allow_null=True, help_text="纬度（WGS-84）")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="现场照片（multipart，最多6张）"
    )
    token = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text="重发同一发现时使用同一值，不会重复登记"
    )


class PatrolEndIn(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="巡查情况")


class PatrolCoverageIn(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="开始日期，默认本月1日")
    end = serializers.DateField(required=False, help_text="结束日期（含），默认今天")
    township = serializers.CharField(required=False, help_text="乡镇（街道）区划代码")


class GridCoverageOut(serializers.Serializer):
    grid = serializers.CharField(source="grid.code")
    grid_name = serializers.CharField(source="grid.name")
    village_name = serializers.CharField(source="grid.village.name")
    township_name = serializers.CharField(source="grid.village.parent.name")
    patrols = serializers.IntegerField(help_text="巡查次数")
    hours = serializers.FloatField(help_text="已结束巡查从开始到 ended_at 的时长合计（小时）")
    days = serializers.IntegerField(help_text="有巡查的天数")
    workdays_patrolled = serializers.IntegerField(help_text="有巡查的工作日数")
    workdays = serializers.IntegerField(help_text="期间工作日数（按节假日表）")
    rate = serializers.FloatField(allow_null=True, help_text="工作日覆盖率 = workdays_patrolled / workdays")
    findings = serializers.IntegerField(help_text="巡查发现（登记的办件）数")
    last_patrol_at = serializers.DateTimeField(allow_null=True, help_text="最近一次巡查（不限期间）；从未巡查为 null")
    unpatrolled = serializers.BooleanField(help_text="期间内没有巡查")


class PatrolCoverageOut(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    grids = GridCoverageOut(many=True)


PATROL_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="巡查 id")


def _detail(patrol: Patrol) -> dict:
    fresh = (
        Patrol.objects.select_related("grid__village__parent", "user")
        .prefetch_related("findings__case")
        .get(pk=patrol.pk)
    )
    return PatrolDetailOut(fresh).data


@extend_schema_view(
    list=extend_schema(parameters=[PatrolFilterIn], summary="巡查列表（本人的，以及数据范围内网格的）"),
    retrieve=extend_schema(parameters=[PATROL_ID], summary="巡查详情（含轨迹和发现）"),
)
class PatrolViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """网格巡查：开始、上传轨迹点、上报发现（登记为网格上报办件）、结束；按网格统计巡查覆盖。"""

    serializer_class = PatrolOut
    queryset = Patrol.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        user = self.request.user
        require(user, Perm.VIEW_GRIDS)
        qs = (
            Patrol.objects.visible_to(user)
            .select_related("grid__village__parent", "user")
            .prefetch_related("findings__case")
        )
        if self.action != "list":
            return qs
        filters = PatrolFilterIn(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        if f["mine"]:
            qs = qs.filter(user=user)
        if f.get("status"):
            qs = qs.filter(status=f["status"])
        if f.get("grid"):
            qs = qs.filter(grid__code=f["grid"])
        if f.get("township"):
            qs = qs.filter(grid__village__parent__code=f["township"])
        return qs

    def get_object(self):
        return patrols.get_patrol_for_user(self.request.user, self.kwargs["pk"])

    def get_serializer_class(self):
        return PatrolDetailOut if self.action == "retrieve" else PatrolOut

    @extend_schema(request=PatrolStartIn, responses={201: PatrolDetailOut}, summary="开始巡查")
    def create(self, request):
        require(request.user, Perm.PATROL)
        data = PatrolStartIn(data=request.data)
        data.is_valid(raise_exception=True)
        grid = Grid.objects.filter(code=data.validated_data["grid"].strip()).first()
        if grid is None:
            raise serializers.ValidationError({"grid": ["网格不存在。"]})
        patrol = patrols.start_patrol(grid, by=request.user)
        return Response(_detail(patrol), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[PATROL_ID], request=PatrolPointsIn, responses=PatrolOut, summary="上传轨迹点")
    @action(detail=True, methods=["post"])
    def points(self, request, pk=None):
        patrol = patrols.get_patrol_for_user(request.user, pk, write=True)
        data = PatrolPointsIn(data=request.data)
        data.is_valid(raise_exception=True)
        points = [(p["lon"], p["lat"], p.get("at")) for p in data.validated_data["points"]]
        patrol = patrols.add_patrol_points(patrol, points, by=request.user)
        return Response(PatrolOut(patrol).data)

    @extend_schema(
        parameters=[PATROL_ID],
        request={"multipart/form-data": PatrolFindingIn, "application/json": PatrolFindingIn},
        responses={201: PatrolFindingOut, 200: PatrolFindingOut},
        summary="上报巡查发现（登记为网格上报办件；带同一 token 重发返回 200 和第一次登记的那件）",
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def findings(self, request, pk=None):
        patrol = patrols.get_patrol_for_user(request.user, pk, write=True)
        data = PatrolFindingIn(data=request.data)
        data.is_valid(raise_exception=True)
        case, created = patrols.report_finding(patrol, by=request.user, **data.validated_data)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(PatrolFindingOut(case.patrol_finding).data, status=code)

    @extend_schema(parameters=[PATROL_ID], request=PatrolEndIn, responses=PatrolOut, summary="结束巡查")
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        patrol = patrols.get_patrol_for_user(request.user, pk, end=True)
        data = PatrolEndIn(data=request.data)
        data.is_valid(raise_exception=True)
        patrol = patrols.end_patrol(patrol, by=request.user, **data.validated_data)
        return Response(_detail(patrol))

    @extend_schema(parameters=[PatrolCoverageIn], responses=PatrolCoverageOut, summary="各综合网格巡查覆盖（默认本月）")
    @action(detail=False, methods=["get"])
    def coverage(self, request):
        require(request.user, Perm.VIEW_GRIDS)
        data = PatrolCoverageIn(data=request.query_params)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        start, end = patrols.month_so_far()
        start, end = d.get("start") or start, d.get("end") or end
        grids = patrols.coverage_grids(request.user)
        if d.get("township"):
            township = Region.objects.filter(code=d["township"], level=4).first()
            if township is None:
                raise serializers.ValidationError({"township": ["乡镇（街道）区划代码不存在。"]})
            grids = grids.filter(village__parent=township)
        rows = patrols.patrol_coverage(grids, start=start, end=end)
        return Response(PatrolCoverageOut({"start": start, "end": end, "grids": rows}).data)
