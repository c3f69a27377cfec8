from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from jiceng.orgs.models import Region

GRID_CODE = re.compile(r"\d{15}")
COMPREHENSIVE_LAYER = "综合"  # the one set of grids cases are located in; departmental layers are merged into it


class GridKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", "综合网格"
    SCHOOL = "school", "专属网格（学校）"
    ENTERPRISE = "enterprise", "专属网格（企业）"
    MARKET = "market", "专属网格（市场）"
    HOSPITAL = "hospital", "专属网格（医院）"
    OTHER = "other", "专属网格（其他）"


class Grid(models.Model):
    """A grid: 15-digit code = the village's 12-digit 统计用区划代码 + a 3-digit number; a polygon in WGS-84
    (GeoJSON longitude/latitude order) with its bounding box kept in columns for quick filtering."""

    code = models.CharField("网格编码", max_length=15, unique=True)
    name = models.CharField("网格名称", max_length=100)
    village = models.ForeignKey(
        Region, verbose_name="村（社区）", on_delete=models.PROTECT, related_name="grids", limit_choices_to={"level": 5}
    )
    kind = models.CharField("类型", max_length=20, choices=GridKind.choices, default=GridKind.COMPREHENSIVE)
    layer = models.CharField(
        "图层", max_length=20, default="综合", help_text="综合网格为“综合”；部门网格为综治、城管、安监、环保等"
    )
    polygon = models.JSONField("范围（GeoJSON）")
    min_lon = models.FloatField(editable=False)
    min_lat = models.FloatField(editable=False)
    max_lon = models.FloatField(editable=False)
    max_lat = models.FloatField(editable=False)
    area_m2 = models.FloatField("面积（平方米）", default=0, editable=False)
    active = models.BooleanField("在用", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "网格"
        indexes = [models.Index(fields=["layer", "active"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def township(self) -> Region:
        return self.village.parent

    def clean(self):
        if not GRID_CODE.fullmatch(self.code or ""):
            raise ValidationError({"code": "网格编码应为15位数字（村居12位区划代码＋3位网格序号）。"})
        if self.village_id and not self.code.startswith(self.village.code):
            raise ValidationError({"code": f"网格编码前12位应为所在村（社区）的区划代码{self.village.code}。"})


class GridMember(models.Model):
    class Role(models.TextChoices):
        CHIEF = "chief", "网格长"
        FULL = "full", "专职网格员"
        PART = "part", "兼职网格员"

    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="members")
    name = models.CharField("姓名", max_length=50)
    role = models.CharField("职务", max_length=10, choices=Role.choices)
    phone = models.CharField("手机号", max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="平台账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grid_memberships",
    )

    class Meta:
        ordering = ["grid", "role", "id"]
        verbose_name = verbose_name_plural = "网格成员"

    def __str__(self) -> str:
        return f"{self.grid.name} {self.get_role_display()} {self.name}"
