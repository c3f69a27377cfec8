from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from jiceng.catalog.models import Matter, MatterVersion
from jiceng.lib import lookups  # noqa: F401 -- registers pk__in_ids
from jiceng.lib.masking import mask_address, mask_name, mask_phone
from jiceng.orgs.models import Region, Unit

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: codes are read out on the phone


def new_code() -> str:
    """A public tracking code that cannot be guessed: 12 characters, 60 bits of randomness."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))


class Channel(models.TextChoices):
    WINDOW = "window", "窗口"
    AGENT = "agent", "代办点"
    GRID = "grid", "网格上报"
    TOWNSHIP_CALL = "township_call", "乡呼"
    HOTLINE = "hotline", "12345热线"
    ONLINE = "online", "网上"
    OPEN311 = "open311", "Open311接口"


class Status(models.TextChoices):
    REGISTERED = "registered", "已登记"
    REJECTED = "rejected", "不予受理"
    ACCEPTED = "accepted", "已受理"
    DISPATCHED = "dispatched", "已派单"
    RETURNED = "returned", "已退单"
    HANDLING = "handling", "办理中"
    PAUSED = "paused", "补正中"
    FINISHED = "finished", "已办结"
    VERIFIED = "verified", "已核查"
    RATED = "rated", "已评价"
    ARCHIVED = "archived", "已归档"
    WITHDRAWN = "withdrawn", "已撤回"
    MERGED = "merged", "已合并"


OPEN_STATUSES = (
    Status.REGISTERED,
    Status.ACCEPTED,
    Status.DISPATCHED,
    Status.RETURNED,
    Status.HANDLING,
    Status.PAUSED,
)
CLOSED_STATUSES = (Status.FINISHED, Status.VERIFIED, Status.RATED, Status.ARCHIVED)


class Result(models.TextChoices):
    SOLVED = "solved", "已解决"
    PARTLY = "partly", "部分解决"
    UNSOLVED = "unsolved", "未解决"
    UNFOUNDED = "unfounded", "不属实"


LITERAL_TASK_CASES = 2_000


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Cases dispatched to, registered by, or cooperated on by units in the user's scope, cases in
        townships whose units are in scope, and the user's own reports (网格员, 代办员)."""
        from jiceng.accounts.roles import Perm
        from jiceng.accounts.scopes import data_scope

        scope = data_scope(user, Perm.VIEW_CASES)
        if scope.everything:
            return self
        own = Q(registered_by=user) if user.is_authenticated else Q(pk__in=[])
        if scope.is_empty:
            return self.filter(own)
        # Literal id lists (a scope is a few dozen units), and a subquery rather than a join on tasks (no
        # DISTINCT): the planner then uses the index on each column, so lists stay fast at a million cases.
        units = list(Unit.objects.filter(scope.unit_q).values_list("pk", flat=True))
        # Cases the units cooperate on: a literal list when short, so every branch of the OR below has its
        # own index and the planner can combine them (a subquery in an OR forces a scan of the table).
        task_cases = CaseTask.objects.filter(unit__in=units).order_by().values_list("case_id", flat=True)
        listed = list(task_cases[: LITERAL_TASK_CASES + 1])
        tasks = Q(pk__in_ids=listed) if len(listed) <= LITERAL_TASK_CASES else Q(pk__in=task_cases)
        townships = list(
            Region.objects.filter(
                level=4, pk__in=Unit.objects.filter(scope.unit_q, kind="leadership").values("region")
            ).values_list("pk", flat=True)
        )
        return self.filter(
            own | Q(lead_unit__in=units) | Q(registered_unit__in=units) | tasks | Q(township__in=townships)
        )

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now):
        return self.open().filter(due_at__lt=now).exclude(status=Status.PAUSED)


class Case(models.Model):
    """One matter brought by one person or found by one worker, from intake to archive."""

    code = models.CharField("查询码", max_length=16, unique=True, default=new_code, editable=False)
    channel = models.CharField("来源渠道", max_length=20, choices=Channel.choices)
    is_service = models.BooleanField("政务服务办件", default=False, help_text="否则为事件工单")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REGISTERED, db_index=True)
    matter = models.ForeignKey(
        Matter, verbose_name="事项", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    matter_version = models.ForeignKey(
        MatterVersion, verbose_name="适用清单版本", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    township = models.ForeignKey(
        Region, verbose_name="乡镇（街道）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        Region, verbose_name="村（社区）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        "grids.Grid", verbose_name="网格", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    address = models.CharField("地点", max_length=200, blank=True)
    latitude = models.FloatField("纬度", null=True, blank=True)
    longitude = models.FloatField("经度", null=True, blank=True)
    title = models.CharField("标题", max_length=200)
    text = models.TextField("内容")
    requester_name = models.CharField("申请人/反映人", max_length=50, blank=True)
    requester_phone = models.CharField("联系电话", max_length=20, blank=True)
    requester_id_number = models.CharField("身份证号", max_length=18, blank=True)
    requester_address = models.CharField("联系地址", max_length=200, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    registered_unit = models.ForeignKey(
        Unit, verbose_name="登记单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    external_no = models.CharField("外部工单号", max_length=50, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True, editable=False)
    lead_unit = models.ForeignKey(
        Unit, verbose_name="承办单位", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    assignee = models.ForeignKey(
        "orgs.Person", verbose_name="经办人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee_note = models.CharField("经办人说明", max_length=200, blank=True, help_text="如：A岗请假，由B岗顶岗")
    designated = models.BooleanField("指定承办（不可退单）", default=False)
    return_count = models.PositiveSmallIntegerField("退单次数", default=0)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    started_on = models.DateField("起算日", null=True, blank=True)
    limit_days = models.PositiveSmallIntegerField("时限（工作日）", null=True, blank=True)
    response_days = models.PositiveSmallIntegerField("响应时限（工作日）", null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField("延期（工作日）", default=0)
    paused_days = models.PositiveSmallIntegerField("暂停（工作日）", default=0)
    paused_on = models.DateField("补正开始日", null=True, blank=True)
    due_at = models.DateTimeField("办结期限", null=True, blank=True, db_index=True)
    next_alert_at = models.DateTimeField("下次提醒", null=True, blank=True, db_index=True)
    alert_stage = models.PositiveSmallIntegerField("提醒阶段", default=0)
    result = models.CharField("办理结果", max_length=10, choices=Result.choices, blank=True)
    reply = models.TextField("答复", blank=True)
    finished_at = models.DateTimeField("办结时间", null=True, blank=True)
    visits = models.PositiveSmallIntegerField("到场次数", default=1)
    reopened_from = models.ForeignKey(
        "self", verbose_name="重办自", null=True, blank=True, on_delete=models.PROTECT, related_name="reopenings"
    )
    merged_into = models.ForeignKey(
        "self", verbose_name="合并至", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_cases"
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name="疑似重复",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suspected_duplicates",
        help_text="登记时发现的同一事项、同一地点、近期的办件，待指挥中心合并或排除",
    )
    routing = models.JSONField(
        "智能派单建议", default=dict, blank=True, help_text="登记时模型给出的前三个事项、概率和依据词，及模型版本"
    )
    routed_matter = models.ForeignKey(
        "catalog.Matter",
        verbose_name="模型首选事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    auto_dispatched = models.BooleanField("智能派单（自动）", default=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True, db_index=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "办件"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_no"], condition=~Q(external_no=""), name="one_case_per_external_order"
            ),
        ]
        indexes = [
            models.Index(fields=["lead_unit", "status"]),
            models.Index(fields=["township", "status"]),
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["matter", "township", "created_at"]),  # likely duplicates at intake
            models.Index(
                fields=["created_at"],
                condition=Q(status__in=["registered", "returned", "accepted"]),
                name="case_dispatch_queue",
            ),
            # The open cases only (a few percent of the table), in the orders the workbench and the list read
            # them: overdue by deadline, open by date; without them a scope's page walks past closed cases.
            models.Index(fields=["due_at"], condition=Q(status__in=OPEN_STATUSES), name="case_open_due"),
            models.Index(fields=["created_at"], condition=Q(status__in=OPEN_STATUSES), name="case_open_created"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("cases:case", args=[self.pk])

    @property
    def masked_name(self) -> str:
        return mask_name(self.requester_name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.requester_phone)

    @property
    def masked_address(self) -> str:
        return mask_address(self.requester_address)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseTask(models.Model):
    """A cooperating unit's part in a dispatched case (配合责任), with its own sign-off."""

    class State(models.TextChoices):
        PENDING = "pending", "待签收"
        SIGNED = "signed", "已签收"
        DONE = "done", "已完成"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    unit = models.ForeignKey(Unit, verbose_name="配合单位", on_delete=models.PROTECT, related_name="case_tasks")
    duty = models.TextField("配合职责", blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    note = models.TextField("情况说明", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["case", "unit"], name="one_task_per_unit")]

    def __str__(self) -> str:
        return f"{self.case.code} {self.unit}"


class CaseEvent(models.Model):
    """Every transition of a case: who, when, from which status to which, and why. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=20)
    from_status = models.CharField("原状态", max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=12, choices=Status.choices)
    note = models.TextField("说明", blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name="相关单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField("时间", db_index=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["case", "at"]),
            models.Index(fields=["case"], condition=Q(action="request_extension"), name="event_extension_requests"),
        ]

    def __str__(self) -> str:
        return f"{self.case.code} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        from .lifecycle import TRANSITIONS  # the table lives with the rules

        return TRANSITIONS[self.action][0] if self.action in TRANSITIONS else self.action


class Notification(models.Model):
    """The outbox: in-app messages (also the user's inbox) and SMS, each sent exactly once by a worker."""

    class Kind(models.TextChoices):
        REMIND = "remind", "催办"
        SUPERVISE = "supervise", "督办"
        NOTIFY = "notify", "通报"
        INFO = "info", "通知"
        DISPATCH = "dispatch", "派单"

    class Channel(models.TextChoices):
        INAPP = "inapp", "站内消息"
        SMS = "sms", "短信"

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    channel = models.CharField("方式", max_length=10, choices=Channel.choices, default=Channel.INAPP)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    phone = models.CharField("手机号", max_length=20, blank=True)
    text = models.TextField("内容")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "消息"
        indexes = [models.Index(fields=["state", "id"]), models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.text[:30]}"


class Rating(models.TextChoices):
    """The national 好差评 scale; 1–2 are 差评."""

    VERY_GOOD = "5", "非常满意"
    GOOD = "4", "满意"
    FAIR = "3", "基本满意"
    BAD = "2", "不满意"
    VERY_BAD = "1", "非常不满意"


class Evaluation(models.Model):
    """A requester's 好差评 of a case, or a township's 反向评价 of the county department that handled it."""

    class Kind(models.TextChoices):
        REQUESTER = "requester", "好差评"
        REVERSE = "reverse", "反向评价"
        FOLLOW_UP = "follow_up", "整改后复评"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evaluations")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    score = models.PositiveSmallIntegerField("评分", help_text="好差评1–5；反向评价为三项平均")
    response_score = models.PositiveSmallIntegerField("响应速度", null=True, blank=True)
    quality_score = models.PositiveSmallIntegerField("办理质量", null=True, blank=True)
    cooperation_score = models.PositiveSmallIntegerField("配合程度", null=True, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name="被评价单位", null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations"
    )
    comment = models.TextField("评价意见", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("评价时间", auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="one_evaluation_of_each_kind")]

    def __str__(self) -> str:
        return f"{self.case.code} {self.get_kind_display()} {self.score}"

    @property
    def score_label(self) -> str:
        return Rating(str(self.score)).label if self.kind != self.Kind.REVERSE else f"{self.score}分"

    @property
    def is_bad(self) -> bool:
        return self.kind != self.Kind.REVERSE and self.score <= 2


class Rectification(models.Model):
    """整改 opened by a 差评: a deadline, what was done, and one follow-up rating."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="rectification")
    due_on = models.DateField("整改期限")
    done_note = models.TextField("整改情况", blank=True)
    done_at = models.DateTimeField("整改完成", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.case.code} 整改"


class Attachment(models.Model):
    """A photo or document attached to a case; type and size are checked on upload."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to="cases/%Y/%m/")
    content_type = models.CharField("类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.file.name


class Consultation(models.Model):
    """A question answered at a village agency point (counted in the point's statistics)."""

    unit = models.ForeignKey(Unit, verbose_name="代办点", on_delete=models.PROTECT, related_name="consultations")
    topic = models.CharField("咨询内容", max_length=200)
    matter = models.ForeignKey(
        Matter, verbose_name="涉及事项", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.topic
