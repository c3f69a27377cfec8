"""Catalog API: matters (事项) with their dated versions and responsibilities; new matters, versions, repeal."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.accounts.roles import Perm
from jiceng.orgs.api import DATE_ERRORS, choice_field, require

from .. import actions
from ..access import get_matter_for_user, readable
from ..models import Area, CatalogUnit, ListKind, Matter, MatterVersion, ServiceType
from .common import AsOfIn, as_of, by_code

LIST_KIND_HELP = "清单类别：" + "、".join(ListKind.values)
SERVICE_TYPE_HELP = "事项类型（政务服务事项必填）：" + "、".join(ServiceType.values)

# ---- output --------------------------------------------------------------------------------------


class ResponsibilityOut(serializers.Serializer):
    catalog_unit = serializers.CharField(source="catalog_unit.code", help_text="清单单位代码")
    catalog_unit_name = serializers.CharField(source="catalog_unit.name")
    level = serializers.CharField(source="catalog_unit.level", help_text="county 县级、township 乡镇级")
    is_lead = serializers.BooleanField(help_text="主体责任；否则为配合责任")
    duty = serializers.CharField()


class VersionBriefOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    list_kind = serializers.CharField(help_text=LIST_KIND_HELP)
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(allow_null=True, help_text="失效日期（被新版本取代或废止）；现行为空")
    document_no = serializers.CharField(help_text="依据文件")
    created_at = serializers.DateTimeField()


class VersionOut(serializers.ModelSerializer):
    list_kind = serializers.CharField(help_text=LIST_KIND_HELP)
    service_type = serializers.CharField(help_text=SERVICE_TYPE_HELP)
    responsibilities = ResponsibilityOut(many=True, source="responsibilities.all")

    class Meta:
        model = MatterVersion
        fields = [
            "id",
            *actions.VERSION_FIELDS,
            "effective_from",
            "effective_to",
            "document_no",
            "created_at",
            "responsibilities",
        ]


class MatterRowOut(serializers.Serializer):
    """One matter in the list, described by its version in force on the date asked for."""

    id = serializers.IntegerField(source="matter_id")
    code = serializers.CharField(source="matter.code")
    area = serializers.CharField(source="matter.area.code", help_text="领域代码")
    area_name = serializers.CharField(source="matter.area.name")
    version = serializers.IntegerField(source="id")
    name = serializers.CharField()
    list_kind = serializers.CharField(help_text=LIST_KIND_HELP)
    service_type = serializers.CharField(help_text=SERVICE_TYPE_HELP)
    response_days = serializers.IntegerField(allow_null=True)
    time_limit_days = serializers.IntegerField(allow_null=True)
    committed_days = serializers.IntegerField(allow_null=True, help_text="承诺时限，0为即办件")
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(allow_null=True)
    document_no = serializers.CharField()
    lead = serializers.SerializerMethodField(help_text="主体责任单位代码")
    lead_name = serializers.SerializerMethodField()

    def _lead(self, version):
        return next((r.catalog_unit for r in version.responsibilities.all() if r.is_lead), None)

    def get_lead(self, version) -> str | None:
        lead = self._lead(version)
        return lead.code if lead else None

    def get_lead_name(self, version) -> str | None:
        lead = self._lead(version)
        return lead.name if lead else None


class MatterOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    area = serializers.CharField(source="area.code", help_text="领域代码")
    area_name = serializers.CharField(source="area.name")
    as_of = serializers.DateField(help_text="version 是这一天有效的版本")
    version = VersionOut(allow_null=True, help_text="该日有效的版本；尚未生效或已废止时为空")
    versions = VersionBriefOut(many=True, help_text="全部版本，新的在前")


def matter_body(matter: Matter, day) -> dict:
    versions = list(matter.versions.order_by("-effective_from"))
    current = matter.versions.in_force(day).prefetch_related("responsibilities__catalog_unit").first()
    return {
        "id": matter.pk,
        "code": matter.code,
        "area": matter.area,
        "as_of": day,
        "version": current,
        "versions": versions,
    }


# ---- input ---------------------------------------------------------------------------------------

LIMIT_ERRORS = {
    "min_value": "时限不能为负数。",
    "max_value": "时限不能超过{max_value}个工作日。",
    "invalid": "时限应为整数（工作日数）。",
}


def days_field(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=999, error_messages=LIMIT_ERRORS, help_text=help_text
    )


def text_field(**kwargs) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, default="", **kwargs)


class CooperatingIn(serializers.Serializer):
    unit = by_code(CatalogUnit.objects.all(), "清单单位代码", help_text="配合单位的清单单位代码")
    duty = text_field(help_text="配合职责")


class VersionIn(serializers.Serializer):
    """The content of a version: what `actions.save_matter` takes, with units named by their codes."""

    area = by_code(Area.objects.all(), "领域代码", required=False, help_text="领域代码；新版本不填则不变")
    name = serializers.CharField(max_length=200)
    list_kind = choice_field(ListKind.choices, "清单类别")
    service_type = choice_field(ServiceType.choices, "事项类型", required=False, allow_blank=True, default="")
    legal_basis = text_field(help_text="设定依据")
    keywords = text_field(max_length=500, help_text="关键词，以分号分隔")
    township_duty = text_field(help_text="乡镇职责")
    county_duty = text_field(help_text="县级部门职责")
    procedure = text_field(help_text="程序环节")
    standards = text_field(help_text="工作标准")
    response_days = days_field("响应时限（工作日）")
    time_limit_days = days_field("办理时限（工作日）")
    statutory_days = days_field("法定时限（工作日）")
    committed_days = days_field("承诺时限（工作日），0为即办件")
    materials = text_field(help_text="申请材料，每行一项")
    location = text_field(max_length=200, help_text="办理地点")
    window = text_field(max_length=100, help_text="办理窗口")
    fees = serializers.CharField(max_length=200, required=False, allow_blank=True, default="不收费")
    once_done = serializers.BooleanField(required=False, default=False, help_text="一次办好")
    no_visit = serializers.BooleanField(required=False, default=False, help_text="一次不跑（可由村级代办点代办）")
    lead = by_code(
        CatalogUnit.objects.all(),
        "清单单位代码",
        invalid="主体责任单位只能填一个清单单位代码：每个事项须有且只有一个主体责任单位。",
        help_text="主体责任单位的清单单位代码（有且只有一个）",
    )
    lead_duty = text_field(help_text="主体责任单位的职责")
    cooperating = CooperatingIn(many=True, required=False, default=list, help_text="配合责任单位")
    effective_from = serializers.DateField(error_messages=DATE_ERRORS, help_text="生效日期；修订时须晚于现行版本")
    document_no = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class MatterIn(VersionIn):
    code = serializers.CharField(max_length=30, help_text="事项编码")
    area = by_code(Area.objects.all(), "领域代码", help_text="领域代码")

    def validate_code(self, code):
        if Matter.objects.filter(code=code.strip()).exists():
            raise serializers.ValidationError(f"事项编码“{code.strip()}”已存在；修订请新增版本。")
        return code.strip()


class RepealIn(serializers.Serializer):
    on = serializers.DateField(error_messages=DATE_ERRORS, help_text="废止日期（当日起失效）")
    document_no = serializers.CharField(max_length=100, help_text="废止依据文件")


class MatterFilterIn(AsOfIn):
    q = serializers.CharField(required=False, help_text="事项编码、名称或关键词")
    area = serializers.CharField(required=False, help_text="领域代码")
    list_kind = choice_field(ListKind.choices, "清单类别", required=False)
    service = serializers.BooleanField(required=False, default=False, help_text="1 只看政务服务事项")


# ---- views ---------------------------------------------------------------------------------------


def save_version(data: dict, *, code: str, area: Area, by) -> MatterVersion:
    """Hand validated `VersionIn` data to `actions.save_matter`: the lead first, then the cooperating units."""
    duties = [actions.Duty(data["lead"], True, data["lead_duty"])]
    duties += [actions.Duty(c["unit"], False, c["duty"]) for c in data["cooperating"]]
    return actions.save_matter(
        code=code,
        area=area,
        fields={k: v for k, v in data.items() if k in actions.VERSION_FIELDS},
        duties=duties,
        effective_from=data["effective_from"],
        document_no=data["document_no"],
        by=by,
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[MatterFilterIn], summary="事项列表（按某日有效的版本，默认今天；尚未生效或已废止的不列）"
    ),
)
class MatterViewSet(viewsets.ReadOnlyModelViewSet):
    """职责清单和政务服务事项：编码不变，内容和责任分工按版本生效。"""

    queryset = Matter.objects.none()
    serializer_class = MatterRowOut

    def get_queryset(self):
        data = MatterFilterIn(data=self.request.query_params)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        day = params.get("as_of") or timezone.localdate()
        qs = readable(self.request.user, MatterVersion.objects.in_force(day))
        if params.get("q"):
            q = params["q"]
            qs = qs.filter(Q(matter__code__icontains=q) | Q(name__icontains=q) | Q(keywords__icontains=q))
        if params.get("area"):
            qs = qs.filter(matter__area__code=params["area"])
        if params.get("list_kind"):
            qs = qs.filter(list_kind=params["list_kind"])
        if params["service"]:
            qs = qs.filter(list_kind=ListKind.SERVICE)
        return (
            qs.select_related("matter__area")
            .prefetch_related("responsibilities__catalog_unit")
            .order_by("matter__code")
        )

    @extend_schema(parameters=[AsOfIn], responses=MatterOut, summary="事项：某日有效的版本及责任分工，和全部版本")
    def retrieve(self, request, pk=None):
        matter = get_matter_for_user(request.user, pk)
        return Response(MatterOut(matter_body(matter, as_of(request))).data)

    @extend_schema(request=MatterIn, responses={201: MatterOut}, summary="新增事项（含第一个版本）")
    def create(self, request):
        require(request.user, Perm.CHANGE_CATALOG)
        data = MatterIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        version = save_version(fields, code=fields["code"], area=fields["area"], by=request.user)
        body = matter_body(version.matter, version.effective_from)
        return Response(MatterOut(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=VersionIn,
        responses={201: MatterOut},
        summary="修订事项：新增版本，自生效日期起取代现行版本",
    )
    @action(detail=True, methods=["post"])
    def versions(self, request, pk=None):
        matter = get_matter_for_user(request.user, pk, write=True)
        data = VersionIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        version = save_version(fields, code=matter.code, area=fields.get("area") or matter.area, by=request.user)
        body = matter_body(version.matter, version.effective_from)
        return Response(MatterOut(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RepealIn, responses=MatterOut, summary="废止事项（自废止日期起无有效版本）")
    @action(detail=True, methods=["post"])
    def repeal(self, request, pk=None):
        matter = get_matter_for_user(request.user, pk, write=True)
        data = RepealIn(data=request.data)
        data.is_valid(raise_exception=True)
        actions.repeal_matter(matter, by=request.user, **data.validated_data)
        return Response(MatterOut(matter_body(matter, data.validated_data["on"])).data)
