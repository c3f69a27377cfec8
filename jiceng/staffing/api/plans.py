"""Staffing API: reorganisation plans."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from jiceng.accounts.access import access_object
from jiceng.accounts.roles import Perm
from jiceng.orgs.api import DATE_ERRORS, choice_field
from jiceng.orgs.models import Person, Region, Unit, UnitKind

from .. import plans
from ..access import (
    drafting_regions,
    get_plan_for_user,
    get_revocable_plan_for_user,
    requesting_units,
)
from ..models import (
    SEAT_KIND_CHOICES,
    PlanAdjustment,
    PlanStatus,
    PlanTarget,
    QuotaKind,
    ReorgPlan,
)
from .common import KIND_HELP, code_field, in_scope, listed_errors

# ---- 机构改革方案 -----------------------------------------------------------------------------------


class TargetOut(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit_id", allow_null=True, help_text="现有单位；新设单位为空")
    name = serializers.CharField()
    kind = serializers.CharField(help_text="单位类型代码")
    kind_display = serializers.CharField(source="get_kind_display")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    leader_chief = serializers.IntegerField(allow_null=True)
    leader_deputy = serializers.IntegerField(allow_null=True)
    sort = serializers.IntegerField()
    created_unit = serializers.IntegerField(source="created_unit_id", allow_null=True, help_text="实施后新设的单位")


class SourceOut(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    target = serializers.IntegerField(source="target_id", allow_null=True, help_text="并入的改革后单位")
    keep_name_as_plaque = serializers.BooleanField()


class OverrideOut(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField(source="person_id")
    person_name = serializers.CharField(source="person.name")
    target = serializers.IntegerField(source="target_id")


class AdjustmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    target = serializers.IntegerField(source="target_id")
    kind = serializers.CharField(help_text=KIND_HELP)
    kind_display = serializers.CharField(source="get_kind_display")
    delta = serializers.IntegerField()
    reason = serializers.CharField(help_text="transfer 方案内调剂、decrease 核减")
    reason_display = serializers.CharField(source="get_reason_display")
    document_no = serializers.CharField()


class EventOut(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    to_status_display = serializers.CharField(source="get_to_status_display")
    note = serializers.CharField()
    by = serializers.CharField(source="by.display_name", allow_null=True)
    at = serializers.DateTimeField()


class PlanOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    region = serializers.IntegerField(source="region_id")
    region_name = serializers.CharField(source="region.name")
    document_no = serializers.CharField(help_text="批准文号")
    effective_on = serializers.DateField(help_text="实施日期")
    status = serializers.CharField(
        help_text="状态代码：draft 草稿、submitted 已提交、approved 已批准、executed 已实施、revoked 已撤销"
    )
    status_display = serializers.CharField(source="get_status_display")
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    executed_at = serializers.DateTimeField(allow_null=True)
    targets = TargetOut(many=True, source="targets.all")
    sources = SourceOut(many=True, source="sources.all")
    overrides = OverrideOut(many=True, source="person_overrides.all")
    adjustments = AdjustmentOut(many=True, source="adjustments.all")
    events = EventOut(many=True, source="events.all")


class PlanIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), help_text="实施区划")
    effective_on = serializers.DateField(error_messages=DATE_ERRORS, help_text="实施日期")
    document_no = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_region(self, region):
        if not drafting_regions(self.context["request"].user).filter(pk=region.pk).exists():
            raise serializers.ValidationError(f"您不能为“{region.name}”拟定改革方案。")
        return region


class PlanPartIn(serializers.Serializer):
    """Base of inputs that refer to the plan's own targets (`context["plan"]`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "plan" in self.context and "target" in self.fields:
            self.fields["target"].queryset = PlanTarget.objects.filter(plan=self.context["plan"])

    def drafting_unit(self, unit):
        return unit and in_scope(unit, requesting_units(self.context["request"].user))


class TargetIn(PlanPartIn):
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True, help_text="现有单位；新设单位则不填"
    )
    name = serializers.CharField(max_length=100, required=False, help_text="新设单位名称")
    kind = choice_field(UnitKind.choices, "单位类型", required=False)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True, help_text="新设单位的上级单位"
    )
    leader_chief = serializers.IntegerField(min_value=0, max_value=99, required=False, allow_null=True)
    leader_deputy = serializers.IntegerField(min_value=0, max_value=99, required=False, allow_null=True)

    def validate_unit(self, unit):
        return self.drafting_unit(unit)

    def validate_parent(self, unit):
        return self.drafting_unit(unit)


class SourceIn(PlanPartIn):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), help_text="原单位")
    target = serializers.PrimaryKeyRelatedField(
        queryset=PlanTarget.objects.none(), required=False, allow_null=True, help_text="并入的改革后单位"
    )
    keep_name_as_plaque = serializers.BooleanField(required=False, default=False)

    def validate_unit(self, unit):
        return self.drafting_unit(unit)


class SourceMapIn(PlanPartIn):
    target = serializers.PrimaryKeyRelatedField(
        queryset=PlanTarget.objects.none(), required=False, allow_null=True, help_text="并入的改革后单位"
    )
    keep_name_as_plaque = serializers.BooleanField(required=False)


class PlacePersonIn(PlanPartIn):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    target = serializers.PrimaryKeyRelatedField(
        queryset=PlanTarget.objects.none(), allow_null=True, help_text="转隶至；为空表示随原单位"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context:
            self.fields["person"].queryset = Person.objects.visible_to(self.context["request"].user)


class AdjustmentIn(PlanPartIn):
    target = serializers.PrimaryKeyRelatedField(queryset=PlanTarget.objects.none(), help_text="改革后单位")
    # A plain string in the schema: the same choices as RequestIn.kind under the same name would need an
    # ENUM_NAME_OVERRIDES entry in settings, or drf-spectacular warns about the collision.
    kind = code_field(
        SEAT_KIND_CHOICES,
        "编制类型",
        help_text="administrative、institutional 或 service；领导职数请在改革后单位上设置",
    )
    delta = serializers.IntegerField(help_text="增减数")
    reason = choice_field(PlanAdjustment.Reason.choices, "事由")
    document_no = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class NoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="", help_text="意见")


class CheckOut(serializers.Serializer):
    ok = serializers.BooleanField()
    errors = serializers.ListField(child=serializers.CharField(), help_text="每条一个问题")


class FiguresOut(serializers.Serializer):
    name = serializers.CharField()
    unit = serializers.IntegerField(source="unit.pk", allow_null=True, help_text="现有单位；新设单位为空")
    target = serializers.IntegerField(source="target.pk", allow_null=True, help_text="改革后单位（仅 after）")
    quotas = serializers.DictField(child=serializers.IntegerField(), help_text="编制类型代码 → 核定数")
    people = serializers.IntegerField()


class KindOut(serializers.Serializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField()


class TotalsOut(serializers.Serializer):
    before = serializers.DictField(child=serializers.IntegerField())
    after = serializers.DictField(child=serializers.IntegerField())
    people_before = serializers.IntegerField()
    people_after = serializers.IntegerField()


class PreviewOut(serializers.Serializer):
    kinds = KindOut(many=True)
    before = FiguresOut(many=True)
    after = FiguresOut(many=True)
    totals = TotalsOut()


PLAN_PARTS = ("targets", "sources__unit", "person_overrides__person", "adjustments", "events__by")


def plan_out(plan: ReorgPlan) -> dict:
    return PlanOut(ReorgPlan.objects.select_related("region").prefetch_related(*PLAN_PARTS).get(pk=plan.pk)).data


TARGET_ID = OpenApiParameter("target_id", int, OpenApiParameter.PATH, description="改革后单位 id")
SOURCE_ID = OpenApiParameter("source_id", int, OpenApiParameter.PATH, description="原单位条目 id")


@extend_schema_view(
    list=extend_schema(summary="机构改革方案列表"),
    retrieve=extend_schema(summary="机构改革方案详情（改革后单位、原单位、人员转隶、编制调整、流转记录）"),
)
class PlanViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """机构改革方案：草稿 → 已提交 → 已批准 → 已实施。"""

    queryset = ReorgPlan.objects.none()
    serializer_class = PlanOut
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return ReorgPlan.objects.visible_to(self.request.user).select_related("region").prefetch_related(*PLAN_PARTS)

    def get_object(self):
        return get_plan_for_user(self.request.user, self.kwargs["pk"])

    def _drafting(self, request, pk, serializer_class):
        plan = get_plan_for_user(request.user, pk, write=True)
        data = serializer_class(data=request.data, context={"request": request, "plan": plan})
        data.is_valid(raise_exception=True)
        return plan, dict(data.validated_data)

    @extend_schema(request=PlanIn, responses={201: PlanOut}, summary="拟定机构改革方案")
    def create(self, request):
        if not (request.user.can(Perm.REQUEST_STAFFING) or request.user.can(Perm.MANAGE_STAFFING)):
            raise PermissionDenied("您的角色没有此项权限。")
        data = PlanIn(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        plan = plans.create_plan(by=request.user, **data.validated_data)
        return Response(plan_out(plan), status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanIn(partial=True), responses=PlanOut, summary="修改方案（仅草稿）")
    def partial_update(self, request, pk=None):
        plan = get_plan_for_user(request.user, pk, write=True)
        data = PlanIn(data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        plans.update_plan(plan, by=request.user, **data.validated_data)
        return Response(plan_out(plan))

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=TargetIn, responses={201: TargetOut}, summary="增加改革后单位（现有单位或新设单位）")
    @action(detail=True, methods=["post"])
    def targets(self, request, pk=None):
        plan, fields = self._drafting(request, pk, TargetIn)
        target = plans.add_target(plan, by=request.user, **fields)
        return Response(TargetOut(target).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[TARGET_ID], request=None, responses={204: None}, summary="删除改革后单位")
    @action(detail=True, methods=["delete"], url_path=r"targets/(?P<target_id>[0-9]+)")
    def remove_target(self, request, pk=None, target_id=None):
        plan = get_plan_for_user(request.user, pk, write=True)
        target = access_object(plan.targets, target_id)
        plans.remove_target(target, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=SourceIn, responses={201: SourceOut}, summary="增加原单位")
    @action(detail=True, methods=["post"])
    def sources(self, request, pk=None):
        plan, fields = self._drafting(request, pk, SourceIn)
        source = plans.add_source(plan, fields.pop("unit"), by=request.user, **fields)
        return Response(SourceOut(source).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[SOURCE_ID], request=SourceMapIn, responses=SourceOut, summary="指定原单位并入的单位")
    @action(detail=True, methods=["patch"], url_path=r"sources/(?P<source_id>[0-9]+)")
    def source(self, request, pk=None, source_id=None):
        plan, fields = self._drafting(request, pk, SourceMapIn)
        source = access_object(plan.sources.select_related("unit", "target"), source_id)
        source = plans.map_source(
            source,
            target=fields.get("target", source.target),
            keep_name_as_plaque=fields.get("keep_name_as_plaque", source.keep_name_as_plaque),
            by=request.user,
        )
        return Response(SourceOut(source).data)

    @extend_schema(parameters=[SOURCE_ID], request=None, responses={204: None}, summary="删除原单位")
    @source.mapping.delete
    def remove_source(self, request, pk=None, source_id=None):
        plan = get_plan_for_user(request.user, pk, write=True)
        plans.remove_source(access_object(plan.sources.select_related("unit"), source_id), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=PlacePersonIn, responses=PlanOut, summary="调整人员转隶单位（为空则随原单位）")
    @action(detail=True, methods=["post"])
    def people(self, request, pk=None):
        plan, fields = self._drafting(request, pk, PlacePersonIn)
        plans.place_person(plan, fields["person"], target=fields["target"], by=request.user)
        return Response(plan_out(plan))

    @extend_schema(request=AdjustmentIn, responses={201: AdjustmentOut}, summary="方案内调剂或核减编制")
    @action(detail=True, methods=["post"])
    def adjustments(self, request, pk=None):
        plan, fields = self._drafting(request, pk, AdjustmentIn)
        adjustment = plans.add_adjustment(plan, fields.pop("target"), by=request.user, **fields)
        return Response(AdjustmentOut(adjustment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=CheckOut, summary="校验方案（列出妨碍批准和实施的全部问题）")
    @action(detail=True, methods=["get"])
    def validate(self, request, pk=None):
        errors = plans.validate_plan(get_plan_for_user(request.user, pk))
        return Response(CheckOut({"ok": not errors, "errors": errors}).data)

    @extend_schema(responses=PreviewOut, summary="预览方案实施前后的单位、编制和人员")
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        preview = plans.preview_plan(get_plan_for_user(request.user, pk))
        body = {
            "kinds": [{"kind": k, "kind_display": QuotaKind(k).label} for k in preview.kinds],
            "before": preview.before,
            "after": preview.after,
            "totals": {
                "before": preview.totals("before"),
                "after": preview.totals("after"),
                "people_before": preview.people_before,
                "people_after": preview.people_after,
            },
        }
        return Response(PreviewOut(body).data)

    def _set_status(self, request, plan, to):
        data = NoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        with listed_errors():
            plans.set_plan_status(plan, to, by=request.user, **data.validated_data)
        return Response(plan_out(plan))

    @extend_schema(request=NoteIn, responses=PlanOut, summary="提交方案（须通过校验）")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._set_status(request, get_plan_for_user(request.user, pk, write=True), PlanStatus.SUBMITTED)

    @extend_schema(request=NoteIn, responses=PlanOut, summary="批准方案（须通过校验并有批准文号）")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._set_status(request, get_plan_for_user(request.user, pk, manage=True), PlanStatus.APPROVED)

    @extend_schema(request=NoteIn, responses=PlanOut, summary="退回方案至草稿")
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_draft(self, request, pk=None):
        return self._set_status(request, get_plan_for_user(request.user, pk, manage=True), PlanStatus.DRAFT)

    @extend_schema(request=NoteIn, responses=PlanOut, summary="撤销方案")
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self._set_status(request, get_revocable_plan_for_user(request.user, pk), PlanStatus.REVOKED)

    @extend_schema(request=None, responses=PlanOut, summary="实施方案（单位合并、编制划转、人员转隶，一次完成）")
    @action(detail=True, methods=["post"])
    def execute(self, request, pk=None):
        plan = get_plan_for_user(request.user, pk, manage=True)
        with listed_errors():
            plans.execute_plan(plan, by=request.user)
        return Response(plan_out(plan))
