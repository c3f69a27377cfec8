"""Catalog API: 清单外事项准入, a department's request to give townships a task the list does not."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.accounts.roles import Perm
from jiceng.orgs.api import choice_field, require
from jiceng.orgs.models import Unit

from .. import actions
from ..access import admissions_for_user, get_admission_for_user, own_departments, requesting_departments
from ..models import AdmissionRequest, Area, Matter
from .common import by_code

STATUS_HELP = "状态代码：" + "、".join(f"{s.value}（{s.label}）" for s in AdmissionRequest.Status)


class AdmissionOut(serializers.Serializer):
    id = serializers.IntegerField()
    department = serializers.IntegerField(source="department_id", help_text="申请部门")
    department_name = serializers.CharField(source="department.name")
    title = serializers.CharField(help_text="事项名称")
    description = serializers.CharField(help_text="拟交由乡镇承担的工作")
    reason = serializers.CharField(help_text="理由和依据")
    area = serializers.CharField(source="area.code", allow_null=True, help_text="领域代码")
    area_name = serializers.CharField(source="area.name", allow_null=True)
    status = serializers.CharField(help_text=STATUS_HELP)
    status_display = serializers.CharField(source="get_status_display")
    decision_note = serializers.CharField(help_text="审核意见")
    matter = serializers.IntegerField(source="matter_id", allow_null=True, help_text="准入后纳入的清单事项")
    matter_code = serializers.CharField(source="matter.code", allow_null=True)
    submitted_by = serializers.CharField(source="submitted_by.display_name", allow_null=True)
    submitted_at = serializers.DateTimeField()
    decided_by = serializers.CharField(source="decided_by.display_name", allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)


class AdmissionFilterIn(serializers.Serializer):
    status = choice_field(AdmissionRequest.Status.choices, "状态", required=False)


class AdmissionIn(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, help_text="申请部门；不填则为本人所在部门"
    )
    title = serializers.CharField(max_length=200, help_text="事项名称")
    description = serializers.CharField(help_text="拟交由乡镇承担的工作")
    reason = serializers.CharField(help_text="理由和依据")
    area = by_code(Area.objects.all(), "领域代码", required=False, allow_null=True, help_text="领域代码")

    def validate_department(self, unit):
        if not requesting_departments(self.context["request"].user).filter(pk=unit.pk).exists():
            raise serializers.ValidationError(f"您不能以“{unit.name}”的名义提出准入申请。")
        return unit

    def validate(self, data):
        if not data.get("department"):
            own = own_departments(self.context["request"].user)
            if len({u.pk for u in own}) != 1:
                raise serializers.ValidationError({"department": ["请选择申请部门。"]})
            data["department"] = own[0]
        return data


class DecisionIn(serializers.Serializer):
    note = serializers.CharField(help_text="审核意见")
    matter = serializers.PrimaryKeyRelatedField(
        queryset=Matter.objects.all(), required=False, allow_null=True, help_text="准入时纳入的清单事项 id"
    )


class RefusalIn(serializers.Serializer):
    note = serializers.CharField(help_text="不予准入的理由")


@extend_schema_view(
    list=extend_schema(parameters=[AdmissionFilterIn], summary="清单外事项准入申请列表（部门只看本部门的）"),
    retrieve=extend_schema(summary="清单外事项准入申请"),
)
class AdmissionViewSet(viewsets.ReadOnlyModelViewSet):
    """清单外事项准入：县直部门申请把清单外的工作交由乡镇承担，县编办审核。"""

    queryset = AdmissionRequest.objects.none()
    serializer_class = AdmissionOut

    def get_queryset(self):
        data = AdmissionFilterIn(data=self.request.query_params)
        data.is_valid(raise_exception=True)
        qs = admissions_for_user(self.request.user).select_related(
            "department", "area", "matter", "submitted_by", "decided_by"
        )
        if data.validated_data.get("status"):
            qs = qs.filter(status=data.validated_data["status"])
        return qs

    def get_object(self):
        return get_admission_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=AdmissionIn, responses={201: AdmissionOut}, summary="提出清单外事项准入申请")
    def create(self, request):
        require(request.user, Perm.REQUEST_ADMISSION)
        data = AdmissionIn(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        admission = actions.submit_admission(by=request.user, **data.validated_data)
        return Response(AdmissionOut(admission).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionIn, responses=AdmissionOut, summary="准予纳入清单")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        admission = get_admission_for_user(request.user, pk, decide=True)
        data = DecisionIn(data=request.data)
        data.is_valid(raise_exception=True)
        admission = actions.decide_admission(admission, approve=True, by=request.user, **data.validated_data)
        return Response(AdmissionOut(admission).data)

    @extend_schema(request=RefusalIn, responses=AdmissionOut, summary="不予准入")
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        admission = get_admission_for_user(request.user, pk, decide=True)
        data = RefusalIn(data=request.data)
        data.is_valid(raise_exception=True)
        admission = actions.decide_admission(admission, approve=False, by=request.user, **data.validated_data)
        return Response(AdmissionOut(admission).data)
