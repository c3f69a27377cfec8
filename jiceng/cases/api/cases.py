"""Cases API: the list with its filters, one case with its history, registration, the requester's full
details (logged) and the workbench counts."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.accounts.roles import Perm
from jiceng.api import CappedPagination
from jiceng.catalog.api.common import by_code
from jiceng.catalog.models import Matter
from jiceng.lib.validators import check_mobile, parse_id_number
from jiceng.orgs.api import DATE_ERRORS, choice_field, django_validator, require
from jiceng.orgs.models import Region, Unit

from .. import actions, search
from ..actions import reveal_requester
from ..models import Case, Channel, Status
from ..permissions import registering_unit
from ..queues import workbench_queues
from .common import LIST_RELATIONS, STATUS_HELP, CaseDetailOut, CaseOut, detail_body, find_case

ORDERINGS = {
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "due_at": (F("due_at").asc(nulls_last=True), "id"),
    "-due_at": (F("due_at").desc(nulls_last=True), "-id"),
}
ORDERING_CHOICES = [
    ("-created_at", "登记时间从新到旧"),
    ("created_at", "登记时间从旧到新"),
    ("due_at", "办结期限从近到远，没有期限的在后"),
    ("-due_at", "办结期限从远到近，没有期限的在后"),
]
QUEUE_KEYS = [
    ("signing", "待签收"),
    ("handling", "办理中"),
    ("due_soon", "即将超期"),
    ("overdue", "已超期"),
    ("cooperating", "配合任务"),
    ("rectifying", "待整改"),
]
IDEMPOTENCY_KEY_MAX = 64


# ---- input ---------------------------------------------------------------------------------------


class CaseFilterIn(serializers.Serializer):
    status = serializers.CharField(required=False, help_text=STATUS_HELP + "；多个用逗号分隔")
    channel = choice_field(Channel.choices, "来源渠道", required=False)
    township = by_code(
        Region.objects.townships(), "乡镇（街道）区划代码", required=False, help_text="乡镇（街道）区划代码（12位）"
    )
    lead_unit = serializers.IntegerField(required=False, help_text="承办单位 id")
    matter = serializers.CharField(required=False, help_text="事项编码")
    overdue = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true 只看已超期的，false 只看未超期的"
    )
    queue = choice_field(QUEUE_KEYS, "工作台分类", required=False, help_text="本人所在单位的工作台分类（需办理权限）")
    q = serializers.CharField(required=False, help_text="查询码或外部工单号（完全一致），或标题、地点包含的文字")
    created_after = serializers.DateField(required=False, error_messages=DATE_ERRORS, help_text="登记日期不早于")
    created_before = serializers.DateField(required=False, error_messages=DATE_ERRORS, help_text="登记日期不晚于")
    ordering = choice_field(
        ORDERING_CHOICES,
        "排序",
        required=False,
        default="-created_at",
        help_text="排序，默认 -created_at",
    )

    def validate_status(self, value):
        codes = [code.strip() for code in value.split(",") if code.strip()]
        wrong = [code for code in codes if code not in Status.values]
        if wrong:
            accepted = "、".join(f"{s.value}（{s.label}）" for s in Status)
            raise serializers.ValidationError(f"状态“{'、'.join(wrong)}”无效，应为：{accepted}。")
        return codes

    def validate(self, data):
        after, before = data.get("created_after"), data.get("created_before")
        if after and before and before < after:
            raise serializers.ValidationError({"created_before": ["结束日期不能早于开始日期。"]})
        return data


def phone_check(value: str) -> None:
    """Mobile numbers are checked; landlines (not starting with 1) are taken as they are, as on the pages."""
    if value.strip()[:1] == "1":
        check_mobile(value.strip())


class CaseIn(serializers.Serializer):
    channel = choice_field(Channel.choices, "来源渠道", help_text="来源渠道代码")
    title = serializers.CharField(max_length=200, help_text="标题")
    text = serializers.CharField(help_text="内容")
    matter = by_code(
        Matter.objects.all(), "事项编码", required=False, allow_null=True, help_text="事项编码；不确定可不填"
    )
    township = by_code(
        Region.objects.townships(),
        "乡镇（街道）区划代码",
        required=False,
        allow_null=True,
        help_text="乡镇（街道）区划代码；不填时取村（社区）或登记单位所在的乡镇",
    )
    village = by_code(
        Region.objects.filter(level=5),
        "村（社区）区划代码",
        required=False,
        allow_null=True,
        help_text="村（社区）区划代码",
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="", help_text="事发地点")
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    requester_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    requester_phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", validators=[django_validator(phone_check)]
    )
    requester_id_number = serializers.CharField(
        max_length=18, required=False, allow_blank=True, default="", validators=[django_validator(parse_id_number)]
    )
    requester_address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    external_no = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        default="",
        help_text="外部工单号；同一渠道同一工单号只登记一次",
    )
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": "单位“{pk_value}”不存在。"},
        help_text="登记单位 id；不填为本人登记办件的单位",
    )

    def validate_unit(self, unit):
        user = self.context["request"].user
        if unit is not None and not Unit.objects.visible_to(user, Perm.REGISTER_CASES).filter(pk=unit.pk).exists():
            raise serializers.ValidationError(f"您不能以“{unit.name}”的名义登记办件。")
        return unit

    def validate(self, data):
        village, township = data.get("village"), data.get("township")
        if village is not None and township is not None and village.parent_id != township.pk:
            raise serializers.ValidationError({"village": [f"“{village.name}”不属于{township.name}。"]})
        if data.get("unit") is None:
            data["unit"] = registering_unit(self.context["request"].user)
        if township is None and village is None and data["unit"] is not None:
            data["township"] = township_of(data["unit"])
        return data


def township_of(unit: Unit) -> Region | None:
    region = unit.region
    while region is not None and region.level > 4:
        region = region.parent
    return region if region is not None and region.level == 4 else None


# ---- output --------------------------------------------------------------------------------------


class RequesterOut(serializers.Serializer):
    code = serializers.CharField()
    requester_name = serializers.CharField(help_text="完整姓名；本次查看已记入操作日志")
    requester_phone = serializers.CharField()
    requester_id_number = serializers.CharField()
    requester_address = serializers.CharField()


class QueueOut(serializers.Serializer):
    key = serializers.CharField(help_text="signing 待签收、handling 办理中、due_soon 即将超期、overdue 已超期")
    label = serializers.CharField()
    count = serializers.IntegerField()


class WorkbenchOut(serializers.Serializer):
    queues = QueueOut(many=True, help_text="本人办理范围内各单位的办件，按工作台的各个分类计数")


IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=f"幂等键（最多{IDEMPOTENCY_KEY_MAX}个字符）：网络重试时带同一个值，不会重复登记，返回200和已登记的办件",
)


# ---- views ---------------------------------------------------------------------------------------


BATCH_MAX = 500


class CaseBatchIn(serializers.Serializer):
    cases = CaseIn(many=True, allow_empty=False, max_length=BATCH_MAX, help_text="每件的字段同“登记办件”")


class CaseBatchResultOut(serializers.Serializer):
    code = serializers.CharField(allow_null=True, help_text="查询码；他人已登记的外部工单号为 null")
    created = serializers.BooleanField(help_text="false：该外部工单号已登记过，本次未重复登记")
    status = serializers.CharField(allow_null=True, help_text="状态代码（智能派单后为 dispatched）")


class CaseBatchOut(serializers.Serializer):
    results = CaseBatchResultOut(many=True, help_text="与提交的顺序一一对应")


@extend_schema_view(
    list=extend_schema(parameters=[CaseFilterIn], summary="办件列表（按数据范围）"),
    retrieve=extend_schema(responses=CaseDetailOut, summary="办件详情：流转记录、配合单位、评价（申请人信息脱敏）"),
)
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """办件：群众申请和发现上报的事项，从登记到归档。按查询码访问；数据范围外的返回404。"""

    queryset = Case.objects.none()
    serializer_class = CaseOut
    pagination_class = CappedPagination
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        require(self.request.user, Perm.VIEW_CASES)
        data = CaseFilterIn(data=self.request.query_params)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        now = timezone.now()
        qs = Case.objects.visible_to(self.request.user).select_related(*LIST_RELATIONS)
        # The case list page's search, so that q, channel, township, lead unit and dates mean the same here.
        qs = search.filter_cases(
            qs,
            {
                "q": params.get("q"),
                "channel": params.get("channel"),
                "township": params.get("township"),
                "lead_unit": params.get("lead_unit"),
                "since": params.get("created_after"),
                "until": params.get("created_before"),
            },
            now=now,
        )
        if params.get("status"):
            qs = qs.filter(status__in=params["status"])
        if params.get("matter"):
            qs = qs.filter(matter__code=params["matter"])
        if params["overdue"] is not None:
            overdue = Q(pk__in=Case.objects.overdue(now).values("pk"))
            qs = qs.filter(overdue) if params["overdue"] else qs.exclude(overdue)
        if params.get("queue"):
            require(self.request.user, Perm.HANDLE_CASES)
            qs = qs.filter(pk__in=workbench_queues(self.request.user, now)[params["queue"]].cases.values("pk"))
        return qs.order_by(*ORDERINGS[params["ordering"]])

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def get_object(self):
        require(self.request.user, Perm.VIEW_CASES)
        return find_case(self.request.user, self.kwargs["code"])

    def retrieve(self, request, code=None):
        return Response(detail_body(self.get_object(), request))

    @extend_schema(
        request=CaseIn,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: CaseDetailOut, 200: CaseDetailOut},
        summary="登记办件（带幂等键重试时返回200和已登记的办件）",
    )
    def create(self, request):
        require(request.user, Perm.REGISTER_CASES)
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > IDEMPOTENCY_KEY_MAX:
            raise serializers.ValidationError({"detail": f"Idempotency-Key 不能超过{IDEMPOTENCY_KEY_MAX}个字符。"})
        data = CaseIn(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        # Keys are the client's: scoped to the account, so one client's key never returns another's case.
        case, created = actions.register_case(
            by=request.user, idempotency_key=f"api-{request.user.pk}-{key}" if key else None, **data.validated_data
        )
        if not created and not Case.objects.visible_to(request.user).filter(pk=case.pk).exists():
            # The same order from the same channel was registered by someone else: say so, show nothing of it.
            no = data.validated_data["external_no"]
            raise serializers.ValidationError({"external_no": [f"该渠道的外部工单号“{no}”已登记。"]})
        return Response(detail_body(case, request), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request=CaseBatchIn,
        responses={201: CaseBatchOut},
        summary=f"整批登记（如12345平台推送的工单，每批至多{BATCH_MAX}件；全部成功或全部不登记）",
    )
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """Each case as in 登记办件; repeats of an 外部工单号 already registered come back with created=false."""
        require(request.user, Perm.REGISTER_CASES)
        data = CaseBatchIn(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        reports = data.validated_data["cases"]
        try:
            with transaction.atomic():
                results = actions.register_cases(reports, by=request.user)
        except actions.RejectedReport as e:
            # As the serializer reports a bad field: by position in the batch, only the bad one.
            raise serializers.ValidationError({"cases": {e.index: {e.field or "detail": [e.message]}}}) from None
        visible = set(
            Case.objects.visible_to(request.user)
            .filter(pk__in=[case.pk for case, created in results if not created])
            .values_list("pk", flat=True)
        )
        body = []
        for case, created in results:
            if created or case.pk in visible:
                body.append({"code": case.code, "created": created, "status": case.status})
            else:  # someone else's order: say so, show nothing of it
                body.append({"code": None, "created": False, "status": None})
        return Response(CaseBatchOut({"results": body}).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=RequesterOut, summary="查看申请人完整信息（留痕；派单员和登记单位可查看）")
    @action(detail=True, methods=["get"])
    def pii(self, request, code=None):
        case = self.get_object()
        return Response(RequesterOut({"code": case.code, **reveal_requester(case, by=request.user)}).data)

    @extend_schema(responses=WorkbenchOut, summary="工作台：待签收、办理中、即将超期、已超期的办件数")
    @action(detail=False, methods=["get"])
    def workbench(self, request):
        require(request.user, Perm.HANDLE_CASES)
        queues = workbench_queues(request.user)
        body = {"queues": [{"key": k, "label": q.label, "count": q.cases.count()} for k, q in queues.items()]}
        return Response(WorkbenchOut(body).data)
