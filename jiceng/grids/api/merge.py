"""多网合一 API: plans with their proposal, mapping and report; build (指挥中心), submit, approve or return (县编办)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.accounts.roles import Perm
from jiceng.orgs.api import require
from jiceng.orgs.models import Region

from .. import merging
from ..models import MergeIssue, MergePlan, MergeStatus

STATUS_HELP = "状态代码：" + "、".join(f"{s.value}（{s.label}）" for s in MergeStatus)
KIND_HELP = "类型代码：" + "、".join(f"{k.value}（{k.label}）" for k in MergeIssue.Kind)


class MergeEventOut(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    to_status_display = serializers.CharField(source="get_to_status_display")
    note = serializers.CharField()
    by = serializers.CharField(source="by.display_name", allow_null=True)
    at = serializers.DateTimeField()


class MergeTargetOut(serializers.Serializer):
    code = serializers.CharField(help_text="15位网格编码")
    name = serializers.CharField()
    village = serializers.CharField(source="village.code")
    village_name = serializers.CharField(source="village.name")
    is_new = serializers.BooleanField(help_text="true 批准时新设；false 保留现有综合网格")
    area_m2 = serializers.FloatField()
    area_mu = serializers.FloatField(help_text="面积（亩）")
    polygon = serializers.JSONField(help_text="GeoJSON 几何（WGS-84）")


class MergeMappingOut(serializers.Serializer):
    source = serializers.CharField(source="source_code", help_text="部门网格编码")
    source_name = serializers.CharField()
    layer = serializers.CharField(source="source_layer")
    village = serializers.CharField(source="village.code")
    target = serializers.CharField(
        source="target.code", allow_null=True, help_text="综合网格编码；未落入任何综合网格为 null"
    )
    overlap_m2 = serializers.FloatField()
    share = serializers.FloatField(help_text="重合面积占部门网格面积的比例（0–1）")
    is_main = serializers.BooleanField(help_text="该部门网格的主要归属（网格员随之转入）")


class MergeIssueOut(serializers.Serializer):
    kind = serializers.CharField(help_text=KIND_HELP)
    kind_display = serializers.CharField(source="get_kind_display")
    village = serializers.CharField(source="village.code")
    village_name = serializers.CharField(source="village.name")
    grid = serializers.CharField(source="grid_a.code", allow_null=True)
    other_grid = serializers.CharField(source="grid_b.code", allow_null=True, help_text="重叠的另一图层网格")
    other_village = serializers.CharField(
        source="other_village.code", allow_null=True, help_text="跨村网格伸入的村；伸出各村范围为 null"
    )
    area_m2 = serializers.FloatField()
    area_mu = serializers.FloatField(help_text="面积（亩）")
    polygon = serializers.JSONField(allow_null=True)
    note = serializers.CharField()


class MergePlanOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    township = serializers.CharField(source="township.code", allow_null=True, help_text="乡镇（街道）；全县为 null")
    township_name = serializers.CharField(source="region_name")
    layers = serializers.ListField(child=serializers.CharField(), help_text="合并的部门图层")
    status = serializers.CharField(help_text=STATUS_HELP)
    status_display = serializers.CharField(source="get_status_display")
    note = serializers.CharField()
    document_no = serializers.CharField(help_text="批准文号")
    created_by = serializers.CharField(source="created_by.display_name", allow_null=True)
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    approved_by = serializers.CharField(source="approved_by.display_name", allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)


class MergePlanDetailOut(MergePlanOut):
    targets = MergeTargetOut(many=True, source="targets.all", help_text="方案的综合网格（新设或保留）")
    mappings = MergeMappingOut(many=True, source="mappings.all", help_text="对照表：部门网格 → 综合网格")
    overlaps = MergeIssueOut(many=True, help_text="不同图层网格重叠且边界不一致")
    uncovered = MergeIssueOut(many=True, help_text="不在任何部门网格内的区域")
    crossings = MergeIssueOut(many=True, help_text="跨村（社区）的部门网格")
    events = MergeEventOut(many=True, source="events.all")


class MergePlanFilterIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=MergeStatus.choices, required=False, help_text=STATUS_HELP)
    township = serializers.CharField(required=False, help_text="乡镇（街道）区划代码")


NO_LAYERS = "请选择至少一个部门网格图层。"


class MergeBuildIn(serializers.Serializer):
    layers = serializers.ListField(
        child=serializers.CharField(max_length=20),
        min_length=1,
        error_messages={"required": NO_LAYERS, "empty": NO_LAYERS, "min_length": NO_LAYERS},
        help_text='合并的部门图层，如 ["综治", "城管"]',
    )
    township = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text="乡镇（街道）区划代码；不填、空或 null 为全县（须有全县数据范围）",
    )
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_township(self, code):
        allowed = merging.drafting_townships(self.context["request"].user)
        if not code:
            if allowed is not None:
                raise serializers.ValidationError("您的数据范围不是全县，请指定乡镇（街道）。")
            return None
        township = Region.objects.filter(code=code, level=4).first()
        if township is None:
            raise serializers.ValidationError("乡镇（街道）区划代码不存在。")
        if allowed is not None and not allowed.filter(pk=township.pk).exists():
            raise serializers.ValidationError(f"“{township.name}”不在您的数据范围内。")
        return township


class MergeNoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="", help_text="意见")


class MergeApproveIn(MergeNoteIn):
    document_no = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="批准文号"
    )


class MergeReturnIn(serializers.Serializer):
    reason = serializers.CharField(
        max_length=300,
        error_messages={"required": "请填写退回理由。", "blank": "请填写退回理由。", "null": "请填写退回理由。"},
        help_text="退回理由",
    )


def _require_merge_role(user) -> None:
    """Plans are the command centre's (MANAGE_GRIDS) and the staffing office's (APPROVE_GRID_MERGE)."""
    if not (user.can(Perm.MANAGE_GRIDS) or user.can(Perm.APPROVE_GRID_MERGE)):
        raise PermissionDenied("您的角色没有此项权限。")


def _access_plan(user, pk, **access) -> MergePlan:
    """Without either role 403, as for the list, before the plan's own 404 (invisible) or 403 (not for them)."""
    _require_merge_role(user)
    return merging.get_merge_plan_for_user(user, pk, **access)


PLAN_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="方案 id")


def plan_detail(plan: MergePlan) -> dict:
    plan = (
        MergePlan.objects.select_related("township", "created_by", "approved_by")
        .prefetch_related(
            "targets__village",
            "mappings__village",
            "mappings__target",
            "issues__village",
            "issues__grid_a",
            "issues__grid_b",
            "issues__other_village",
            "events__by",
        )
        .get(pk=plan.pk)
    )
    issues = list(plan.issues.all())
    plan.overlaps = [i for i in issues if i.kind == MergeIssue.Kind.OVERLAP]
    plan.uncovered = [i for i in issues if i.kind == MergeIssue.Kind.UNCOVERED]
    plan.crossings = [i for i in issues if i.kind == MergeIssue.Kind.CROSSING]
    return MergePlanDetailOut(plan).data


@extend_schema_view(
    list=extend_schema(parameters=[MergePlanFilterIn], summary="多网合一方案列表"),
    retrieve=extend_schema(
        parameters=[PLAN_ID], summary="多网合一方案（综合网格、对照表、重叠、未覆盖、跨村、流转记录）"
    ),
)
class MergePlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """多网合一方案：草稿 → 已提交 → 已批准（即实施）/已退回。指挥中心生成和提交，县委编办批准或退回。"""

    serializer_class = MergePlanOut
    queryset = MergePlan.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        user = self.request.user
        _require_merge_role(user)
        qs = MergePlan.objects.visible_to(user).select_related("township", "created_by", "approved_by")
        filters = MergePlanFilterIn(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        if filters.validated_data.get("status"):
            qs = qs.filter(status=filters.validated_data["status"])
        if filters.validated_data.get("township"):
            qs = qs.filter(township__code=filters.validated_data["township"])
        return qs

    def retrieve(self, request, pk=None):
        return Response(plan_detail(_access_plan(request.user, pk)))

    @extend_schema(
        request=MergeBuildIn, responses={201: MergePlanDetailOut}, summary="生成方案（按村合并所选部门图层）"
    )
    def create(self, request):
        require(request.user, Perm.MANAGE_GRIDS)
        data = MergeBuildIn(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        plan = merging.build_merge_plan(by=request.user, **data.validated_data)
        return Response(plan_detail(plan), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[PLAN_ID], request=MergeNoteIn, responses=MergePlanDetailOut, summary="提交编办审批")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        plan = _access_plan(request.user, pk, write=True)
        data = MergeNoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        merging.submit_merge_plan(plan, by=request.user, **data.validated_data)
        return Response(plan_detail(plan))

    @extend_schema(parameters=[PLAN_ID], request=MergeApproveIn, responses=MergePlanDetailOut, summary="批准并实施方案")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        plan = _access_plan(request.user, pk, approve=True)
        data = MergeApproveIn(data=request.data)
        data.is_valid(raise_exception=True)
        merging.approve_merge_plan(plan, by=request.user, **data.validated_data)
        return Response(plan_detail(plan))

    @extend_schema(parameters=[PLAN_ID], request=MergeReturnIn, responses=MergePlanDetailOut, summary="退回方案")
    @action(detail=True, methods=["post"], url_path="return")
    def return_plan(self, request, pk=None):
        plan = _access_plan(request.user, pk, approve=True)
        data = MergeReturnIn(data=request.data)
        data.is_valid(raise_exception=True)
        merging.return_merge_plan(plan, by=request.user, **data.validated_data)
        return Response(plan_detail(plan))
