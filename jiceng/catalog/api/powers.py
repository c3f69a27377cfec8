"""Catalog API: delegated powers (赋权事项), each township's 承接/暂缓/收回 history, and progress by township."""

from __future__ import annotations

from collections import Counter
from datetime import date

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.accounts.roles import Perm
from jiceng.orgs.api import DATE_ERRORS, choice_field, require
from jiceng.orgs.models import Region

from .. import actions
from ..access import get_power_for_user, readable
from ..models import DelegatedPower, Delegation, DelegationStatus
from .common import STATUS_HELP, AsOfIn, as_of


def statuses_on(day: date, powers=None) -> dict[tuple[int, int], str]:
    """(power id, township id) → its status on `day`: the latest row with on ≤ day. No row means 未承接."""
    rows = Delegation.objects.filter(on__lte=day)
    if powers is not None:
        rows = rows.filter(power__in=powers)
    ordered = rows.order_by("on", "id").values_list("power_id", "township_id", "status")
    return {(power, township): status for power, township, status in ordered}  # later rows win


def status_counts(statuses) -> dict[str, int]:
    """Counts by status (None, a township with no row yet, counts as 未承接)."""
    counts = Counter(s or DelegationStatus.NOT_ACCEPTED for s in statuses)
    return {s.value: counts[s.value] for s in DelegationStatus}


class CountsOut(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="已承接")
    deferred = serializers.IntegerField(help_text="暂缓")
    reclaimed = serializers.IntegerField(help_text="收回")
    not_accepted = serializers.IntegerField(help_text="未承接（含尚无记录的）")


class PowerOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    matter = serializers.IntegerField(source="matter_id", allow_null=True, help_text="对应清单事项")
    matter_code = serializers.CharField(source="matter.code", allow_null=True)
    county_unit = serializers.CharField(source="county_unit.code", help_text="原实施部门的清单单位代码")
    county_unit_name = serializers.CharField(source="county_unit.name")
    township_role = serializers.CharField(source="township_role.code", help_text="承接的乡镇单位的清单单位代码")
    township_role_name = serializers.CharField(source="township_role.name")
    power_type = serializers.CharField(help_text="权力类型，如 行政许可、其他行政权力")
    document_no = serializers.CharField(help_text="赋权文件")
    offered_on = serializers.DateField(help_text="赋权日期")


class PowerRowOut(PowerOut):
    counts = serializers.SerializerMethodField(help_text="各乡镇在该日的承接状态计数")

    @extend_schema_field(CountsOut)
    def get_counts(self, power) -> dict:
        statuses = self.context["statuses"]
        return status_counts(statuses.get((power.pk, t)) for t in self.context["townships"])


class DelegationOut(serializers.Serializer):
    id = serializers.IntegerField()
    township = serializers.IntegerField(source="township_id")
    township_name = serializers.CharField(source="township.name")
    status = serializers.CharField(help_text=STATUS_HELP)
    status_display = serializers.CharField(source="get_status_display")
    on = serializers.DateField()
    document_no = serializers.CharField()
    note = serializers.CharField()
    by = serializers.CharField(source="by.display_name", allow_null=True)
    at = serializers.DateTimeField()


class TownshipStatusOut(serializers.Serializer):
    township = serializers.IntegerField(source="township.pk")
    township_name = serializers.CharField(source="township.name")
    status = serializers.CharField(help_text=STATUS_HELP + "；尚无记录为 not_accepted")
    status_display = serializers.CharField()
    history = DelegationOut(many=True, help_text="全部记录，按日期先后")


class PowerDetailOut(PowerOut):
    as_of = serializers.DateField(help_text="status 是这一天的状态")
    townships = TownshipStatusOut(many=True, source="township_statuses")


class DelegationIn(serializers.Serializer):
    township = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), help_text="乡镇（街道）区划 id")
    status = choice_field(DelegationStatus.choices, "承接状态")
    on = serializers.DateField(error_messages=DATE_ERRORS, help_text="自该日起")
    document_no = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="文号；承接和收回必填"
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


@extend_schema_view(list=extend_schema(parameters=[AsOfIn], summary="赋权事项列表（含各乡镇承接状态计数）"))
class PowerViewSet(viewsets.ReadOnlyModelViewSet):
    """赋权事项：县级部门的权力事项赋予乡镇，各乡镇分别承接、暂缓或被收回（按日期逐条记录）。"""

    queryset = DelegatedPower.objects.none()
    serializer_class = PowerRowOut

    def get_queryset(self):
        return readable(self.request.user, DelegatedPower.objects.all()).select_related(
            "matter", "county_unit", "township_role"
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "list":
            context["statuses"] = statuses_on(as_of(self.request))
            context["townships"] = list(Region.objects.townships().values_list("pk", flat=True))
        return context

    @extend_schema(parameters=[AsOfIn], responses=PowerDetailOut, summary="赋权事项：各乡镇的当前状态和全部记录")
    def retrieve(self, request, pk=None):
        power = get_power_for_user(request.user, pk)
        day = as_of(request)
        rows = Delegation.objects.filter(power=power).select_related("township", "by").order_by("on", "id")
        history: dict[int, list[Delegation]] = {}
        for row in rows:
            history.setdefault(row.township_id, []).append(row)
        townships = []
        for township in Region.objects.townships():
            past = [row for row in history.get(township.pk, []) if row.on <= day]
            current = DelegationStatus(past[-1].status if past else DelegationStatus.NOT_ACCEPTED)
            townships.append(
                {
                    "township": township,
                    "status": current.value,
                    "status_display": current.label,
                    "history": history.get(township.pk, []),
                }
            )
        power.as_of, power.township_statuses = day, townships
        return Response(PowerDetailOut(power).data)

    @extend_schema(request=DelegationIn, responses={201: DelegationOut}, summary="登记乡镇承接、暂缓或收回")
    @action(detail=True, methods=["post"])
    def delegations(self, request, pk=None):
        power = get_power_for_user(request.user, pk, write=True)
        data = DelegationIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        row = actions.set_delegation(power, fields.pop("township"), by=request.user, **fields)
        return Response(DelegationOut(row).data, status=status.HTTP_201_CREATED)


class ProgressOut(CountsOut):
    township = serializers.IntegerField()
    township_code = serializers.CharField()
    township_name = serializers.CharField()
    total = serializers.IntegerField(help_text="该日已赋权的事项数")


class DelegationProgress(APIView):
    @extend_schema(
        parameters=[AsOfIn], responses=ProgressOut(many=True), summary="各乡镇赋权事项承接进度（某日，默认今天）"
    )
    def get(self, request):
        require(request.user, Perm.VIEW_CATALOG)
        day = as_of(request)
        offered = list(DelegatedPower.objects.filter(offered_on__lte=day).values_list("pk", flat=True))
        statuses = statuses_on(day, offered)
        body = [
            {
                "township": t.pk,
                "township_code": t.code,
                "township_name": t.name,
                "total": len(offered),
                **status_counts(statuses.get((p, t.pk)) for p in offered),
            }
            for t in Region.objects.townships()
        ]
        return Response(ProgressOut(body, many=True).data)
