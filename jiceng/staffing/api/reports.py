"""Staffing API: the report and the shortage/vacancy analysis."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.accounts.roles import Perm
from jiceng.accounts.scopes import data_scope
from jiceng.orgs.api import require
from jiceng.orgs.models import Unit

from .. import reports
from ..models import (
    MoveType,
    QuotaAccount,
)
from .common import KIND_HELP, NEVER_CHANGED, AsOfIn, as_of

# ---- reports -------------------------------------------------------------------------------------


class SeatsOut(serializers.Serializer):
    """Seat figures of an object with a `seats` attribute (reports.Row, or an account given one)."""

    approved = serializers.IntegerField(source="seats.approved", help_text="核定数")
    occupied = serializers.IntegerField(source="seats.occupied", help_text="实有人数")
    reserved = serializers.IntegerField(source="seats.reserved", help_text="已核准未使用的预留数")
    vacant = serializers.IntegerField(source="seats.vacant", help_text="空编数")
    over = serializers.IntegerField(source="seats.over", help_text="超编数")


class RowOut(SeatsOut):
    unit = serializers.IntegerField(source="unit.pk")
    unit_name = serializers.CharField(source="unit.name")
    township = serializers.CharField(help_text="所属乡镇（街道），县级单位为“县直”")
    kind = serializers.CharField(help_text=KIND_HELP)
    kind_display = serializers.CharField(source="kind_label")


class SummaryOut(serializers.Serializer):
    name = serializers.CharField(help_text="乡镇（街道）名称、“县直”或“全县”")
    kind = serializers.CharField(help_text=KIND_HELP)
    kind_display = serializers.CharField(source="kind_label")
    approved = serializers.IntegerField()
    occupied = serializers.IntegerField()
    reserved = serializers.IntegerField()
    vacant = serializers.IntegerField(help_text="各单位空编数之和")
    over = serializers.IntegerField(help_text="各单位超编数之和")


class ReportIn(AsOfIn):
    township = serializers.CharField(required=False, help_text="只看某乡镇（街道），或“县直”")


class ReportOut(serializers.Serializer):
    as_of = serializers.DateField()
    rows = RowOut(many=True)
    townships = SummaryOut(many=True)
    county = SummaryOut(many=True)


class Report(APIView):
    @extend_schema(
        parameters=[ReportIn], responses=ReportOut, summary="编制使用情况报表（按单位和编制类型，含乡镇和全县合计）"
    )
    def get(self, request):
        require(request.user, Perm.VIEW_STAFFING)
        data = ReportIn(data=request.query_params)
        data.is_valid(raise_exception=True)
        day = data.validated_data.get("as_of") or timezone.localdate()
        rows = reports.unit_rows(day, Unit.objects.visible_to(request.user, Perm.VIEW_STAFFING))
        if data.validated_data.get("township"):
            rows = [r for r in rows if r.township == data.validated_data["township"]]
        body = {
            "as_of": day,
            "rows": rows,
            "townships": reports.summarise(rows, by_township=True),
            "county": reports.summarise(rows, by_township=False),
        }
        return Response(ReportOut(body).data)


class NeedOut(serializers.Serializer):
    unit = serializers.IntegerField(source="row.unit.pk")
    unit_name = serializers.CharField(source="row.unit.name")
    township = serializers.CharField(source="row.township")
    kind = serializers.CharField(source="row.kind", help_text=KIND_HELP)
    kind_display = serializers.CharField(source="row.kind_label")
    over = serializers.IntegerField(help_text="超编数")
    refused = serializers.IntegerField(help_text="近一年不予核准的用编数")
    waiting = serializers.IntegerField(help_text="待核准而无空编的用编数")
    demand = serializers.IntegerField(help_text="缺编合计")


class IdleOut(serializers.Serializer):
    account = serializers.IntegerField(source="account.pk")
    unit = serializers.IntegerField(source="row.unit.pk")
    unit_name = serializers.CharField(source="row.unit.name")
    township = serializers.CharField(source="row.township")
    kind = serializers.CharField(source="row.kind", help_text=KIND_HELP)
    kind_display = serializers.CharField(source="row.kind_label")
    vacant = serializers.IntegerField(source="row.seats.vacant", help_text="空编数")
    idle_days = serializers.SerializerMethodField(help_text="空编闲置天数；从无变动记录时为空")

    def get_idle_days(self, supply) -> int | None:
        return None if supply.idle_days >= NEVER_CHANGED else supply.idle_days


class SuggestionOut(serializers.Serializer):
    kind = serializers.CharField(help_text=KIND_HELP)
    kind_display = serializers.CharField(source="kind_label")
    source_name = serializers.CharField(source="source.name")
    source_account = serializers.IntegerField(source="source.account.pk", help_text="调出的编制账户")
    source_unit = serializers.IntegerField(source="source.row.unit.pk", allow_null=True, help_text="周转池时为空")
    target_unit = serializers.IntegerField(source="target.row.unit.pk")
    target_unit_name = serializers.CharField(source="target.row.unit.name")
    target_account = serializers.SerializerMethodField(help_text="调入的编制账户；尚未开设时为空")
    amount = serializers.IntegerField()
    move_type = serializers.CharField(help_text="调剂方式代码，可直接用于 POST moves/")
    move_type_display = serializers.SerializerMethodField()

    def get_target_account(self, suggestion) -> int | None:
        return self.context["accounts"].get((suggestion.target.row.unit.pk, suggestion.kind))

    def get_move_type_display(self, suggestion) -> str:
        return MoveType(suggestion.move_type).label


class AnalysisOut(serializers.Serializer):
    as_of = serializers.DateField()
    needs = NeedOut(many=True)
    idle = IdleOut(many=True)
    suggestions = SuggestionOut(many=True)


class Analysis(APIView):
    @extend_schema(parameters=[AsOfIn], responses=AnalysisOut, summary="无编可用与空编未用分析及调剂建议（全县）")
    def get(self, request):
        if not (request.user.can(Perm.MANAGE_STAFFING) and data_scope(request.user, Perm.MANAGE_STAFFING).everything):
            raise PermissionDenied("全县编制分析仅限县编办查看。")
        day = as_of(request)
        needs, idle, suggestions = reports.paradox(day)
        accounts = {
            (unit, kind): pk
            for pk, unit, kind in QuotaAccount.objects.filter(unit__isnull=False).values_list("pk", "unit", "kind")
        }
        body = {"as_of": day, "needs": needs, "idle": idle, "suggestions": suggestions}
        return Response(AnalysisOut(body, context={"accounts": accounts}).data)
