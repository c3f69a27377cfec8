from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.roles import Perm
from jiceng.accounts.scopes import data_scope
from jiceng.orgs.models import Person, Region, StaffingKind, Unit


class QuotaKind(models.TextChoices):
    ADMINISTRATIVE = "administrative", "行政编制"
    INSTITUTIONAL = "institutional", "事业编制"
    SERVICE = "service", "工勤编制"
    LEADER_CHIEF = "leader_chief", "领导职数（正职）"
    LEADER_DEPUTY = "leader_deputy", "领导职数（副职）"


SEAT_KINDS = (QuotaKind.ADMINISTRATIVE, QuotaKind.INSTITUTIONAL, QuotaKind.SERVICE)
LEADER_KINDS = (QuotaKind.LEADER_CHIEF, QuotaKind.LEADER_DEPUTY)
SEAT_KIND_CHOICES = [(k.value, k.label) for k in SEAT_KINDS]
# The quota a person of each staffing kind occupies; 编外聘用 occupies none.
QUOTA_OF_STAFFING = {
    StaffingKind.ADMINISTRATIVE: QuotaKind.ADMINISTRATIVE,
    StaffingKind.INSTITUTIONAL: QuotaKind.INSTITUTIONAL,
    StaffingKind.SERVICE: QuotaKind.SERVICE,
}
STAFFING_OF_QUOTA = {v: k for k, v in QUOTA_OF_STAFFING.items()}


class QuotaPool(models.Model):
    """The county's 编制周转池: quotas taken back from units and held for where they are needed."""

    name = models.CharField("名称", max_length=100, unique=True)
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "编制周转池"

    def __str__(self) -> str:
        return self.name


class AccountQuerySet(models.QuerySet):
    def visible_to(self, user, perm: str = Perm.VIEW_STAFFING):
        scope = data_scope(user, perm)
        if scope.everything:
            return self
        return self.filter(unit__in=Unit.objects.filter(scope.unit_q).values("pk"))

    def of_units(self):
        return self.filter(unit__isnull=False)


class QuotaAccount(models.Model):
    """One unit's (or the pool's) quota of one kind. Its balance is the sum of its entries.

    The row is also what actions lock (`select_for_update`) before deciding on the last free seat.
    """

    unit = models.ForeignKey(
        Unit, verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT, related_name="quota_accounts"
    )
    pool = models.ForeignKey(
        QuotaPool, verbose_name="周转池", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    kind = models.CharField("编制类型", max_length=20, choices=QuotaKind.choices)

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "编制账户"
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, pool__isnull=True) | Q(unit__isnull=True, pool__isnull=False),
                name="account_is_unit_or_pool",
            ),
            models.UniqueConstraint(fields=["unit", "kind"], name="one_account_per_unit_kind"),
            models.UniqueConstraint(fields=["pool", "kind"], name="one_account_per_pool_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.holder} · {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("staffing:account", args=[self.pk])

    @property
    def holder(self):
        return self.unit if self.unit_id else self.pool

    @property
    def holder_name(self) -> str:
        return str(self.holder)


class EntryReason(models.TextChoices):
    APPROVE = "approve", "核定"
    INCREASE = "increase", "核增"
    DECREASE = "decrease", "核减"
    TRANSFER = "transfer", "调剂"
    SINK = "sink", "下沉"
    RECLAIM = "reclaim", "收回"
    REFORM = "reform", "改革划转"


class QuotaEntry(models.Model):
    """One change of a quota balance: append-only, written only by actions, backed by a 文号."""

    account = models.ForeignKey(QuotaAccount, verbose_name="编制账户", on_delete=models.PROTECT, related_name="entries")
    delta = models.IntegerField("增减数")
    on = models.DateField("生效日期", db_index=True)
    reason = models.CharField("事由", max_length=10, choices=EntryReason.choices)
    document_no = models.CharField("文号", max_length=100)
    move = models.ForeignKey(
        "QuotaMove", verbose_name="调剂", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    plan = models.ForeignKey(
        "ReorgPlan", verbose_name="改革方案", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    creates_overstaffing = models.BooleanField("明确造成超编", default=False)
    note = models.CharField("说明", max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = verbose_name_plural = "编制台账记录"
        indexes = [models.Index(fields=["account", "on"])]

    def __str__(self) -> str:
        return f"{self.account} {self.delta:+d} {self.get_reason_display()} {self.document_no}"


class MoveType(models.TextChoices):
    LATERAL = "lateral", "平级调剂"
    CROSS_FIELD = "cross_field", "跨域统筹"
    DIRECTED = "directed", "定向统筹"
    DOWNWARD = "downward", "减上补下"
    TO_POOL = "to_pool", "收回周转池"
    FROM_POOL = "from_pool", "周转池下达"


# Which reason each side of a move records in the ledger.
MOVE_REASONS = {
    MoveType.LATERAL: (EntryReason.TRANSFER, EntryReason.TRANSFER),
    MoveType.CROSS_FIELD: (EntryReason.TRANSFER, EntryReason.TRANSFER),
    MoveType.DIRECTED: (EntryReason.TRANSFER, EntryReason.TRANSFER),
    MoveType.DOWNWARD: (EntryReason.SINK, EntryReason.SINK),
    MoveType.TO_POOL: (EntryReason.RECLAIM, EntryReason.RECLAIM),
    MoveType.FROM_POOL: (EntryReason.TRANSFER, EntryReason.TRANSFER),
}


class MoveQuerySet(models.QuerySet):
    def visible_to(self, user, perm: str = Perm.VIEW_STAFFING):
        scope = data_scope(user, perm)
        if scope.everything:
            return self
        accounts = QuotaAccount.objects.visible_to(user, perm).values("pk")
        return self.filter(Q(source__in=accounts) | Q(target__in=accounts))


class QuotaMove(models.Model):
    """A quota moved from one account to another of the same kind: two entries that sum to zero."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        RECORDED = "recorded", "已执行"
        CANCELLED = "cancelled", "已作废"

    move_type = models.CharField("调剂方式", max_length=20, choices=MoveType.choices)
    kind = models.CharField("编制类型", max_length=20, choices=QuotaKind.choices)
    amount = models.PositiveIntegerField("数量")
    source = models.ForeignKey(QuotaAccount, verbose_name="调出", on_delete=models.PROTECT, related_name="moves_out")
    target = models.ForeignKey(QuotaAccount, verbose_name="调入", on_delete=models.PROTECT, related_name="moves_in")
    on = models.DateField("生效日期", null=True, blank=True)
    document_no = models.CharField("文号", max_length=100, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    note = models.CharField("说明", max_length=200, blank=True)
    creates_overstaffing = models.BooleanField("明确造成超编", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="拟稿人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("拟稿时间", auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="执行人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField("执行时间", null=True, blank=True)

    objects = MoveQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "编制调剂"

    def __str__(self) -> str:
        return f"{self.get_move_type_display()} {self.source.holder_name}→{self.target.holder_name} {self.amount}名"

    def get_absolute_url(self) -> str:
        return reverse("staffing:move", args=[self.pk])


class RequestQuerySet(models.QuerySet):
    def visible_to(self, user, perm: str = Perm.VIEW_STAFFING):
        scope = data_scope(user, perm)
        if scope.everything:
            return self
        return self.filter(unit__in=Unit.objects.filter(scope.unit_q).values("pk"))

    def reserving_on(self, day):
        """Approvals that hold seats on `day`: decided, not expired, not yet withdrawn.

        A used approval still reserves the seats of people whose 进编日期 is after `day`.
        """
        statuses = (HiringRequest.Status.APPROVED, HiringRequest.Status.USED, HiringRequest.Status.WITHDRAWN)
        return self.filter(status__in=statuses, decided_on__lte=day, expires_on__gte=day).exclude(withdrawn_on__lte=day)


class HiringRequest(models.Model):
    """用编申请 and its 用编核准: seats reserved in a unit before anyone is hired (先核准后进人)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待核准"
        APPROVED = "approved", "已核准"
        REFUSED = "refused", "不予核准"
        USED = "used", "已使用"
        WITHDRAWN = "withdrawn", "已撤回"

    unit = models.ForeignKey(Unit, verbose_name="用编单位", on_delete=models.PROTECT, related_name="hiring_requests")
    kind = models.CharField("编制类型", max_length=20, choices=SEAT_KIND_CHOICES)
    seats = models.PositiveSmallIntegerField("用编数", default=1)
    purpose = models.CharField("拟补充岗位或人员", max_length=200)
    channel = models.CharField(
        "进人方式", max_length=30, blank=True, help_text="如：公务员招录、事业单位公开招聘、军转安置、调任"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    number = models.CharField("核准编号", max_length=40, blank=True, help_text="核准时自动生成")
    requested_on = models.DateField("申请日期")
    decided_on = models.DateField("核准/不予核准日期", null=True, blank=True)
    expires_on = models.DateField("有效期至", null=True, blank=True)
    withdrawn_on = models.DateField("撤回日期", null=True, blank=True)
    decision_note = models.CharField("核准意见", max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核准人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_on", "-id"]
        verbose_name = verbose_name_plural = "用编核准"

    def __str__(self) -> str:
        return f"{self.unit} {self.get_kind_display()} {self.seats}名（{self.get_status_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("staffing:request", args=[self.pk])

    def used_seats(self) -> int:
        return self.placements.count()

    @property
    def expired(self) -> bool:
        return self.status == self.Status.APPROVED and bool(self.expires_on) and self.expires_on < timezone.localdate()


class PlacementQuerySet(models.QuerySet):
    def on(self, day):
        """Placements that occupy a seat on `day`."""
        return self.filter(start_on__lte=day).filter(Q(end_on__isnull=True) | Q(end_on__gt=day))

    def open(self):
        return self.filter(end_on__isnull=True)


class EntryKind(models.TextChoices):
    APPROVED = "approved", "核准进编"
    TRANSFER_IN = "transfer_in", "调动"
    REFORM = "reform", "改革划转"
    INITIAL = "initial", "台账导入"


class ExitReason(models.TextChoices):
    RETIRED = "retired", "退休"
    TRANSFERRED_OUT = "transferred_out", "调出"
    RESIGNED = "resigned", "辞职"
    DISMISSED = "dismissed", "辞退"
    DECEASED = "deceased", "死亡"
    TRANSFER = "transfer", "调动"
    REFORM = "reform", "改革划转"
    OTHER = "other", "其他"


# Reasons after which the person no longer works in the county's public sector.
LEAVING_REASONS = {
    ExitReason.RETIRED,
    ExitReason.TRANSFERRED_OUT,
    ExitReason.RESIGNED,
    ExitReason.DISMISSED,
    ExitReason.DECEASED,
}


class Placement(models.Model):
    """A person occupying one seat of a unit's quota from 进编 until 出编 (实名制)."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="placements")
    unit = models.ForeignKey(Unit, verbose_name="编制所在单位", on_delete=models.PROTECT, related_name="placements")
    kind = models.CharField("编制类型", max_length=20, choices=SEAT_KIND_CHOICES)
    start_on = models.DateField("进编日期")
    end_on = models.DateField("出编日期", null=True, blank=True)
    entry_kind = models.CharField("进编方式", max_length=20, choices=EntryKind.choices)
    exit_reason = models.CharField("出编原因", max_length=20, choices=ExitReason.choices, blank=True)
    request = models.ForeignKey(
        HiringRequest,
        verbose_name="用编核准",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="placements",
    )
    plan = models.ForeignKey(
        "ReorgPlan", verbose_name="改革方案", null=True, blank=True, on_delete=models.PROTECT, related_name="placements"
    )
    document_no = models.CharField("文号", max_length=100, blank=True)
    exit_document_no = models.CharField("出编文号", max_length=100, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, on_delete=models.SET_NULL)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["-start_on", "-id"]
        verbose_name = verbose_name_plural = "实名制在编记录"
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(end_on__isnull=True), name="one_open_placement"),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")), name="placement_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["unit", "kind", "start_on"])]

    def __str__(self) -> str:
        return f"{self.person} {self.unit} {self.get_kind_display()}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    APPROVED = "approved", "已批准"
    EXECUTED = "executed", "已实施"
    REVOKED = "revoked", "已撤销"


# The plan lifecycle: status → statuses it may move to. `actions.set_plan_status` is the only writer.
PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    PlanStatus.DRAFT: frozenset({PlanStatus.SUBMITTED, PlanStatus.REVOKED}),
    PlanStatus.SUBMITTED: frozenset({PlanStatus.APPROVED, PlanStatus.DRAFT, PlanStatus.REVOKED}),
    PlanStatus.APPROVED: frozenset({PlanStatus.EXECUTED, PlanStatus.REVOKED}),
    PlanStatus.EXECUTED: frozenset(),
    PlanStatus.REVOKED: frozenset(),
}


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user, perm: str = Perm.VIEW_STAFFING):
        scope = data_scope(user, perm)
        if scope.everything:
            return self
        regions = Unit.objects.filter(scope.unit_q).values("region")
        return self.filter(Q(region__in=regions) | Q(region__children__in=regions)).distinct()


class ReorgPlan(models.Model):
    """机构改革方案: many source units into fewer target units, with their people and quotas."""

    name = models.CharField("方案名称", max_length=200)
    region = models.ForeignKey(Region, verbose_name="实施区划", on_delete=models.PROTECT)
    document_no = models.CharField("批准文号", max_length=100, blank=True)
    effective_on = models.DateField("实施日期")
    status = models.CharField("状态", max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    note = models.TextField("方案说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="拟稿人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("拟稿时间", auto_now_add=True)
    executed_at = models.DateTimeField("实施时间", null=True, blank=True)
    executed_preview = models.JSONField("实施前后对比", default=dict, blank=True, help_text="实施时保存，供日后查阅")

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "机构改革方案"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("staffing:plan", args=[self.pk])

    @property
    def editable(self) -> bool:
        return self.status in (PlanStatus.DRAFT,)


class PlanEvent(models.Model):
    """Each change of a plan's status: append-only."""

    plan = models.ForeignKey(ReorgPlan, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField("原状态", max_length=10, choices=PlanStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=10, choices=PlanStatus.choices)
    note = models.CharField("意见", max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.plan} {self.get_from_status_display()}→{self.get_to_status_display()}"


class PlanTarget(models.Model):
    """A unit after the reform: an existing unit, or a new one the plan creates when executed."""

    plan = models.ForeignKey(ReorgPlan, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(
        Unit,
        verbose_name="现有单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="留空表示新设单位",
    )
    name = models.CharField("单位名称", max_length=100)
    kind = models.CharField("单位类型", max_length=20, choices=Unit._meta.get_field("kind").choices, blank=True)
    parent = models.ForeignKey(
        Unit, verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    leader_chief = models.PositiveSmallIntegerField("领导职数（正职）", null=True, blank=True)
    leader_deputy = models.PositiveSmallIntegerField("领导职数（副职）", null=True, blank=True)
    sort = models.PositiveIntegerField("排序", default=100)
    created_unit = models.ForeignKey(
        Unit, verbose_name="实施后单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["sort", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="unique_target_name_per_plan")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_new(self) -> bool:
        return self.unit_id is None

    @property
    def final_unit(self) -> Unit | None:
        return self.unit or self.created_unit


class PlanSource(models.Model):
    """A unit the plan merges into a target (its people and quotas go with it unless overridden)."""

    plan = models.ForeignKey(ReorgPlan, on_delete=models.CASCADE, related_name="sources")
    unit = models.ForeignKey(Unit, verbose_name="原单位", on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey(
        PlanTarget, verbose_name="并入", null=True, blank=True, on_delete=models.SET_NULL, related_name="sources"
    )
    keep_name_as_plaque = models.BooleanField("保留原名称为加挂牌子", default=False)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["plan", "unit"], name="unique_source_per_plan")]

    def __str__(self) -> str:
        return f"{self.unit} → {self.target or '未指定'}"


class PlanPersonOverride(models.Model):
    """A person placed in another target than the one their source unit goes to."""

    plan = models.ForeignKey(ReorgPlan, on_delete=models.CASCADE, related_name="person_overrides")
    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey(PlanTarget, verbose_name="转隶至", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "person"], name="unique_override_per_person")]

    def __str__(self) -> str:
        return f"{self.person} → {self.target}"


class PlanAdjustment(models.Model):
    """A change to the quotas a target inherits: 调剂 between targets (sums to zero) or 核减 with its 文号."""

    class Reason(models.TextChoices):
        TRANSFER = "transfer", "方案内调剂"
        DECREASE = "decrease", "核减"

    plan = models.ForeignKey(ReorgPlan, on_delete=models.CASCADE, related_name="adjustments")
    target = models.ForeignKey(PlanTarget, verbose_name="单位", on_delete=models.CASCADE, related_name="adjustments")
    kind = models.CharField("编制类型", max_length=20, choices=QuotaKind.choices)
    delta = models.IntegerField("增减数")
    reason = models.CharField("事由", max_length=10, choices=Reason.choices)
    document_no = models.CharField("文号", max_length=100, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.target} {self.get_kind_display()} {self.delta:+d}（{self.get_reason_display()}）"


class ImportJob(models.Model):
    """One upload of 编制台账 and/or 花名册: a dry run or a commit, with its progress and result."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "处理中"
        DONE = "done", "已完成"
        FAILED = "failed", "出错"

    dry_run = models.BooleanField("仅预检", default=True)
    ledger_file = models.FileField("编制台账", upload_to="imports/%Y/%m/", blank=True)
    roster_file = models.FileField("花名册", upload_to="imports/%Y/%m/", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField("阶段", max_length=50, blank=True)
    done = models.PositiveIntegerField("已处理行数", default=0)
    total = models.PositiveIntegerField("总行数", default=0)
    result = models.JSONField("结果", default=dict, blank=True)
    committed = models.BooleanField("已导入", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "台账导入"

    def __str__(self) -> str:
        return f"{'预检' if self.dry_run else '导入'} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("staffing:import_job", args=[self.pk])

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else (100 if self.status == self.Status.DONE else 0)
