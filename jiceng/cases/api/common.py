"""Shared pieces of the cases API: finding a case by its code, and the case as the API shows it.

Requester details are masked in every output; `GET {code}/pii/` is the one way to the full values.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jiceng.lib.masking import mask_id_number

from ..access import get_case_for_user
from ..models import Case, CaseEvent, CaseTask, Channel, Evaluation, Result, Status
from ..permissions import can_see_requester

STATUS_HELP = "状态代码：" + "、".join(f"{s.value}（{s.label}）" for s in Status)
CHANNEL_HELP = "来源渠道代码：" + "、".join(f"{c.value}（{c.label}）" for c in Channel)
RESULT_HELP = "办理结果代码：" + "、".join(f"{r.value}（{r.label}）" for r in Result) + "；未办结为空"

LIST_RELATIONS = ("matter", "matter_version", "township", "lead_unit", "registered_unit")
DETAIL_RELATIONS = (*LIST_RELATIONS, "village", "grid", "assignee", "reopened_from", "merged_into", "duplicate_of")


def find_case(user, code: str) -> Case:
    """A case the user may see, by its 12-character 查询码 (or by its id, as in the pages' addresses); else 404."""
    value = code.strip().upper()
    pk = Case.objects.filter(code=value).values_list("pk", flat=True).first()
    if pk is None and value.isdigit() and len(value) < 12:
        pk = int(value)
    return get_case_for_user(user, pk)


def case_detail(pk: int) -> Case:
    """One case with everything the detail output shows, in a fixed number of queries."""
    return (
        Case.objects.select_related(*DETAIL_RELATIONS)
        .prefetch_related(
            Prefetch("events", CaseEvent.objects.select_related("by", "unit")),
            Prefetch("tasks", CaseTask.objects.select_related("unit")),
            Prefetch("evaluations", Evaluation.objects.select_related("unit", "by")),
        )
        .get(pk=pk)
    )


def is_overdue(case: Case, now=None) -> bool:
    """The same test as `Case.objects.overdue`: open, past its deadline, and not waiting for 补正."""
    now = now or timezone.now()
    return case.is_open and case.status != Status.PAUSED and case.due_at is not None and case.due_at < now


# ---- output --------------------------------------------------------------------------------------


class CaseOut(serializers.Serializer):
    """One case in a list."""

    id = serializers.IntegerField()
    code = serializers.CharField(help_text="查询码（12位）")
    channel = serializers.CharField(help_text=CHANNEL_HELP)
    channel_display = serializers.CharField(source="get_channel_display")
    is_service = serializers.BooleanField(help_text="政务服务办件；否则为事件工单")
    status = serializers.CharField(help_text=STATUS_HELP)
    status_display = serializers.CharField(source="get_status_display")
    title = serializers.CharField()
    matter = serializers.CharField(source="matter.code", allow_null=True, help_text="事项编码")
    matter_name = serializers.CharField(
        source="matter_version.name", allow_null=True, help_text="适用清单版本的事项名称"
    )
    township = serializers.CharField(source="township.code", allow_null=True, help_text="乡镇（街道）区划代码")
    township_name = serializers.CharField(source="township.name", allow_null=True)
    lead_unit = serializers.IntegerField(source="lead_unit_id", allow_null=True, help_text="承办单位 id")
    lead_unit_name = serializers.CharField(source="lead_unit.name", allow_null=True)
    registered_unit = serializers.IntegerField(source="registered_unit_id", allow_null=True, help_text="登记单位 id")
    registered_unit_name = serializers.CharField(source="registered_unit.name", allow_null=True)
    requester_name = serializers.CharField(source="masked_name", help_text="脱敏后的申请人/反映人姓名")
    requester_phone = serializers.CharField(source="masked_phone", help_text="脱敏后的联系电话")
    designated = serializers.BooleanField(help_text="指定承办（不可退单）")
    return_count = serializers.IntegerField(help_text="退单次数")
    due_at = serializers.DateTimeField(allow_null=True, help_text="办结期限")
    overdue = serializers.SerializerMethodField(help_text="已超期（未办结、已过办结期限、不在补正中）")
    result = serializers.CharField(help_text=RESULT_HELP)
    created_at = serializers.DateTimeField(help_text="登记时间")
    finished_at = serializers.DateTimeField(allow_null=True, help_text="办结时间")

    def get_overdue(self, case) -> bool:
        return is_overdue(case, self.context.get("now"))


class CaseEventOut(serializers.Serializer):
    action = serializers.CharField(help_text="操作代码，如 register、dispatch、sign")
    label = serializers.CharField(help_text="操作名称，如 登记、派单、签收")
    from_status = serializers.CharField(help_text="原状态代码；登记时为空")
    to_status = serializers.CharField(help_text="新状态代码")
    note = serializers.CharField(help_text="说明（理由、意见）")
    unit = serializers.IntegerField(source="unit_id", allow_null=True)
    unit_name = serializers.CharField(source="unit.name", allow_null=True)
    by = serializers.CharField(source="by.display_name", allow_null=True, help_text="操作人")
    at = serializers.DateTimeField()
    data = serializers.DictField(help_text="附加数据，如补正材料 missing、延期天数 days")


class CaseTaskOut(serializers.Serializer):
    unit = serializers.IntegerField(source="unit_id", help_text="配合单位 id")
    unit_name = serializers.CharField(source="unit.name")
    duty = serializers.CharField(help_text="配合职责")
    state = serializers.CharField(help_text="pending 待签收、signed 已签收、done 已完成")
    state_display = serializers.CharField(source="get_state_display")
    note = serializers.CharField()


class CaseEvaluationOut(serializers.Serializer):
    kind = serializers.CharField(help_text="requester 好差评、reverse 反向评价、follow_up 整改后复评")
    kind_display = serializers.CharField(source="get_kind_display")
    score = serializers.IntegerField(help_text="1–5；反向评价为三项平均")
    response_score = serializers.IntegerField(allow_null=True, help_text="反向评价：响应速度")
    quality_score = serializers.IntegerField(allow_null=True, help_text="反向评价：办理质量")
    cooperation_score = serializers.IntegerField(allow_null=True, help_text="反向评价：配合程度")
    unit = serializers.IntegerField(source="unit_id", allow_null=True, help_text="被评价单位 id")
    unit_name = serializers.CharField(source="unit.name", allow_null=True)
    comment = serializers.CharField()
    by = serializers.CharField(source="by.display_name", allow_null=True)
    at = serializers.DateTimeField()


class PendingExtensionOut(serializers.Serializer):
    days = serializers.IntegerField(help_text="申请延期的工作日数")
    reason = serializers.CharField()
    by = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()


class CaseDetailOut(CaseOut):
    """One case with its content, clock, history, cooperating units and evaluations."""

    text = serializers.CharField(help_text="内容")
    village = serializers.CharField(source="village.code", allow_null=True, help_text="村（社区）区划代码")
    village_name = serializers.CharField(source="village.name", allow_null=True)
    address = serializers.CharField(help_text="事发地点")
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    grid = serializers.CharField(source="grid.code", allow_null=True, help_text="网格编码（15位）")
    grid_name = serializers.CharField(source="grid.name", allow_null=True)
    assignee_name = serializers.CharField(
        source="assignee.name", allow_null=True, help_text="经办人：承办单位承接派单岗位的在岗人员"
    )
    assignee_note = serializers.CharField(help_text="经办人说明，如“A岗请假，由B岗顶岗”")
    routing = serializers.DictField(
        help_text=(
            "智能派单建议：version 模型版本；top 前三个事项（matter、name、probability、words，语义复核后另有"
            " phrase）；auto 自动派单；vague 内容笼统；refined 已由后台任务语义复核；held 未自动派单的原因"
        )
    )
    auto_dispatched = serializers.BooleanField(help_text="由智能派单自动派出")
    requester_id_number = serializers.SerializerMethodField(help_text="脱敏后的身份证号")
    requester_address = serializers.CharField(source="masked_address", help_text="脱敏后的联系地址")
    can_see_requester = serializers.SerializerMethodField(help_text="本人可通过 pii 接口查看完整申请人信息")
    external_no = serializers.CharField(help_text="外部工单号（如12345热线工单号）")
    started_on = serializers.DateField(allow_null=True, help_text="时限起算日")
    response_days = serializers.IntegerField(allow_null=True, help_text="响应时限（工作日）")
    limit_days = serializers.IntegerField(allow_null=True, help_text="办理时限（工作日）")
    extension_days = serializers.IntegerField(help_text="已批准延期（工作日）")
    paused_days = serializers.IntegerField(help_text="补正暂停（工作日）")
    dispatched_at = serializers.DateTimeField(allow_null=True)
    signed_at = serializers.DateTimeField(allow_null=True)
    reply = serializers.CharField(help_text="对群众的答复")
    visits = serializers.IntegerField(help_text="到场次数")
    reopened_from = serializers.CharField(source="reopened_from.code", allow_null=True, help_text="重办自（查询码）")
    merged_into = serializers.CharField(source="merged_into.code", allow_null=True, help_text="合并至（查询码）")
    duplicate_of = serializers.CharField(
        source="duplicate_of.code", allow_null=True, help_text="疑似重复的办件（查询码），待指挥中心合并或排除"
    )
    pending_extension = serializers.SerializerMethodField(help_text="待审批的延期申请；没有为 null")
    events = CaseEventOut(many=True, source="events.all", help_text="全部流转记录，按时间先后")
    tasks = CaseTaskOut(many=True, source="tasks.all", help_text="配合单位")
    evaluations = CaseEvaluationOut(many=True, source="evaluations.all", help_text="好差评、反向评价、整改后复评")

    def get_requester_id_number(self, case) -> str:
        return mask_id_number(case.requester_id_number)

    def get_can_see_requester(self, case) -> bool:
        request = self.context.get("request")
        return bool(request) and can_see_requester(request.user, case)

    @extend_schema_field(PendingExtensionOut(allow_null=True))
    def get_pending_extension(self, case):
        pending = [e for e in case.events.all() if e.action == "request_extension" and e.data.get("pending")]
        if not pending:
            return None
        event = pending[-1]
        by = event.by.display_name if event.by else None
        return PendingExtensionOut({"days": event.data["days"], "reason": event.note, "by": by, "at": event.at}).data


def detail_body(case: Case, request) -> dict:
    return CaseDetailOut(case_detail(case.pk), context={"request": request}).data
