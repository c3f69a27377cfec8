"""REST API for regions, units, people, posts, absences and coverage gaps.

A second interface over the same access functions and actions as the pages. Personal data is
masked in every response; `POST /people/{id}/reveal/` returns one full value and logs it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from jiceng.accounts.roles import Perm
from jiceng.accounts.scopes import data_scope
from jiceng.lib.validators import check_credit_code, check_mobile, parse_id_number

from . import actions
from .access import can_see_pii, get_absence_for_user, get_person_for_user, get_post_for_user, get_unit_for_user
from .duty import coverage_gaps, on_duty
from .models import Absence, AbsenceKind, Person, Post, Region, StaffingKind, Unit, UnitKind

DATE_ERRORS = {"invalid": "日期格式不正确，应为 YYYY-MM-DD。", "required": "请提供此参数。"}


def choice_field(choices, label: str, **kwargs) -> serializers.ChoiceField:
    """A choice field whose error lists the accepted codes with their Chinese names."""
    accepted = "、".join(f"{value}（{name}）" for value, name in choices)
    return serializers.ChoiceField(
        choices=choices, error_messages={"invalid_choice": f"{label}“{{input}}”无效，应为：{accepted}。"}, **kwargs
    )


def django_validator(check):
    """Run one of jiceng.lib.validators as a DRF field validator, so its Chinese message is kept."""

    def validate(value):
        try:
            check(value)
        except DjangoValidationError as e:
            raise serializers.ValidationError(e.messages) from None

    return validate


def require(user, perm: str) -> None:
    if not user.can(perm):
        raise PermissionDenied("您的角色没有此项权限。")


def writable_unit(user, unit: Unit, perm: str) -> Unit:
    if not Unit.objects.visible_to(user, perm).filter(pk=unit.pk).exists():
        raise serializers.ValidationError(f"“{unit.name}”不在您可修改的数据范围内。")
    return unit


# ---- regions -------------------------------------------------------------------------------------


class RegionOut(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")

    class Meta:
        model = Region
        fields = ["id", "code", "name", "kind", "kind_display", "level", "parent"]


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """行政区划（12位统计用区划代码）。筛选：parent、level、q（名称或代码前缀）。"""

    serializer_class = RegionOut

    def get_queryset(self):
        qs = Region.objects.all()
        params = self.request.query_params
        if params.get("parent"):
            qs = qs.filter(parent_id=params["parent"])
        if params.get("level"):
            qs = qs.filter(level=params["level"])
        if params.get("q"):
            qs = qs.filter(name__contains=params["q"]) | qs.filter(code__startswith=params["q"])
        return qs


# ---- units ---------------------------------------------------------------------------------------


class PlaqueOut(serializers.Serializer):
    name = serializers.CharField()
    document_no = serializers.CharField()
    since = serializers.DateField()
    removed_on = serializers.DateField()


class UnitOut(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")
    status_display = serializers.CharField(source="get_status_display")
    region_code = serializers.CharField(source="region.code")
    plaques = PlaqueOut(many=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "kind_display",
            "region",
            "region_code",
            "parent",
            "credit_code",
            "status",
            "status_display",
            "merged_into",
            "established_on",
            "ended_on",
            "duties",
            "plaques",
        ]


class UnitIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    short_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(
        choices=UnitKind.choices, error_messages={"invalid_choice": "单位类型“{input}”无效。"}
    )
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all())
    parent = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True)
    credit_code = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        allow_null=True,
        validators=[django_validator(check_credit_code)],
    )
    established_on = serializers.DateField(required=False, allow_null=True, error_messages=DATE_ERRORS)
    duties = serializers.CharField(required=False, allow_blank=True, default="")
    document_no = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def validate_parent(self, parent):
        if parent is not None:
            writable_unit(self.context["request"].user, parent, Perm.CHANGE_UNIT)
        return parent


class UnitViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """单位（按数据范围）。筛选：q、kind、status、parent。"""

    serializer_class = UnitOut
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = Unit.objects.visible_to(self.request.user).select_related("region").prefetch_related("plaques")
        params = self.request.query_params
        for key in ("kind", "status"):
            if params.get(key):
                qs = qs.filter(**{key: params[key]})
        if params.get("parent"):
            qs = qs.filter(parent_id=params["parent"])
        if params.get("q"):
            qs = qs.filter(name__contains=params["q"])
        return qs.order_by("path")

    def get_object(self):
        return get_unit_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=UnitIn, responses={201: UnitOut})
    def create(self, request):
        require(request.user, Perm.CHANGE_UNIT)
        data = UnitIn(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if fields.get("parent") is None and not data_scope(request.user, Perm.CHANGE_UNIT).everything:
            raise serializers.ValidationError({"parent": ["请选择上级单位。"]})
        unit = actions.create_unit(by=request.user, **fields)
        return Response(UnitOut(unit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=UnitIn(partial=True), responses=UnitOut)
    def partial_update(self, request, pk=None):
        unit = get_unit_for_user(request.user, pk, write=True)
        data = UnitIn(data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        unit = actions.update_unit(unit, by=request.user, **data.validated_data)
        return Response(UnitOut(unit).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


# ---- people --------------------------------------------------------------------------------------


class PersonOut(serializers.ModelSerializer):
    id_number = serializers.CharField(source="masked_id_number", help_text="脱敏后的身份证号")
    phone = serializers.CharField(source="masked_phone", help_text="脱敏后的手机号")
    staffing_kind_display = serializers.CharField(source="get_staffing_kind_display")
    is_separated = serializers.BooleanField(help_text="人编分离：编制所在单位与工作单位不同")

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "id_number",
            "sex",
            "birth_date",
            "phone",
            "staffing_kind",
            "staffing_kind_display",
            "quota_unit",
            "work_unit",
            "is_separated",
            "position",
            "active",
        ]


class PersonIn(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=30, validators=[django_validator(parse_id_number)])
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", validators=[django_validator(check_mobile)]
    )
    staffing_kind = choice_field(StaffingKind.choices, "编制类型")
    quota_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True)
    work_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    position = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    active = serializers.BooleanField(required=False, default=True)

    def validate_work_unit(self, unit):
        return writable_unit(self.context["request"].user, unit, Perm.CHANGE_PERSON)

    def validate_quota_unit(self, unit):
        return unit and writable_unit(self.context["request"].user, unit, Perm.CHANGE_PERSON)


class RevealIn(serializers.Serializer):
    field = serializers.ChoiceField(choices=[("id_number", "身份证号"), ("phone", "手机号")])


class RevealOut(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField(help_text="完整值；本次查看已记入操作日志")


class PersonViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """人员（按数据范围，身份证号和手机号脱敏）。筛选：q、unit（含下级）、staffing_kind、separated=1。"""

    serializer_class = PersonOut
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = Person.objects.visible_to(self.request.user)
        params = self.request.query_params
        if params.get("q"):
            qs = qs.filter(name__contains=params["q"])
        if params.get("unit"):
            unit = get_unit_for_user(self.request.user, params["unit"])
            subtree = Unit.objects.subtree_of(unit).values("pk")
            qs = qs.filter(work_unit__in=subtree) | qs.filter(quota_unit__in=subtree)
        if params.get("staffing_kind"):
            qs = qs.filter(staffing_kind=params["staffing_kind"])
        if params.get("separated") in ("1", "true"):
            qs = qs.separated()
        return qs.order_by("id")

    def get_object(self):
        return get_person_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=PersonIn, responses={201: PersonOut})
    def create(self, request):
        require(request.user, Perm.CHANGE_PERSON)
        data = PersonIn(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        person = actions.create_person(by=request.user, **data.validated_data)
        return Response(PersonOut(person).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PersonIn(partial=True), responses=PersonOut)
    def partial_update(self, request, pk=None):
        person = get_person_for_user(request.user, pk, write=True)
        data = PersonIn(data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        person = actions.update_person(person, by=request.user, **data.validated_data)
        return Response(PersonOut(person).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=RevealIn, responses=RevealOut, summary="查看完整身份证号或手机号（留痕）")
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        person = get_person_for_user(request.user, pk)
        if not can_see_pii(request.user, person):
            raise PermissionDenied("您没有查看此人完整信息的权限。")
        data = RevealIn(data=request.data)
        data.is_valid(raise_exception=True)
        field = data.validated_data["field"]
        return Response({"field": field, "value": actions.reveal_person_pii(person, field=field, by=request.user)})


# ---- posts ---------------------------------------------------------------------------------------


class HolderOut(serializers.Serializer):
    role = serializers.CharField()
    order = serializers.IntegerField()
    label = serializers.CharField()
    person = serializers.IntegerField(source="person_id")
    person_name = serializers.CharField(source="person.name")


class PostOut(serializers.ModelSerializer):
    holders = HolderOut(many=True)
    unit_name = serializers.CharField(source="unit.name")

    class Meta:
        model = Post
        fields = ["id", "unit", "unit_name", "name", "duties", "active", "takes_cases", "holders"]


class HoldersIn(serializers.Serializer):
    a = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), allow_null=True)
    bs = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), many=True, required=False, help_text="B岗人员，按顶岗顺序，最多2人"
    )


class DutyOut(serializers.Serializer):
    post = serializers.IntegerField(source="post.pk")
    date = serializers.DateField(source="day")
    workday = serializers.BooleanField()
    on_duty = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField()
    reason = serializers.CharField()

    def get_on_duty(self, duty) -> dict | None:
        return {"id": duty.person.pk, "name": duty.person.name} if duty.person else None

    def get_role(self, duty) -> str | None:
        return duty.holder.label if duty.holder else None


class PostViewSet(viewsets.ReadOnlyModelViewSet):
    """岗位与AB岗（按数据范围）。筛选：unit（含下级）。"""

    serializer_class = PostOut

    def get_queryset(self):
        qs = Post.objects.visible_to(self.request.user).select_related("unit").prefetch_related("holders__person")
        if self.request.query_params.get("unit"):
            unit = get_unit_for_user(self.request.user, self.request.query_params["unit"])
            qs = qs.filter(unit__in=Unit.objects.subtree_of(unit).values("pk"))
        return qs.order_by("unit__path", "sort", "id")

    def get_object(self):
        return get_post_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(
        parameters=[OpenApiParameter("at", str, description="日期 YYYY-MM-DD 或日期时间，默认现在")],
        responses=DutyOut,
        summary="某一时刻谁在岗",
    )
    @action(detail=True, methods=["get"], url_path="on-duty")
    def on_duty(self, request, pk=None):
        post = self.get_object()
        raw = request.query_params.get("at")
        at = None
        if raw:
            at = serializers.DateTimeField().to_internal_value(raw) if "T" in raw else None
            if at is None:
                at = serializers.DateField(error_messages=DATE_ERRORS).run_validation(raw)
        return Response(DutyOut(on_duty(post, at)).data)

    @extend_schema(request=HoldersIn, responses=PostOut, summary="设置A岗和B岗人员")
    @action(detail=True, methods=["put"])
    def holders(self, request, pk=None):
        post = get_post_for_user(request.user, pk, write=True)
        data = HoldersIn(data=request.data)
        data.is_valid(raise_exception=True)
        visible = Person.objects.visible_to(request.user)
        chosen = [p for p in [data.validated_data["a"], *data.validated_data.get("bs", [])] if p]
        if visible.filter(pk__in=[p.pk for p in chosen]).count() != len({p.pk for p in chosen}):
            raise serializers.ValidationError({"bs": ["所选人员不在您的数据范围内。"]})
        actions.set_post_holders(
            post, a=data.validated_data["a"], bs=data.validated_data.get("bs", []), by=request.user
        )
        return Response(PostOut(Post.objects.prefetch_related("holders__person").get(pk=post.pk)).data)


# ---- absences and gaps ---------------------------------------------------------------------------


class AbsenceOut(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name")
    kind_display = serializers.CharField(source="get_kind_display")

    class Meta:
        model = Absence
        fields = ["id", "person", "person_name", "kind", "kind_display", "start_date", "end_date", "note"]


class AbsenceIn(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    kind = choice_field(AbsenceKind.choices, "类型")
    start_date = serializers.DateField(error_messages=DATE_ERRORS)
    end_date = serializers.DateField(error_messages=DATE_ERRORS)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, data):
        if data["end_date"] < data["start_date"]:
            raise serializers.ValidationError({"end_date": ["结束日期不能早于开始日期。"]})
        return data


class AbsenceViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """请假、出差、培训、借调（按数据范围）。筛选：current=1 只看进行中和未开始的。"""

    serializer_class = AbsenceOut

    def get_queryset(self):
        qs = Absence.objects.visible_to(self.request.user).select_related("person")
        if self.request.query_params.get("current") in ("1", "true"):
            qs = qs.filter(end_date__gte=timezone.localdate())
        return qs

    def get_object(self):
        return get_absence_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=AbsenceIn, responses={201: AbsenceOut})
    def create(self, request):
        require(request.user, Perm.CHANGE_ABSENCE)
        data = AbsenceIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        person = get_person_for_user(request.user, fields.pop("person").pk)
        if not Person.objects.visible_to(request.user, Perm.CHANGE_ABSENCE).filter(pk=person.pk).exists():
            raise PermissionDenied("您不能为此人登记请假外出。")
        absence = actions.record_absence(person, by=request.user, **fields)
        return Response(AbsenceOut(absence).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        absence = get_absence_for_user(request.user, pk, write=True)
        actions.cancel_absence(absence, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GapsIn(serializers.Serializer):
    start = serializers.DateField(error_messages=DATE_ERRORS)
    end = serializers.DateField(error_messages=DATE_ERRORS)
    unit = serializers.IntegerField(required=False)

    def validate(self, data):
        if data["end"] < data["start"]:
            raise serializers.ValidationError({"end": ["结束日期不能早于开始日期。"]})
        if (data["end"] - data["start"]).days > 365:
            raise serializers.ValidationError({"end": ["查询范围不能超过一年。"]})
        return data


class GapOut(serializers.Serializer):
    post = serializers.IntegerField(source="post.pk")
    post_name = serializers.CharField(source="post.name")
    unit = serializers.IntegerField(source="post.unit_id")
    unit_name = serializers.CharField(source="post.unit.name")
    start = serializers.DateField()
    end = serializers.DateField()
    workdays = serializers.IntegerField()
    days = serializers.ListField(child=serializers.DateField())
    reason = serializers.CharField()


class CoverageGaps(APIView):
    @extend_schema(parameters=[GapsIn], responses=GapOut(many=True), summary="在岗缺口：无人在岗的岗位和工作日")
    def get(self, request):
        data = GapsIn(data=request.query_params)
        data.is_valid(raise_exception=True)
        posts = Post.objects.visible_to(request.user)
        if data.validated_data.get("unit"):
            unit = get_unit_for_user(request.user, data.validated_data["unit"])
            posts = posts.filter(unit__in=Unit.objects.subtree_of(unit).values("pk"))
        gaps = coverage_gaps(posts, data.validated_data["start"], data.validated_data["end"])
        return Response(GapOut(gaps, many=True).data)


router = DefaultRouter(trailing_slash="/?")
router.register("regions", RegionViewSet, basename="region")
router.register("units", UnitViewSet, basename="unit")
router.register("people", PersonViewSet, basename="person")
router.register("posts", PostViewSet, basename="post")
router.register("absences", AbsenceViewSet, basename="absence")

urlpatterns = [
    path("coverage-gaps/", CoverageGaps.as_view(), name="api-coverage-gaps"),
    path("", include(router.urls)),
]
