"""Staffing API: hiring requests and approvals, 进编, 出编, 调动."""

from __future__ import annotations

from django.db.models import Count
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.accounts.roles import Perm
from jiceng.lib.validators import check_mobile, parse_id_number
from jiceng.orgs.api import DATE_ERRORS, choice_field, django_validator, require, writable_unit
from jiceng.orgs.models import Person, Unit

from .. import actions
from ..access import (
    get_placed_person_for_user,
    get_request_for_user,
    requesting_units,
)
from ..models import (
    SEAT_KIND_CHOICES,
    ExitReason,
    HiringRequest,
    Placement,
)
from .common import KIND_HELP, in_scope

# ---- 用编申请与核准 --------------------------------------------------------------------------------


class RequestOut(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    kind = serializers.CharField(help_text=KIND_HELP)
    kind_display = serializers.CharField(source="get_kind_display")
    seats = serializers.IntegerField(help_text="用编数")
    used_seats = serializers.SerializerMethodField(help_text="已进编人数")
    purpose = serializers.CharField()
    channel = serializers.CharField()
    status = serializers.CharField(
        help_text="状态代码：pending 待核准、approved 已核准、refused 不予核准、used 已使用、withdrawn 已撤回"
    )
    status_display = serializers.CharField(source="get_status_display")
    number = serializers.CharField(help_text="核准编号")
    requested_on = serializers.DateField()
    decided_on = serializers.DateField(allow_null=True)
    expires_on = serializers.DateField(allow_null=True)
    withdrawn_on = serializers.DateField(allow_null=True)
    decision_note = serializers.CharField(help_text="核准意见或不予核准的理由")

    def get_used_seats(self, hiring) -> int:
        return hiring.n_used if hasattr(hiring, "n_used") else hiring.used_seats()


class RefusedOut(serializers.Serializer):
    detail = serializers.CharField(help_text="不予核准的理由（超编不得进人）")
    request = RequestOut()


class RequestFilterIn(serializers.Serializer):
    status = choice_field(HiringRequest.Status.choices, "状态", required=False)
    unit = serializers.IntegerField(required=False, help_text="用编单位 id")


class RequestIn(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), help_text="用编单位")
    kind = choice_field(SEAT_KIND_CHOICES, "编制类型")
    seats = serializers.IntegerField(min_value=1, max_value=999, help_text="用编数")
    purpose = serializers.CharField(max_length=200, help_text="拟补充岗位或人员")
    channel = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")

    def validate_unit(self, unit):
        return in_scope(unit, requesting_units(self.context["request"].user))


class DecideIn(serializers.Serializer):
    on = serializers.DateField(required=False, error_messages=DATE_ERRORS, help_text="核准日期，默认今天")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RefuseIn(serializers.Serializer):
    note = serializers.CharField(max_length=300, help_text="不予核准的理由")


class PlacementOut(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField(source="person_id")
    person_name = serializers.CharField(source="person.name")
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    kind = serializers.CharField(help_text=KIND_HELP)
    kind_display = serializers.CharField(source="get_kind_display")
    start_on = serializers.DateField(help_text="进编日期")
    end_on = serializers.DateField(allow_null=True, help_text="出编日期")
    entry_kind = serializers.CharField()
    entry_kind_display = serializers.CharField(source="get_entry_kind_display")
    exit_reason = serializers.CharField()
    exit_reason_display = serializers.CharField(source="get_exit_reason_display")
    request = serializers.IntegerField(source="request_id", allow_null=True, help_text="用编核准")
    plan = serializers.IntegerField(source="plan_id", allow_null=True, help_text="改革方案")
    document_no = serializers.CharField()
    exit_document_no = serializers.CharField()


class EnterIn(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(), required=False, allow_null=True, help_text="平台中已有的人员；新人员则不填"
    )
    name = serializers.CharField(max_length=50, required=False, help_text="新人员姓名")
    id_number = serializers.CharField(
        max_length=30, required=False, validators=[django_validator(parse_id_number)], help_text="新人员身份证号"
    )
    work_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True, help_text="工作单位，默认为用编单位"
    )
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", validators=[django_validator(check_mobile)]
    )
    position = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    on = serializers.DateField(error_messages=DATE_ERRORS, help_text="进编日期")
    document_no = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context:
            self.fields["person"].queryset = Person.objects.visible_to(self.context["request"].user)

    def validate_work_unit(self, unit):
        return unit and writable_unit(self.context["request"].user, unit, Perm.MANAGE_STAFFING)

    def validate(self, data):
        if not data.get("person"):
            missing = {f: ["新人员进编请填写此项。"] for f in ("name", "id_number") if not data.get(f)}
            if missing:
                raise serializers.ValidationError(missing)
        return data


@extend_schema_view(
    list=extend_schema(parameters=[RequestFilterIn], summary="用编申请与核准列表"),
    retrieve=extend_schema(summary="用编申请详情"),
)
class RequestViewSet(viewsets.ReadOnlyModelViewSet):
    """用编申请与核准：先核准后进人，核准即预留编制。"""

    queryset = HiringRequest.objects.none()
    serializer_class = RequestOut

    def get_queryset(self):
        data = RequestFilterIn(data=self.request.query_params)
        data.is_valid(raise_exception=True)
        qs = HiringRequest.objects.visible_to(self.request.user).select_related("unit")
        for key in ("status", "unit"):
            if data.validated_data.get(key):
                qs = qs.filter(**{key: data.validated_data[key]})
        return qs.annotate(n_used=Count("placements")).order_by("-requested_on", "-id")

    def get_object(self):
        return get_request_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=RequestIn, responses={201: RequestOut}, summary="提出用编申请")
    def create(self, request):
        require(request.user, Perm.REQUEST_STAFFING)
        data = RequestIn(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        hiring = actions.submit_hiring_request(fields.pop("unit"), by=request.user, **fields)
        return Response(RequestOut(hiring).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=DecideIn,
        responses={200: RequestOut, 409: RefusedOut},
        summary="核准用编（无空编时不予核准，返回409）",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        hiring = get_request_for_user(request.user, pk, decide=True)
        data = DecideIn(data=request.data)
        data.is_valid(raise_exception=True)
        hiring = actions.approve_hiring_request(hiring, by=request.user, **data.validated_data)
        if hiring.status == HiringRequest.Status.REFUSED:
            body = {"detail": hiring.decision_note, "request": RequestOut(hiring).data}
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(RequestOut(hiring).data)

    @extend_schema(request=RefuseIn, responses=RequestOut, summary="不予核准用编")
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        hiring = get_request_for_user(request.user, pk, decide=True)
        data = RefuseIn(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(RequestOut(actions.refuse_hiring_request(hiring, by=request.user, **data.validated_data)).data)

    @extend_schema(request=None, responses=RequestOut, summary="撤回用编申请或核准（释放未用的预留编制）")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        hiring = get_request_for_user(request.user, pk, write=True)
        return Response(RequestOut(actions.withdraw_hiring_request(hiring, by=request.user)).data)

    @extend_schema(request=EnterIn, responses={201: PlacementOut}, summary="凭用编核准进编（已有人员或新录入人员）")
    @action(detail=True, methods=["post"])
    def enter(self, request, pk=None):
        hiring = get_request_for_user(request.user, pk, decide=True)
        data = EnterIn(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        on, document_no, person = fields.pop("on"), fields.pop("document_no"), fields.pop("person", None)
        if person is not None:
            placement = actions.enter_person(hiring, person, on=on, document_no=document_no, by=request.user)
        else:
            fields["work_unit"] = fields.get("work_unit") or hiring.unit
            placement = actions.new_person_and_enter(hiring, on=on, document_no=document_no, by=request.user, **fields)
        return Response(PlacementOut(placement).data, status=status.HTTP_201_CREATED)


# ---- 出编、调动与在编记录 ----------------------------------------------------------------------------

EXIT_REASONS = [(r.value, r.label) for r in ExitReason if r not in (ExitReason.TRANSFER, ExitReason.REFORM)]


class ExitIn(serializers.Serializer):
    on = serializers.DateField(error_messages=DATE_ERRORS, help_text="出编日期（当日起空出编制）")
    reason = choice_field(EXIT_REASONS, "出编原因")
    document_no = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class TransferIn(serializers.Serializer):
    to_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), help_text="调入单位")
    on = serializers.DateField(error_messages=DATE_ERRORS, help_text="调入日期")
    request = serializers.PrimaryKeyRelatedField(
        queryset=HiringRequest.objects.none(), required=False, allow_null=True, help_text="调入单位的用编核准"
    )
    document_no = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    move_work_unit = serializers.BooleanField(required=False, default=True, help_text="工作单位随之调整")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context:
            user = self.context["request"].user
            self.fields["request"].queryset = HiringRequest.objects.visible_to(user, Perm.MANAGE_STAFFING)

    def validate_to_unit(self, unit):
        return writable_unit(self.context["request"].user, unit, Perm.MANAGE_STAFFING)


class StaffingPersonViewSet(viewsets.GenericViewSet):
    """实名制：人员的出编、调动和在编记录。"""

    queryset = Person.objects.none()

    @extend_schema(request=ExitIn, responses=PlacementOut, summary="出编（退休、调出、辞职、辞退、死亡等）")
    @action(detail=True, methods=["post"], url_path="exit")
    def exit_person(self, request, pk=None):
        person = get_placed_person_for_user(request.user, pk, write=True)
        data = ExitIn(data=request.data)
        data.is_valid(raise_exception=True)
        placement = actions.exit_person(person, by=request.user, **data.validated_data)
        return Response(PlacementOut(placement).data)

    @extend_schema(request=TransferIn, responses={201: PlacementOut}, summary="调动（原单位出编、调入单位进编）")
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        person = get_placed_person_for_user(request.user, pk, write=True)
        data = TransferIn(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        placement = actions.transfer_person(person, by=request.user, **data.validated_data)
        return Response(PlacementOut(placement).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=PlacementOut(many=True), summary="人员的在编记录（进编、出编、调动、改革划转）")
    @action(detail=True, methods=["get"])
    def placements(self, request, pk=None):
        require(request.user, Perm.VIEW_STAFFING)
        person = get_placed_person_for_user(request.user, pk)
        history = Placement.objects.filter(person=person).select_related("person", "unit").order_by("start_on", "id")
        return Response(PlacementOut(history, many=True).data)
