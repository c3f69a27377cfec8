from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from jiceng.orgs.models import Region

GRID_CODE = re.compile(r"\d{15}")
COMPREHENSIVE_LAYER = "综合"  # the one set of grids cases are located in; departmental layers are merged into it
MU_M2 = 10_000 / 15  # one 亩 in square metres


class GridKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", "综合网格"
    SCHOOL = "school", "专属网格（学校）"
    ENTERPRISE = "enterprise", "专属网格（企业）"
    MARKET = "market", "专属网格（市场）"
    HOSPITAL = "hospital", "专属网格（医院）"
    OTHER = "other", "专属网格（其他）"


class GridQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The grids a user may look up (VIEW_GRIDS): all of them for a county-wide scope and for county units,
        which handle cases anywhere in the county; the grids of the townships in scope for township staff; a
        grid worker's own grids."""
        from jiceng.accounts.roles import Perm
        from jiceng.accounts.scopes import data_scope
        from jiceng.orgs.models import Unit

        if not user.is_authenticated or not user.can(Perm.VIEW_GRIDS):
            return self.none()
        scope = data_scope(user, Perm.VIEW_GRIDS)
        if scope.everything or Unit.objects.filter(scope.unit_q, region__level__lt=4).exists():
            return self
        towns = townships_in_scope(user, Perm.VIEW_GRIDS) or set()
        own = models.Exists(GridMember.objects.filter(grid=models.OuterRef("pk"), user=user))
        return self.filter(models.Q(village__parent__in=towns) | own)


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

    objects = GridQuerySet.as_manager()

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


# ---- scopes -------------------------------------------------------------------------------------------


def townships_in_scope(user, perm: str) -> set[int] | None:
    """The townships whose grids the user's `perm` scope covers: None for the whole county, else region ids.

    A unit in scope brings its township (a village unit brings its parent); county-level units bring
    none by themselves (the township units under them bring theirs when the scope is 本级及下级). The
    仅本人 scope of a grid worker brings none: their own grids come from their memberships instead.
    """
    from jiceng.accounts.scopes import data_scope
    from jiceng.orgs.models import Unit

    scope = data_scope(user, perm)
    if scope.everything:
        return None
    towns: set[int] = set()
    for level, region, parent in Unit.objects.filter(scope.unit_q).values_list(
        "region__level", "region_id", "region__parent_id"
    ):
        if level == 4:
            towns.add(region)
        elif level == 5 and parent:
            towns.add(parent)
    return towns


# ---- 多网合一 -------------------------------------------------------------------------------------------


class MergeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    APPROVED = "approved", "已批准"
    RETURNED = "returned", "已退回"


# The plan lifecycle: status → statuses it may move to. `merging.set_merge_status` is the only writer. A returned
# plan stays returned: the grids it was built on are to be corrected, and a new plan built from them.
MERGE_TRANSITIONS: dict[str, frozenset[str]] = {
    MergeStatus.DRAFT: frozenset({MergeStatus.SUBMITTED}),
    MergeStatus.SUBMITTED: frozenset({MergeStatus.APPROVED, MergeStatus.RETURNED}),
    MergeStatus.APPROVED: frozenset(),
    MergeStatus.RETURNED: frozenset(),
}


class MergePlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Plans of the townships in the user's scope for drafting (MANAGE_GRIDS) or approving
        (APPROVE_GRID_MERGE); county-wide plans only with a county-wide scope."""
        from jiceng.accounts.roles import Perm

        towns: set[int] = set()
        held = [p for p in (Perm.MANAGE_GRIDS, Perm.APPROVE_GRID_MERGE) if user.is_authenticated and user.can(p)]
        for perm in held:
            scope = townships_in_scope(user, perm)
            if scope is None:
                return self
            towns |= scope
        return self.filter(township__in=towns)


class MergePlan(models.Model):
    """多网合一方案: departmental grid layers of a township (or the whole county) proposed as one set of
    comprehensive grids, with the mapping old → new and the report of overlaps and uncovered areas."""

    name = models.CharField("方案名称", max_length=200)
    township = models.ForeignKey(
        Region,
        verbose_name="乡镇（街道）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 4},
        help_text="为空表示全县",
    )
    layers = models.JSONField("合并的部门图层", default=list)
    status = models.CharField("状态", max_length=10, choices=MergeStatus.choices, default=MergeStatus.DRAFT)
    note = models.TextField("方案说明", blank=True)
    document_no = models.CharField("批准文号", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="拟稿人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    # Grid id → updated_at of every grid the plan was built on: approval refuses a plan whose grids changed since.
    snapshot = models.JSONField(default=dict, editable=False)

    objects = MergePlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "多网合一方案"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("grids:merge_plan", args=[self.pk])

    @property
    def region_name(self) -> str:
        return self.township.name if self.township_id else "全县"


class MergePlanEvent(models.Model):
    """Each change of a plan's status: append-only."""

    plan = models.ForeignKey(MergePlan, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField("原状态", max_length=10, choices=MergeStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=10, choices=MergeStatus.choices)
    note = models.CharField("意见", max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "多网合一方案流转记录"

    def __str__(self) -> str:
        return f"{self.plan} {self.get_from_status_display()}→{self.get_to_status_display()}"


class MergeTarget(models.Model):
    """A comprehensive grid of the proposal: an existing one kept as it is, or a new one approval creates."""

    plan = models.ForeignKey(MergePlan, on_delete=models.CASCADE, related_name="targets")
    village = models.ForeignKey(Region, verbose_name="村（社区）", on_delete=models.PROTECT, related_name="+")
    code = models.CharField("网格编码", max_length=15)
    name = models.CharField("网格名称", max_length=100)
    is_new = models.BooleanField("新设", default=True)
    polygon = models.JSONField("范围（GeoJSON）")
    area_m2 = models.FloatField("面积（平方米）", default=0)
    grid = models.ForeignKey(
        Grid,
        verbose_name="综合网格",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="保留的现有综合网格，或批准时新设的网格",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "拟设综合网格"
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="merge_target_code_once_per_plan")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def area_mu(self) -> float:
        return self.area_m2 / MU_M2


class MergeMapping(models.Model):
    """One departmental grid → one comprehensive grid of the proposal, with the share of the departmental grid's
    area that falls in it. A departmental grid in no proposed grid has one row without a target."""

    plan = models.ForeignKey(MergePlan, on_delete=models.CASCADE, related_name="mappings")
    source = models.ForeignKey(
        Grid, verbose_name="部门网格", null=True, on_delete=models.SET_NULL, related_name="merge_mappings"
    )
    # Copied so the mapping still reads after the departmental grid is renamed or removed.
    source_code = models.CharField("部门网格编码", max_length=15)
    source_name = models.CharField("部门网格名称", max_length=100)
    source_layer = models.CharField("图层", max_length=20)
    village = models.ForeignKey(Region, verbose_name="村（社区）", on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey(
        MergeTarget, verbose_name="综合网格", null=True, blank=True, on_delete=models.CASCADE, related_name="mappings"
    )
    overlap_m2 = models.FloatField("重合面积（平方米）", default=0)
    share = models.FloatField("占部门网格面积比例", default=0)
    is_main = models.BooleanField("主要归属", default=False, help_text="部门网格面积占比最大的综合网格；网格员随之转入")

    class Meta:
        ordering = ["source_code", "-share", "id"]
        verbose_name = verbose_name_plural = "多网合一对照"

    def __str__(self) -> str:
        return f"{self.source_code} → {self.target.code if self.target_id else '—'}"


class MergeIssue(models.Model):
    """One finding of the plan's report: layers that overlap with disagreeing borders, an area no departmental grid
    covers, or a departmental grid that crosses its village's boundary."""

    class Kind(models.TextChoices):
        OVERLAP = "overlap", "图层重叠、边界不一致"
        UNCOVERED = "uncovered", "未覆盖区域"
        CROSSING = "crossing", "跨村（社区）网格"

    plan = models.ForeignKey(MergePlan, on_delete=models.CASCADE, related_name="issues")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    village = models.ForeignKey(Region, verbose_name="村（社区）", on_delete=models.PROTECT, related_name="+")
    grid_a = models.ForeignKey(
        Grid, verbose_name="网格", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    grid_b = models.ForeignKey(
        Grid, verbose_name="另一网格", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    other_village = models.ForeignKey(
        Region,
        verbose_name="涉及的其他村（社区）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="跨村网格伸入的村；为空表示伸出所有已知村的范围",
    )
    area_m2 = models.FloatField("面积（平方米）", default=0)
    share_a = models.FloatField("占网格面积比例", default=0)
    share_b = models.FloatField("占另一网格面积比例", default=0)
    polygon = models.JSONField("范围（GeoJSON）", null=True, blank=True)
    note = models.CharField("说明", max_length=300)

    class Meta:
        ordering = ["kind", "village__code", "-area_m2", "id"]
        verbose_name = verbose_name_plural = "多网合一问题"

    def __str__(self) -> str:
        return self.note

    @property
    def area_mu(self) -> float:
        return self.area_m2 / MU_M2


# ---- 巡查 -----------------------------------------------------------------------------------------------


class PatrolStatus(models.TextChoices):
    ACTIVE = "active", "巡查中"
    ENDED = "ended", "已结束"


class PatrolQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The user's own patrols, and the patrols of grids in townships their VIEW_GRIDS scope covers."""
        from jiceng.accounts.roles import Perm

        if not user.is_authenticated:
            return self.none()
        own = models.Q(user=user)
        if not user.can(Perm.VIEW_GRIDS):
            return self.filter(own)
        towns = townships_in_scope(user, Perm.VIEW_GRIDS)
        if towns is None:
            return self
        return self.filter(own | models.Q(grid__village__parent__in=towns))


class Patrol(models.Model):
    """巡查: a grid worker walking their grid, with the track the phone sends and the findings reported on the way."""

    grid = models.ForeignKey(Grid, verbose_name="网格", on_delete=models.PROTECT, related_name="patrols")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="巡查人", on_delete=models.PROTECT, related_name="patrols"
    )
    member = models.ForeignKey(
        GridMember,
        verbose_name="网格成员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patrols",
        help_text="巡查人在该网格的成员身份；乡镇人员巡查时为空",
    )
    status = models.CharField("状态", max_length=10, choices=PatrolStatus.choices, default=PatrolStatus.ACTIVE)
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    track = models.JSONField("轨迹", default=list, blank=True, help_text="[经度, 纬度, ISO 8601 时间] 的列表")
    distance_m = models.FloatField("里程（米）", default=0)
    note = models.TextField("巡查情况", blank=True)

    objects = PatrolQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = verbose_name_plural = "巡查"
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="active"), name="one_patrol_in_progress_per_user"
            )
        ]
        indexes = [models.Index(fields=["grid", "started_at"]), models.Index(fields=["started_at"])]

    def __str__(self) -> str:
        return f"{self.grid.name} {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("grids:patrol", args=[self.pk])

    def track_points(self) -> list[tuple[float, float, datetime]]:
        """The track as (longitude, latitude, local time); points stored before times were local are in UTC."""
        return [(lon, lat, timezone.localtime(datetime.fromisoformat(at))) for lon, lat, at in self.track]

    @property
    def last_located_at(self) -> datetime | None:
        return max((at for *_, at in self.track_points()), default=None)


class PatrolFinding(models.Model):
    """A problem found on a patrol: the case it became, linked back to the patrol."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="findings")
    case = models.OneToOneField(
        "cases.Case", verbose_name="办件", on_delete=models.CASCADE, related_name="patrol_finding"
    )
    created_at = models.DateTimeField("上报时间", auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = verbose_name_plural = "巡查发现"

    def __str__(self) -> str:
        return f"{self.patrol} {self.case_id}"


class PatrolEvent(models.Model):
    """Start, findings and end of a patrol: append-only (the track itself is the record of where it went)."""

    class Kind(models.TextChoices):
        START = "start", "开始巡查"
        FINDING = "finding", "上报发现"
        END = "end", "结束巡查"

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事项", max_length=10, choices=Kind.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "巡查记录"

    def __str__(self) -> str:
        return f"{self.patrol} {self.get_kind_display()}"
