"""Staffing API: quota accounts with their entries, and moves."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.accounts.roles import Perm
from jiceng.accounts.scopes import data_scope
from jiceng.lib.errors import DomainError
from jiceng.orgs.api import DATE_ERRORS, choice_field, require, writable_unit
from jiceng.orgs.models import Unit

from .. import actions
from ..access import (
    get_account_for_user,
    get_move_for_user,
)
from ..models import (
    EntryReason,
    MoveType,
    QuotaAccount,
    QuotaKind,
    QuotaMove,
    QuotaPool,
)
from ..seats import Seats, account_seats, pool_balances, seats_by_key
from .common import KIND_HELP, AsOfIn, as_of
from .reports import SeatsOut

# ---- quota accounts ------------------------------------------------------------------------------


class AccountOut(SeatsOut):
    id = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit_id", allow_null=True)
    pool = serializers.IntegerField(source="pool_id", allow_null=True)
    holder_name = serializers.CharField(help_text="单位或周转池名称")
    kind = serializers.CharField(help_text=KIND_HELP)
    kind_display = serializers.CharField(source="get_kind_display")


class EntryOut(serializers.Serializer):
    id = serializers.IntegerField()
    account = serializers.IntegerField(source="account_id")
    delta = serializers.IntegerField(help_text="增减数")
    on = serializers.DateField(help_text="生效日期")
    reason = serializers.CharField(help_text="事由代码")
    reason_display = serializers.CharField(source="get_reason_display")
    document_no = serializers.CharField()
    note = serializers.CharField()
    move = serializers.IntegerField(source="move_id", allow_null=True)
    plan = serializers.IntegerField(source="plan_id", allow_null=True)
    creates_overstaffing = serializers.BooleanField(help_text="明确造成超编")
    by = serializers.CharField(source="by.display_name", allow_null=True, help_text="记录人")
    at = serializers.DateTimeField()


class AccountDetailOut(AccountOut):
    entries = EntryOut(many=True, source="entries.all")


class AccountFilterIn(AsOfIn):
    unit = serializers.IntegerField(required=False, help_text="单位 id")
    kind = choice_field(QuotaKind.choices, "编制类型", required=False)
    pool = serializers.BooleanField(required=False, default=False, help_text="1：只看周转池的账户")


class AccountIn(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True)
    pool = serializers.PrimaryKeyRelatedField(queryset=QuotaPool.objects.all(), required=False, allow_null=True)
    kind = choice_field(QuotaKind.choices, "编制类型")

    def validate_unit(self, unit):
        return unit and writable_unit(self.context["request"].user, unit, Perm.MANAGE_STAFFING)

    def validate_pool(self, pool):
        if pool and not data_scope(self.context["request"].user, Perm.MANAGE_STAFFING).everything:
            raise serializers.ValidationError("只有全县范围的编办人员可以管理周转池。")
        return pool

    def validate(self, data):
        if bool(data.get("unit")) == bool(data.get("pool")):
            raise serializers.ValidationError({"unit": ["请选择单位或周转池，二者选一。"]})
        return data


ENTRY_REASONS = [(r.value, r.label) for r in (EntryReason.APPROVE, EntryReason.INCREASE, EntryReason.DECREASE)]


class EntryIn(serializers.Serializer):
    delta = serializers.IntegerField(help_text="增减数：核增为正，核减为负")
    reason = choice_field(ENTRY_REASONS, "事由")
    on = serializers.DateField(error_messages=DATE_ERRORS, help_text="生效日期")
    document_no = serializers.CharField(max_length=100, help_text="批准文号")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    allow_overstaffing = serializers.BooleanField(required=False, default=False, help_text="明确造成超编（核减时）")


def with_seats(account: QuotaAccount, day) -> QuotaAccount:
    account.seats = account_seats(account, day)
    return account


@extend_schema_view(
    list=extend_schema(
        parameters=[AccountFilterIn], summary="编制账户列表（含截至某日的核定、实有、预留、空编、超编数）"
    ),
    retrieve=extend_schema(parameters=[AsOfIn], responses=AccountDetailOut, summary="编制账户详情及台账记录"),
)
class AccountViewSet(viewsets.ReadOnlyModelViewSet):
    """编制账户：一个单位（或周转池）的一种编制。"""

    queryset = QuotaAccount.objects.none()
    serializer_class = AccountOut

    def list(self, request):
        data = AccountFilterIn(data=request.query_params)
        data.is_valid(raise_exception=True)
        filters = data.validated_data
        qs = QuotaAccount.objects.visible_to(request.user).select_related("unit", "pool")
        if filters.get("unit"):
            qs = qs.filter(unit_id=filters["unit"])
        if filters.get("kind"):
            qs = qs.filter(kind=filters["kind"])
        if filters["pool"]:
            qs = qs.filter(pool__isnull=False)
        page = self.paginate_queryset(qs.order_by(F("unit__path").asc(nulls_first=True), "pool_id", "kind", "id"))
        day = filters.get("as_of") or timezone.localdate()
        seats = seats_by_key(day, [a.unit_id for a in page if a.unit_id])
        balances = pool_balances(day)
        for account in page:
            if account.pool_id:
                account.seats = Seats(approved=balances.get(account.pk, 0))
            else:
                account.seats = seats.get((account.unit_id, account.kind), Seats())
        return self.get_paginated_response(AccountOut(page, many=True).data)

    def retrieve(self, request, pk=None):
        account = get_account_for_user(request.user, pk)
        account = QuotaAccount.objects.prefetch_related("entries__by").select_related("unit", "pool").get(pk=account.pk)
        return Response(AccountDetailOut(with_seats(account, as_of(request))).data)

    @extend_schema(
        request=AccountIn,
        responses={201: AccountOut, 200: AccountOut},
        summary="开设编制账户（已有则返回现有账户）",
    )
    def create(self, request):
        require(request.user, Perm.MANAGE_STAFFING)
        data = AccountIn(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        holder = data.validated_data.get("unit") or data.validated_data["pool"]
        kind = data.validated_data["kind"]
        field = "unit" if isinstance(holder, Unit) else "pool"
        existed = QuotaAccount.objects.filter(**{field: holder, "kind": kind}).exists()
        account = actions.get_account(holder, kind)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(AccountOut(with_seats(account, timezone.localdate())).data, status=code)

    @extend_schema(request=EntryIn, responses={201: EntryOut}, summary="核定、核增或核减编制（记入台账）")
    @action(detail=True, methods=["post"])
    def entries(self, request, pk=None):
        account = get_account_for_user(request.user, pk, write=True)
        data = EntryIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            entry = actions.record_entry(account, by=request.user, **data.validated_data)
        except DomainError as e:
            if e.field == "amount":  # the action speaks of a move's amount; here the field is the delta
                raise serializers.ValidationError({"delta": [e.message]}) from None
            raise
        return Response(EntryOut(entry).data, status=status.HTTP_201_CREATED)


# ---- moves ---------------------------------------------------------------------------------------


class MoveOut(serializers.Serializer):
    id = serializers.IntegerField()
    move_type = serializers.CharField(help_text="调剂方式代码")
    move_type_display = serializers.CharField(source="get_move_type_display")
    kind = serializers.CharField(help_text=KIND_HELP)
    kind_display = serializers.CharField(source="get_kind_display")
    amount = serializers.IntegerField()
    source = serializers.IntegerField(source="source_id", help_text="调出账户")
    source_name = serializers.CharField(source="source.holder_name")
    target = serializers.IntegerField(source="target_id", help_text="调入账户")
    target_name = serializers.CharField(source="target.holder_name")
    status = serializers.CharField(help_text="状态代码：draft 草稿、recorded 已执行、cancelled 已作废")
    status_display = serializers.CharField(source="get_status_display")
    on = serializers.DateField(allow_null=True)
    document_no = serializers.CharField()
    note = serializers.CharField()
    creates_overstaffing = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    recorded_at = serializers.DateTimeField(allow_null=True)


class MoveFilterIn(serializers.Serializer):
    status = choice_field(QuotaMove.Status.choices, "状态", required=False)


class MoveIn(serializers.Serializer):
    source = serializers.PrimaryKeyRelatedField(queryset=QuotaAccount.objects.none(), help_text="调出的编制账户")
    target = serializers.PrimaryKeyRelatedField(queryset=QuotaAccount.objects.none(), help_text="调入的编制账户")
    amount = serializers.IntegerField(min_value=1, error_messages={"min_value": "调剂数量至少为1名。"})
    move_type = choice_field(MoveType.choices, "调剂方式", required=False, help_text="不填则按调出调入单位推定")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context:
            managed = QuotaAccount.objects.visible_to(self.context["request"].user, Perm.MANAGE_STAFFING)
            self.fields["source"].queryset = self.fields["target"].queryset = managed.select_related("unit", "pool")


class RecordMoveIn(serializers.Serializer):
    on = serializers.DateField(error_messages=DATE_ERRORS, help_text="生效日期")
    document_no = serializers.CharField(max_length=100, help_text="批准文号")
    allow_overstaffing = serializers.BooleanField(required=False, default=False)


@extend_schema_view(
    list=extend_schema(parameters=[MoveFilterIn], summary="编制调剂列表"),
    retrieve=extend_schema(summary="编制调剂详情"),
)
class MoveViewSet(viewsets.ReadOnlyModelViewSet):
    """编制调剂：同类编制从一个账户到另一个账户，先拟稿，凭文号执行。"""

    queryset = QuotaMove.objects.none()
    serializer_class = MoveOut

    def get_queryset(self):
        data = MoveFilterIn(data=self.request.query_params)
        data.is_valid(raise_exception=True)
        qs = QuotaMove.objects.visible_to(self.request.user).select_related(
            "source__unit", "source__pool", "target__unit", "target__pool"
        )
        if data.validated_data.get("status"):
            qs = qs.filter(status=data.validated_data["status"])
        return qs

    def get_object(self):
        return get_move_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=MoveIn, responses={201: MoveOut}, summary="拟定编制调剂（同类编制之间）")
    def create(self, request):
        require(request.user, Perm.MANAGE_STAFFING)
        data = MoveIn(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        source, target = fields.pop("source"), fields.pop("target")
        if not fields.get("move_type"):
            fields["move_type"] = actions.default_move_type(source.holder, target.holder)
        move = actions.draft_move(source, target, by=request.user, **fields)
        return Response(MoveOut(move).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RecordMoveIn, responses=MoveOut, summary="执行编制调剂（凭文号记入台账）")
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        move = get_move_for_user(request.user, pk, write=True)
        data = RecordMoveIn(data=request.data)
        data.is_valid(raise_exception=True)
        move = actions.record_move(move, by=request.user, **data.validated_data)
        return Response(MoveOut(get_move_for_user(request.user, move.pk)).data)

    @extend_schema(request=None, responses=MoveOut, summary="作废草稿状态的编制调剂")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        move = actions.cancel_move(get_move_for_user(request.user, pk, write=True), by=request.user)
        return Response(MoveOut(get_move_for_user(request.user, move.pk)).data)
