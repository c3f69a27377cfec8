from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from jiceng.accounts.roles import Perm
from jiceng.accounts.scopes import data_scope
from jiceng.lib.masking import mask_id_number, mask_phone
from jiceng.lib.validators import check_credit_code, check_mobile, check_region_code, parse_id_number


class RegionKind(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县(区)"
    TOWN = "town", "镇"
    TOWNSHIP = "township", "乡"
    SUBDISTRICT = "subdistrict", "街道"
    VILLAGE = "village", "村"
    COMMUNITY = "community", "社区"


REGION_LEVELS = {
    RegionKind.PROVINCE: 1,
    RegionKind.CITY: 2,
    RegionKind.COUNTY: 3,
    RegionKind.TOWN: 4,
    RegionKind.TOWNSHIP: 4,
    RegionKind.SUBDISTRICT: 4,
    RegionKind.VILLAGE: 5,
    RegionKind.COMMUNITY: 5,
}
LEVEL_NAMES = {1: "省", 2: "市", 3: "县", 4: "乡镇(街道)", 5: "村(社区)"}
# Digits of the 12-digit 统计用区划代码 that each level fixes: 2+2+2+3+3.
LEVEL_PREFIX = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


class RegionQuerySet(models.QuerySet):
    def townships(self):
        return self.filter(level=4)

    def villages(self):
        return self.filter(level=5)


class Region(models.Model):
    """An administrative division with its 12-digit 统计用区划代码."""

    code = models.CharField("区划代码", max_length=12, unique=True, validators=[check_region_code])
    name = models.CharField("名称", max_length=50)
    kind = models.CharField("类型", max_length=12, choices=RegionKind.choices)
    level = models.PositiveSmallIntegerField("层级", editable=False, db_index=True, default=0)
    parent = models.ForeignKey(
        "self", verbose_name="上级区划", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "行政区划"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.level = REGION_LEVELS[self.kind]
        super().save(*args, **kwargs)

    def clean(self):
        level = self.level = REGION_LEVELS.get(self.kind, 0)
        if self.parent_id and level:
            if self.parent.level >= level:
                raise ValidationError({"parent": "上级区划的层级应高于本区划。"})
            prefix = LEVEL_PREFIX[self.parent.level]
            if self.code and self.code[:prefix] != self.parent.code[:prefix]:
                expected = self.parent.code[:prefix]
                raise ValidationError({"code": f"区划代码前{prefix}位应与上级“{self.parent.name}”一致（{expected}）。"})

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]

    def township(self) -> Region | None:
        """The 乡镇(街道) this region belongs to, or itself when it is one."""
        region = self
        while region is not None and region.level > 4:
            region = region.parent
        return region if region is not None and region.level == 4 else None


# Path segments are zero-padded primary keys, so ordering by path lists the tree depth-first.
PATH_DIGITS = 8


class UnitKind(models.TextChoices):
    LEADERSHIP = "leadership", "党委政府"
    PARTY = "party", "党委机构"
    GOVERNMENT = "government", "政府机构"
    COMBINED = "combined", "党政综合机构"
    INSTITUTION = "institution", "事业单位"
    STATIONED = "stationed", "派驻机构"
    SERVICE_CENTER = "service_center", "便民服务中心"
    ENFORCEMENT = "enforcement", "综合行政执法队"
    VILLAGE = "village", "村(社区)组织"


class UnitStatus(models.TextChoices):
    ACTIVE = "active", "在用"
    MERGED = "merged", "已合并"
    REVOKED = "revoked", "已撤销"


class UnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=UnitStatus.ACTIVE)

    def visible_to(self, user, perm: str = Perm.VIEW_ORGS):
        scope = data_scope(user, perm)
        if scope.everything:
            return self
        q = scope.unit_q
        if scope.person_id:
            q |= Q(pk__in=Person.objects.filter(pk=scope.person_id).values("work_unit"))
        return self.filter(q)

    def subtree_of(self, unit: Unit):
        return self.filter(path__startswith=unit.path)


class Unit(models.Model):
    """An organ, office, public institution, service centre, team or village organisation."""

    name = models.CharField("单位名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    kind = models.CharField("单位类型", max_length=20, choices=UnitKind.choices)
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    credit_code = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[check_credit_code],
        error_messages={"unique": "该统一社会信用代码已被其他单位使用。"},
    )
    status = models.CharField("状态", max_length=10, choices=UnitStatus.choices, default=UnitStatus.ACTIVE)
    merged_into = models.ForeignKey(
        "self", verbose_name="并入单位", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_units"
    )
    established_on = models.DateField("设立日期", null=True, blank=True)
    ended_on = models.DateField("合并/撤销日期", null=True, blank=True)
    duties = models.TextField("主要职责", blank=True)
    sort = models.PositiveIntegerField("排序", default=100)
    # Materialised path of zero-padded primary keys ("/00000001/00000007/"): subtree queries are one
    # indexed prefix match, and ordering by it lists the tree depth-first.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["sort", "id"]
        verbose_name = verbose_name_plural = "单位"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:unit", args=[self.pk])

    def clean(self):
        if self.credit_code:
            try:
                self.credit_code = check_credit_code(self.credit_code)
            except ValidationError as e:
                raise ValidationError({"credit_code": e.messages}) from None

    @property
    def depth(self) -> int:
        return len(self.path) // (PATH_DIGITS + 1) - 1

    @property
    def is_active(self) -> bool:
        return self.status == UnitStatus.ACTIVE

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/")[:-1] if p]


class Plaque(models.Model):
    """An additional name the unit carries (加挂牌子), e.g. 经济发展办公室 加挂 重点项目办公室."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="plaques")
    name = models.CharField("牌子名称", max_length=100)
    document_no = models.CharField("文号", max_length=100, blank=True)
    since = models.DateField("加挂日期", null=True, blank=True)
    removed_on = models.DateField("摘牌日期", null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "加挂牌子"

    def __str__(self) -> str:
        return self.name


class UnitEvent(models.Model):
    """The history of a unit: append-only, written only by actions."""

    class Kind(models.TextChoices):
        ESTABLISHED = "established", "设立"
        UPDATED = "updated", "信息变更"
        RENAMED = "renamed", "更名"
        MOVED = "moved", "调整隶属"
        PLAQUE_ADDED = "plaque_added", "加挂牌子"
        PLAQUE_REMOVED = "plaque_removed", "摘除牌子"
        MERGED = "merged", "合并"
        ABSORBED = "absorbed", "并入其他单位"
        REVOKED = "revoked", "撤销"
        RESTORED = "restored", "恢复"

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事项", max_length=20, choices=Kind.choices)
    on = models.DateField("日期")
    document_no = models.CharField("文号", max_length=100, blank=True)
    related_unit = models.ForeignKey(
        Unit, verbose_name="相关单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField("说明", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = verbose_name_plural = "单位沿革"

    def __str__(self) -> str:
        return f"{self.on} {self.get_kind_display()}"


class StaffingKind(models.TextChoices):
    ADMINISTRATIVE = "administrative", "行政"
    INSTITUTIONAL = "institutional", "事业"
    SERVICE = "service", "工勤"
    CONTRACT = "contract", "编外聘用"


class PersonQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def visible_to(self, user, perm: str = Perm.VIEW_ORGS):
        scope = data_scope(user, perm)
        if scope.everything:
            return self
        units = Unit.objects.filter(scope.unit_q).values("pk")
        q = Q(work_unit__in=units) | Q(quota_unit__in=units)
        if scope.person_id:
            q |= Q(pk=scope.person_id)
        return self.filter(q)

    def separated(self):
        """人编分离: the quota is held by another unit than the one the person works in."""
        return self.filter(quota_unit__isnull=False).exclude(quota_unit=F("work_unit"))


class Person(models.Model):
    """A person on the public payroll or contracted, with where the quota sits and where they work."""

    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField(
        "身份证号", max_length=18, unique=True, error_messages={"unique": "该身份证号已登记，请勿重复录入。"}
    )
    sex = models.CharField("性别", max_length=1, editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    phone = models.CharField("手机号", max_length=20, blank=True)
    staffing_kind = models.CharField("编制类型", max_length=20, choices=StaffingKind.choices)
    quota_unit = models.ForeignKey(
        Unit,
        verbose_name="编制所在单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quota_people",
    )
    work_unit = models.ForeignKey(Unit, verbose_name="工作单位", on_delete=models.PROTECT, related_name="work_people")
    position = models.CharField("职务", max_length=50, blank=True)
    leader_rank = models.CharField(
        "领导职务",
        max_length=10,
        blank=True,
        choices=[("chief", "正职"), ("deputy", "副职")],
        help_text="占用领导职数的，选择正职或副职",
    )
    active = models.BooleanField("在职", default=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["work_unit__sort", "work_unit_id", "id"]
        verbose_name = verbose_name_plural = "人员"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:person", args=[self.pk])

    def clean(self):
        errors = {}
        try:
            parsed = parse_id_number(self.id_number)
            self.id_number = parsed.value
            self.sex = parsed.sex
            self.birth_date = parsed.birth_date
        except ValidationError as e:
            errors["id_number"] = e.messages
        if self.phone:
            try:
                self.phone = check_mobile(self.phone)
            except ValidationError as e:
                errors["phone"] = e.messages
        if self.staffing_kind == StaffingKind.CONTRACT and self.quota_unit_id:
            errors["quota_unit"] = ["编外聘用人员不占编制，编制所在单位应为空。"]
        elif (
            self.active
            and self.staffing_kind
            and self.staffing_kind != StaffingKind.CONTRACT
            and not self.quota_unit_id
        ):
            errors["quota_unit"] = ["在编人员须填写编制所在单位。"]
        if errors:
            raise ValidationError(errors)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_separated(self) -> bool:
        return bool(self.quota_unit_id) and self.quota_unit_id != self.work_unit_id

    def age(self, on: date | None = None) -> int:
        on = on or date.today()
        b = self.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


class PostQuerySet(models.QuerySet):
    def visible_to(self, user, perm: str = Perm.VIEW_ORGS):
        scope = data_scope(user, perm)
        if scope.everything:
            return self
        q = Q(unit__in=Unit.objects.filter(scope.unit_q).values("pk"))
        if scope.person_id:
            q |= Q(holders__person_id=scope.person_id)
        return self.filter(q).distinct()


class Post(models.Model):
    """A post (岗位) in a unit, with its duties; held by one A holder and up to two B holders."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="posts")
    name = models.CharField("岗位名称", max_length=100)
    duties = models.TextField("岗位职责", blank=True)
    sort = models.PositiveIntegerField("排序", default=100)
    active = models.BooleanField("启用", default=True)
    takes_cases = models.BooleanField(
        "承接派单", default=False, help_text="派到本单位的办件由该岗位在岗人员（A岗，缺岗时B岗）经办"
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["unit__sort", "unit_id", "sort", "id"]
        verbose_name = verbose_name_plural = "岗位"
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="unique_post_name_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit.name} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("orgs:post", args=[self.pk])


MAX_B_HOLDERS = 2


class PostHolder(models.Model):
    """A/B holder of a post (AB岗): A holds it; B holders, in order, stand in when A is away."""

    class Role(models.TextChoices):
        A = "A", "A岗"
        B = "B", "B岗"

    post = models.ForeignKey(Post, verbose_name="岗位", on_delete=models.CASCADE, related_name="holders")
    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="post_holdings")
    role = models.CharField("AB岗", max_length=1, choices=Role.choices)
    order = models.PositiveSmallIntegerField("顺序", default=1, help_text="B岗的顶岗顺序：1为第一顺位")

    class Meta:
        ordering = ["role", "order"]
        verbose_name = verbose_name_plural = "岗位人员"
        constraints = [
            models.UniqueConstraint(fields=["post", "person"], name="unique_person_per_post"),
            models.UniqueConstraint(fields=["post", "role", "order"], name="unique_holder_slot"),
            models.UniqueConstraint(fields=["post"], condition=Q(role="A"), name="one_a_holder_per_post"),
        ]

    def __str__(self) -> str:
        return f"{self.post} {self.label} {self.person}"

    @property
    def label(self) -> str:
        return "A岗" if self.role == self.Role.A else f"B岗{self.order}"


class AbsenceKind(models.TextChoices):
    LEAVE = "leave", "请假"
    TRIP = "trip", "出差"
    TRAINING = "training", "培训"
    SECONDMENT = "secondment", "借调"


class AbsenceQuerySet(models.QuerySet):
    def visible_to(self, user, perm: str = Perm.VIEW_ORGS):
        return self.filter(person__in=Person.objects.visible_to(user, perm).values("pk"))

    def covering(self, day: date):
        return self.filter(start_date__lte=day, end_date__gte=day)

    def overlapping(self, start: date, end: date):
        return self.filter(start_date__lte=end, end_date__gte=start)


class Absence(models.Model):
    """A person away from their posts for a range of days, both ends included."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="absences")
    kind = models.CharField("类型", max_length=12, choices=AbsenceKind.choices)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    note = models.CharField("事由", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = AbsenceQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = verbose_name_plural = "请假外出"
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="absence_end_after_start")
        ]
        indexes = [models.Index(fields=["person", "start_date", "end_date"])]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {self.start_date}至{self.end_date}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "结束日期不能早于开始日期。"})

    @property
    def describe(self) -> str:
        return f"{self.get_kind_display()}（{self.start_date:%m月%d日}至{self.end_date:%m月%d日}）"
