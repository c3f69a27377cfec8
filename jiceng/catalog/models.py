from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from jiceng.orgs.models import Region, Unit


class Area(models.Model):
    """领域, e.g. A01 自然资源."""

    code = models.CharField("领域代码", max_length=20, unique=True)
    name = models.CharField("领域名称", max_length=50)
    sort = models.PositiveIntegerField("排序", default=100)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = verbose_name_plural = "领域"

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡镇级"


class CatalogUnit(models.Model):
    """A unit as the catalog names it: a county unit (bound to one platform unit) or a township role
    (an office every township has, bound per township through RoleBinding)."""

    code = models.CharField("单位代码", max_length=20, unique=True)
    name = models.CharField("单位名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    kind = models.CharField("单位类别", max_length=20, help_text="如：党政机构、事业单位、派驻机构、综合执法队")
    unit = models.ForeignKey(
        Unit,
        verbose_name="对应单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="catalog_units",
        help_text="县级单位对应的平台单位；乡镇级角色按乡镇分别对应",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "清单单位"

    def __str__(self) -> str:
        return self.name

    @property
    def is_role(self) -> bool:
        return self.level == Level.TOWNSHIP


class RoleBinding(models.Model):
    """Which of a township's actual units plays a township role (e.g. 白沙镇综合行政执法队 for T09)."""

    role = models.ForeignKey(CatalogUnit, verbose_name="乡镇级单位", on_delete=models.CASCADE, related_name="bindings")
    township = models.ForeignKey(Region, verbose_name="乡镇（街道）", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name="实际单位", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "乡镇单位对应"
        constraints = [models.UniqueConstraint(fields=["role", "township"], name="one_unit_per_role_and_township")]

    def __str__(self) -> str:
        return f"{self.township} {self.role} → {self.unit}"


class ListKind(models.TextChoices):
    LOCAL = "属地管理", "属地管理"
    COOPERATE = "配合履职", "配合履职"
    BASIC = "基本履职", "基本履职"
    RECLAIMED = "上级收回", "上级收回"
    SERVICE = "政务服务", "政务服务事项"


class ServiceType(models.TextChoices):
    LICENSE = "行政许可", "行政许可"
    CONFIRMATION = "行政确认", "行政确认"
    BENEFIT = "行政给付", "行政给付"
    ADJUDICATION = "行政裁决", "行政裁决"
    REWARD = "行政奖励", "行政奖励"
    OTHER_POWER = "其他行政权力", "其他行政权力"
    PUBLIC_SERVICE = "公共服务", "公共服务"


POWER_TYPES = {t for t in ServiceType if t != ServiceType.PUBLIC_SERVICE}


class MatterQuerySet(models.QuerySet):
    def search(self, q: str):
        if not q:
            return self
        return self.filter(
            Q(code__icontains=q) | Q(versions__name__icontains=q) | Q(versions__keywords__icontains=q)
        ).distinct()


class Matter(models.Model):
    """事项: a stable code; what it says and who is responsible lives in its versions."""

    code = models.CharField("事项编码", max_length=30, unique=True)
    area = models.ForeignKey(Area, verbose_name="领域", on_delete=models.PROTECT, related_name="matters")

    objects = MatterQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "事项"

    def __str__(self) -> str:
        current = self.current_version()
        return f"{self.code} {current.name if current else ''}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:matter", args=[self.pk])

    def current_version(self, day=None):
        from django.utils import timezone

        day = day or timezone.localdate()
        return self.versions.in_force(day).first()


class VersionQuerySet(models.QuerySet):
    def in_force(self, day):
        return self.filter(effective_from__lte=day).filter(Q(effective_to__isnull=True) | Q(effective_to__gt=day))


class MatterVersion(models.Model):
    """What a matter says from `effective_from` until the next version (or its repeal), by a document."""

    matter = models.ForeignKey(Matter, verbose_name="事项", on_delete=models.CASCADE, related_name="versions")
    name = models.CharField("事项名称", max_length=200)
    list_kind = models.CharField("清单类别", max_length=10, choices=ListKind.choices)
    service_type = models.CharField("事项类型", max_length=10, choices=ServiceType.choices, blank=True)
    legal_basis = models.TextField("设定依据", blank=True)
    keywords = models.CharField("关键词", max_length=500, blank=True, help_text="以分号分隔")
    township_duty = models.TextField("乡镇职责", blank=True)
    county_duty = models.TextField("县级部门职责", blank=True)
    procedure = models.TextField("程序环节", blank=True)
    standards = models.TextField("工作标准", blank=True)
    response_days = models.PositiveSmallIntegerField("响应时限（工作日）", null=True, blank=True)
    time_limit_days = models.PositiveSmallIntegerField("办理时限（工作日）", null=True, blank=True)
    # 政务服务事项
    statutory_days = models.PositiveSmallIntegerField("法定时限（工作日）", null=True, blank=True)
    committed_days = models.PositiveSmallIntegerField(
        "承诺时限（工作日）", null=True, blank=True, help_text="0为即办件"
    )
    materials = models.TextField("申请材料", blank=True, help_text="每行一项")
    location = models.CharField("办理地点", max_length=200, blank=True)
    window = models.CharField("办理窗口", max_length=100, blank=True)
    fees = models.CharField("收费标准", max_length=200, blank=True, default="不收费")
    once_done = models.BooleanField("一次办好", default=False)
    no_visit = models.BooleanField("一次不跑（可由村级代办点代办）", default=False)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    document_no = models.CharField("依据文件", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["matter", "-effective_from"]
        verbose_name = verbose_name_plural = "事项版本"
        indexes = [models.Index(fields=["matter", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.matter.code} {self.name}（{self.effective_from}起）"

    @property
    def keyword_list(self) -> list[str]:
        return [k for k in self.keywords.split(";") if k]

    @property
    def material_list(self) -> list[str]:
        return [m.strip() for m in self.materials.splitlines() if m.strip()]

    @property
    def is_service(self) -> bool:
        return self.list_kind == ListKind.SERVICE

    @property
    def is_immediate(self) -> bool:
        return self.committed_days == 0


class Responsibility(models.Model):
    """A unit's part in a matter version: 主体责任 (lead) or 配合责任 (cooperating), with its duty."""

    version = models.ForeignKey(MatterVersion, on_delete=models.CASCADE, related_name="responsibilities")
    catalog_unit = models.ForeignKey(CatalogUnit, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    is_lead = models.BooleanField("主体责任", default=False)
    duty = models.TextField("职责", blank=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-is_lead", "sort", "id"]
        verbose_name = verbose_name_plural = "责任分工"

    def __str__(self) -> str:
        return f"{self.catalog_unit}（{'主体' if self.is_lead else '配合'}）"


class DelegatedPower(models.Model):
    """赋权事项: a county-level power offered to townships (e.g. one of 185)."""

    code = models.CharField("编号", max_length=30, unique=True)
    name = models.CharField("事项名称", max_length=200)
    matter = models.ForeignKey(
        Matter,
        verbose_name="对应清单事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delegated_powers",
    )
    county_unit = models.ForeignKey(CatalogUnit, verbose_name="原实施部门", on_delete=models.PROTECT, related_name="+")
    township_role = models.ForeignKey(
        CatalogUnit,
        verbose_name="承接的乡镇单位",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="承接后由乡镇哪个单位实施",
    )
    power_type = models.CharField(
        "权力类型", max_length=10, choices=ServiceType.choices, default=ServiceType.OTHER_POWER
    )
    document_no = models.CharField("赋权文件", max_length=100, blank=True)
    offered_on = models.DateField("赋权日期")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "赋权事项"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DelegationStatus(models.TextChoices):
    NOT_ACCEPTED = "not_accepted", "未承接"
    ACCEPTED = "accepted", "已承接"
    DEFERRED = "deferred", "暂缓"
    RECLAIMED = "reclaimed", "收回"


class Delegation(models.Model):
    """One township's status for one delegated power from a date: append-only, the latest row wins."""

    power = models.ForeignKey(
        DelegatedPower, verbose_name="赋权事项", on_delete=models.CASCADE, related_name="delegations"
    )
    township = models.ForeignKey(Region, verbose_name="乡镇（街道）", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=15, choices=DelegationStatus.choices)
    on = models.DateField("日期")
    document_no = models.CharField("文号", max_length=100, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        ordering = ["power", "township", "-on", "-id"]
        verbose_name = verbose_name_plural = "承接情况"
        indexes = [models.Index(fields=["power", "township", "on"])]

    def __str__(self) -> str:
        return f"{self.township} {self.power.code} {self.get_status_display()}"


class AdmissionRequest(models.Model):
    """清单外事项准入: a department asks to add a task the list does not give townships."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "准予纳入清单"
        REFUSED = "refused", "不予准入"

    department = models.ForeignKey(Unit, verbose_name="申请部门", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("事项名称", max_length=200)
    description = models.TextField("拟交由乡镇承担的工作")
    reason = models.TextField("理由和依据")
    area = models.ForeignKey(Area, verbose_name="领域", null=True, blank=True, on_delete=models.PROTECT)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    decision_note = models.TextField("审核意见", blank=True)
    matter = models.ForeignKey(
        Matter, verbose_name="纳入的事项", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = verbose_name_plural = "清单外事项准入"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:admission", args=[self.pk])
