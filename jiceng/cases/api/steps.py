"""Cases API: one endpoint per lifecycle action, `POST {code}/actions/{name}/`.

Who may run which action is `jiceng.cases.permissions` (the same table as the case page); what the case's
status allows, and every other rule, is the action's. A refused action is a DomainError: 400 with its
Chinese message, as everywhere in the API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.accounts.roles import Perm
from jiceng.catalog.api.common import by_code
from jiceng.catalog.models import Matter
from jiceng.orgs.api import choice_field, require
from jiceng.orgs.models import Unit

from .. import actions
from ..models import Case, Result
from ..permissions import ACTION_RULES, COOPERATOR, REPORTER, check_action, cooperating_task
from .common import CaseDetailOut, detail_body, find_case

# ---- input ---------------------------------------------------------------------------------------

SCORE_ERRORS = {"min_value": "评分应为1至5。", "max_value": "评分应为1至5。", "invalid": "评分应为1至5的整数。"}
UNIT_ERRORS = {"does_not_exist": "单位“{pk_value}”不存在。", "incorrect_type": "单位应为单位 id。"}


def score_field(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=5, error_messages=SCORE_ERRORS, help_text=help_text)


def note_field(help_text: str, **kwargs) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, default="", help_text=help_text, **kwargs)


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(help_text="理由")


class OptionalReasonIn(serializers.Serializer):
    reason = note_field("理由，默认“申请人撤回”")


class CaseNoteIn(serializers.Serializer):
    note = note_field("意见")


class RectifyIn(serializers.Serializer):
    note = serializers.CharField(help_text="整改情况")


def unit_field(help_text: str) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True, error_messages=UNIT_ERRORS, help_text=help_text
    )


def matter_field(help_text: str):
    return by_code(Matter.objects.all(), "事项编码", required=False, allow_null=True, help_text=help_text)


class DispatchIn(serializers.Serializer):
    unit = unit_field("承办单位 id；不填则按职责清单确定承办和配合单位")
    matter = matter_field("事项编码：确定或更正办件的事项（如采纳智能派单的建议）后按清单派单")
    designate = serializers.BooleanField(
        required=False, default=False, help_text="指定承办（不可退单）；退单3次后必须指定"
    )
    note = note_field("派单说明")


class ReassignIn(serializers.Serializer):
    unit = unit_field("改派到的承办单位 id；只更正事项时可不填（按清单取新事项的牵头单位）")
    matter = matter_field("更正后的事项编码（派错事项时填写；配合单位随之按清单更新）")
    reason = serializers.CharField(help_text="改派理由")


class MergeIn(serializers.Serializer):
    into = serializers.CharField(max_length=16, help_text="合并到的办件查询码（须在您的数据范围内、尚未办结）")
    note = note_field("说明，默认“与××重复，合并办理”")


class SupplementIn(serializers.Serializer):
    missing = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        allow_empty=False,
        error_messages={"empty": "请列出需要补正的全部材料。"},
        help_text="需要补正的全部材料，一项一条（政务服务办件只能补正一次）",
    )


class ExtensionIn(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=1,
        max_value=60,
        error_messages={"min_value": "延期天数至少1个工作日。", "max_value": "延期不能超过60个工作日。"},
        help_text="延期工作日数（1–60）",
    )
    reason = serializers.CharField(help_text="延期理由")


class FinishIn(serializers.Serializer):
    result = choice_field(Result.choices, "办理结果", help_text="办理结果代码")
    reply = serializers.CharField(help_text="对群众的答复")


class RateIn(serializers.Serializer):
    score = score_field("评分：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意（1–2分为差评，需整改）")
    comment = note_field("评价意见")


class ReverseIn(serializers.Serializer):
    response = score_field("响应速度 1–5")
    quality = score_field("办理质量 1–5")
    cooperation = score_field("配合程度 1–5")
    comment = note_field("评价意见")


# ---- the actions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str
    summary: str
    run: Callable[[Case, object, dict], Case]
    body: type[serializers.Serializer] | None = None
    creates: bool = False  # the action makes a new case (重办): 201 with that case


def _merge(case: Case, user, data: dict) -> Case:
    code = data["into"].strip().upper()
    target = Case.objects.visible_to(user).filter(code=code).first()
    if target is None:
        raise serializers.ValidationError({"into": [f"找不到查询码为“{code}”的办件。"]})
    return actions.merge_case(case, into=target, by=user, note=data["note"])


STEPS = [
    Step(
        "accept",
        "受理（政务服务办件由登记单位受理即开始办理）",
        lambda c, u, d: actions.accept_case(c, by=u, unit=c.registered_unit),
    ),
    Step("reject", "不予受理", lambda c, u, d: actions.reject_case(c, reason=d["reason"], by=u), ReasonIn),
    Step("dispatch", "派单（不指定单位时按职责清单）", lambda c, u, d: actions.dispatch_case(c, by=u, **d), DispatchIn),
    Step("reassign", "改派（办理时限不重新起算）", lambda c, u, d: actions.reassign_case(c, by=u, **d), ReassignIn),
    Step("merge", "合并重复件到另一办件", _merge, MergeIn),
    Step("not_duplicate", "排除疑似重复", lambda c, u, d: actions.dismiss_duplicate(c, by=u)),
    Step("sign", "签收", lambda c, u, d: actions.sign_case(c, by=u, unit=c.lead_unit)),
    Step(
        "return",
        "退单（派单后1个工作日内）",
        lambda c, u, d: actions.return_case(c, reason=d["reason"], by=u),
        ReasonIn,
    ),
    Step(
        "supplement",
        "一次性告知补正（办理时限暂停）",
        lambda c, u, d: actions.request_supplement(c, missing=d["missing"], by=u, unit=c.lead_unit),
        SupplementIn,
    ),
    Step("resume", "补正完成，恢复计时", lambda c, u, d: actions.resume_case(c, by=u, unit=c.lead_unit)),
    Step(
        "request_extension",
        "申请延期",
        lambda c, u, d: actions.request_extension(c, by=u, unit=c.lead_unit, **d),
        ExtensionIn,
    ),
    Step(
        "approve_extension",
        "同意延期",
        lambda c, u, d: actions.decide_extension(c, approve=True, note=d["note"], by=u),
        CaseNoteIn,
    ),
    Step(
        "refuse_extension",
        "不同意延期",
        lambda c, u, d: actions.decide_extension(c, approve=False, note=d["note"], by=u),
        CaseNoteIn,
    ),
    Step("finish", "办结", lambda c, u, d: actions.finish_case(c, by=u, **d), FinishIn),
    Step(
        "verify",
        "核查通过（上报人现场核查）",
        lambda c, u, d: actions.verify_case(c, passed=True, note=d["note"], by=u),
        CaseNoteIn,
    ),
    Step(
        "send_back",
        "核查退回（上报人说明现场情况）",
        lambda c, u, d: actions.verify_case(c, passed=False, note=d["reason"], by=u),
        ReasonIn,
    ),
    Step("withdraw", "撤回", lambda c, u, d: actions.withdraw_case(c, reason=d["reason"], by=u), OptionalReasonIn),
    Step("archive", "归档", lambda c, u, d: actions.archive_case(c, by=u)),
    Step("rate", "好差评（代群众录入）", lambda c, u, d: actions.rate_case(c, by=u, **d), RateIn),
    Step("rectify", "差评整改完成", lambda c, u, d: actions.rectify_case(c, note=d["note"], by=u), RectifyIn),
    Step(
        "task_report",
        "配合单位反馈配合情况",
        lambda c, u, d: actions.report_task(c, unit=cooperating_task(u, c).unit, note=d["note"], by=u),
        RectifyIn,
    ),
    Step(
        "resume_intake",
        "窗口补正完成，继续受理并按清单转办",
        lambda c, u, d: actions.resume_case(c, by=u, unit=c.registered_unit),
    ),
    Step("follow_up", "整改后复评", lambda c, u, d: actions.rate_follow_up(c, by=u, **d), RateIn),
    Step(
        "reverse_evaluate", "反向评价承办的县直部门", lambda c, u, d: actions.reverse_evaluate(c, by=u, **d), ReverseIn
    ),
    Step(
        "reopen",
        "重办：新建关联办件并派给原承办单位",
        lambda c, u, d: actions.reopen_case(c, reason=d["reason"], by=u),
        ReasonIn,
        creates=True,
    ),
]


class StepView(APIView):
    """Run one action: the case by its code, the role check, the body, the action, the case as it is now."""

    step: Step

    def run(self, request, code: str) -> Response:
        require(request.user, Perm.VIEW_CASES)
        case = find_case(request.user, code)
        check_action(request.user, case, self.step.name)
        data = {}
        if self.step.body is not None:
            body = self.step.body(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
        result = self.step.run(case, request.user, data)
        code = status.HTTP_201_CREATED if self.step.creates else status.HTTP_200_OK
        return Response(detail_body(result, request), status=code)


WHO = {
    Perm.HANDLE_CASES: "承办单位：办件的承办单位在本人“办理”数据范围内",
    Perm.DISPATCH_CASES: "指挥中心派单员",
    Perm.REGISTER_CASES: "登记该办件的单位（在本人“登记”数据范围内）或上报人本人，以及派单员",
    REPORTER: "上报人本人",
    COOPERATOR: "配合单位：本人“办理”数据范围内、尚未反馈的配合单位",
}


def step_view(step: Step) -> type[StepView]:
    responses = {201 if step.creates else 200: CaseDetailOut}
    description = (
        f"可执行：{WHO[ACTION_RULES[step.name]]}。办件须在本人数据范围内（否则404）；"
        "角色不符返回403；办件状态或业务规则不允许时返回400及原因。"
        + ("返回重办生成的新办件（201）。" if step.creates else "返回操作后的办件。")
    )

    @extend_schema(request=step.body, responses=responses, summary=step.summary, description=description)
    def post(self, request, code):
        return self.run(request, code)

    return type(f"{step.name.title().replace('_', '')}View", (StepView,), {"step": step, "post": post})


class UnknownStep(APIView):
    @extend_schema(exclude=True)
    def post(self, request, code, name):
        raise NotFound(f"没有名为“{name}”的操作。")


urlpatterns = [
    *(path(f"<str:code>/actions/{s.name}/", step_view(s).as_view(), name=f"api-case-{s.name}") for s in STEPS),
    path("<str:code>/actions/<str:name>/", UnknownStep.as_view(), name="api-case-unknown-action"),
]
