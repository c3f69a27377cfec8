"""The cases REST API: scopes per role, masking and the logged reveal, idempotent registration, every action
through the API with the page's role rules, refusals in Chinese, filters, workbench counts, query counts, schema."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from jiceng.accounts.models import OperationLog
from jiceng.cases import actions
from jiceng.cases.models import Case, CaseTask, Channel, Result, Status
from jiceng.lib.validators import build_id_number

API = "/api/v1/cases/"
TZ = ZoneInfo("Asia/Shanghai")
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def a_working_tuesday():
    """Deadlines and the one-day return window are counted from an ordinary working day."""
    with time_machine.travel(datetime(2026, 11, 17, 10, tzinfo=TZ), tick=False):
        yield


class Api:
    """A client authenticated with the user's API token, as an integrating system is."""

    def __init__(self, client, user):
        token, _ = Token.objects.get_or_create(user=user)
        self.client, self.auth = client, {"HTTP_AUTHORIZATION": f"Token {token.key}"}

    def get(self, url="", params=None):
        return self.client.get(f"{API}{url}", params or {}, **self.auth)

    def post(self, url="", data=None, **headers):
        return self.client.post(f"{API}{url}", data or {}, content_type="application/json", **self.auth, **headers)

    def act(self, case, name, data=None, expect=200):
        code = case if isinstance(case, str) else case.code
        response = self.post(f"{code}/actions/{name}/", data)
        assert response.status_code == expect, (name, response.json())
        return response.json()


@pytest.fixture
def api(client):
    return lambda user: Api(client, user)


def report(cast, matters, *, by=None, township=None, **extra) -> Case:
    case, _ = actions.register_case(
        channel=Channel.GRID,
        title="柳树村有人在耕地上打地基",
        text="村东头麦地里正在打地基",
        matter=matters["event"],
        township=township or cast.regions.east,
        by=by,
        **extra,
    )
    return case


def codes(response) -> set[str]:
    assert response.status_code == 200, response.json()
    return {row["code"] for row in response.json()["results"]}


# ---- authentication and scopes -------------------------------------------------------------------


def test_an_unauthenticated_request_is_refused(client, cast):
    assert client.get(API).status_code == 401


def test_each_role_lists_and_reads_only_the_cases_in_its_scope(api, cast, matters):
    own = report(cast, matters, by=cast.users.grid)
    other = report(cast, matters, township=cast.regions.west)
    dispatched = actions.dispatch_case(report(cast, matters, township=cast.regions.west), by=None)
    visible = {
        "staffing": {own, other, dispatched},
        "dispatcher": {own, other, dispatched},
        "department": {dispatched},  # dispatched to the land bureau
        "grid": {own},  # only their own reports
        "east_leader": {own},
        "west_leader": {other, dispatched},
    }
    for name, expected in visible.items():
        user = api(getattr(cast.users, name))
        assert codes(user.get()) == {c.code for c in expected}, name
        for case in (own, other, dispatched):
            status = user.get(f"{case.code}/").status_code
            assert status == (200 if case in expected else 404), (name, case.title)


def test_a_case_is_found_by_its_code_in_any_case_or_by_its_id_and_a_missing_one_is_404(api, cast, matters):
    case = report(cast, matters)
    dispatcher = api(cast.users.dispatcher)

    assert dispatcher.get(f"{case.code.lower()}/").json()["code"] == case.code
    assert dispatcher.get(f"{case.pk}/").json()["code"] == case.code
    missing = dispatcher.get("ABCDEFGHJKLM/")
    assert (missing.status_code, missing.json()) == (404, {"detail": "对象不存在或不在您的数据范围内。"})


# ---- the detail, masking and the logged reveal ---------------------------------------------------


def test_the_detail_masks_the_requester_and_carries_history_tasks_and_evaluations(api, cast, matters):
    case = report(
        cast,
        matters,
        by=cast.users.grid,
        requester_name="张三丰",
        requester_phone=PHONE,
        requester_address="东岗镇柳树村三组十二号院",
        requester_id_number=build_id_number("411799", datetime(1980, 5, 6).date(), 31),
    )
    case = actions.sign_case(actions.dispatch_case(case, by=cast.users.dispatcher), by=cast.users.department)
    case = actions.finish_case(case, result=Result.SOLVED, reply="已拆除", by=cast.users.department)
    actions.reverse_evaluate(case, response=5, quality=4, cooperation=3, by=cast.users.grid)

    body = api(cast.users.department).get(f"{case.code}/").json()

    assert (body["requester_name"], body["requester_phone"]) == ("张**", "139****5678")
    assert body["requester_address"] == "东岗镇柳树村******"
    assert body["requester_id_number"].startswith("4117**********")
    assert PHONE not in str(body) and "张三丰" not in str(body)
    assert body["can_see_requester"] is True  # masked until asked for, then logged
    assert [e["action"] for e in body["events"]] == ["register", "dispatch", "sign", "finish"]
    assert [e["label"] for e in body["events"]][:3] == ["登记", "派单", "签收"]
    assert body["events"][1]["by"] == "paidan" and body["events"][1]["unit_name"] == "县自然资源局"
    assert [(t["unit_name"], t["state"]) for t in body["tasks"]] == [("东岗镇党政综合办公室", "pending")]
    assert [(e["kind"], e["score"], e["unit_name"]) for e in body["evaluations"]] == [("reverse", 4, "县自然资源局")]
    assert (body["status"], body["status_display"], body["result"]) == ("finished", "已办结", "solved")
    assert (body["matter"], body["matter_name"], body["township"]) == ("M001", "违法占用耕地建房", "411799100000")
    assert body["lead_unit"] == cast.units.land.pk and body["due_at"].startswith("2026-11-20T23:59:59")


def test_the_dispatcher_and_the_reporter_see_the_full_requester_and_each_view_is_logged(api, cast, matters):
    case = actions.dispatch_case(
        report(cast, matters, by=cast.users.grid, requester_name="张三丰", requester_phone=PHONE), by=None
    )

    for user in (cast.users.dispatcher, cast.users.grid):
        response = api(user).get(f"{case.code}/pii/")
        assert response.status_code == 200
        assert (response.json()["requester_name"], response.json()["requester_phone"]) == ("张三丰", PHONE)
        assert api(user).get(f"{case.code}/").json()["can_see_requester"] is True
    logs = OperationLog.objects.filter(action="查看办件申请人信息", object_id=str(case.pk))
    assert {log.user for log in logs} == {cast.users.dispatcher, cast.users.grid}


def test_a_township_leader_who_only_oversees_cannot_reveal_the_requester_and_nothing_is_logged(api, cast, matters):
    case = actions.dispatch_case(report(cast, matters, requester_name="张三丰", requester_phone=PHONE), by=None)
    assert case.registered_unit is None and case.lead_unit == cast.units.land

    refused = api(cast.users.east_leader).get(f"{case.code}/pii/")
    invisible = api(cast.users.west_leader).get(f"{case.code}/pii/")

    assert (refused.status_code, refused.json()) == (403, {"detail": "您没有查看该办件申请人完整信息的权限。"})
    assert invisible.status_code == 404
    assert not OperationLog.objects.filter(action="查看办件申请人信息").exists()


# ---- registration --------------------------------------------------------------------------------

WINDOW = {
    "channel": "window",
    "title": "城乡居民养老保险参保登记",
    "text": "办理参保登记",
    "matter": "S001",
    "requester_name": "刘桂兰",
    "requester_phone": PHONE,
}


def test_a_registration_retried_with_the_same_idempotency_key_is_registered_once(api, cast, matters):
    clerk = api(cast.users.east_clerk)

    first = clerk.post("", WINDOW, HTTP_IDEMPOTENCY_KEY="pad-0001")
    again = clerk.post("", WINDOW, HTTP_IDEMPOTENCY_KEY="pad-0001")
    other = clerk.post("", WINDOW, HTTP_IDEMPOTENCY_KEY="pad-0002")

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert again.json()["code"] == first.json()["code"] != other.json()["code"]
    assert Case.objects.count() == 2


def test_another_account_using_the_same_key_gets_its_own_case(api, cast, matters):
    first = api(cast.users.east_clerk).post("", WINDOW, HTTP_IDEMPOTENCY_KEY="k-1")
    second = api(cast.users.east_leader).post("", WINDOW, HTTP_IDEMPOTENCY_KEY="k-1")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["code"] != second.json()["code"]


def test_a_registration_takes_the_registering_unit_and_its_township_by_default(api, cast, matters):
    body = api(cast.users.east_clerk).post("", WINDOW).json()

    case = Case.objects.get(code=body["code"])
    assert (case.registered_unit, case.registered_by, case.township) == (
        cast.units.east_hall,
        cast.users.east_clerk,
        cast.regions.east,
    )
    assert (body["status"], body["channel_display"], body["is_service"]) == ("registered", "窗口", True)
    assert (body["requester_name"], body["requester_phone"]) == ("刘**", "139****5678")
    assert body["events"][0]["action"] == "register"


def test_a_grid_worker_reports_from_their_village(api, cast, matters):
    body = api(cast.users.grid).post(
        "",
        {"channel": "grid", "title": "违建", "text": "村东头", "village": cast.regions.village.code, "matter": "M001"},
    )
    assert body.status_code == 201
    case = Case.objects.get(code=body.json()["code"])
    assert (case.township, case.village, case.registered_unit) == (
        cast.regions.east,
        cast.regions.village,
        cast.units.east_village,
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "该字段不能为空。"),
        ({"channel": "fax"}, "channel", "来源渠道“fax”无效"),
        ({"matter": "M999"}, "matter", "事项编码“M999”不存在。"),
        ({"requester_phone": "1391234"}, "requester_phone", "手机号"),
        ({"requester_id_number": "411799198001010000"}, "requester_id_number", "身份证号"),
        ({"township": "411799101000", "village": "411799100201"}, "village", "“柳树村”不属于河西镇。"),
        ({"township": "411799000000"}, "township", "不存在"),  # the county is not a township
        ({"unit": 0}, "unit", "单位“0”不存在。"),
    ],
)
def test_a_bad_registration_is_refused_in_chinese_and_creates_nothing(api, cast, matters, change, field, message):
    response = api(cast.users.east_clerk).post("", {**WINDOW, **change})

    assert response.status_code == 400
    assert message in response.json()[field][0], response.json()
    assert not Case.objects.exists()


def test_a_clerk_cannot_register_in_the_name_of_another_unit_nor_a_department_at_all(api, cast, matters):
    elsewhere = api(cast.users.east_clerk).post("", {**WINDOW, "unit": cast.units.west_office.pk})
    department = api(cast.users.department).post("", WINDOW)

    assert elsewhere.json() == {"unit": ["您不能以“河西镇党政综合办公室”的名义登记办件。"]}
    assert (department.status_code, department.json()) == (403, {"detail": "您的角色没有此项权限。"})
    assert not Case.objects.exists()


def test_a_hotline_order_is_registered_once_and_not_shown_to_another_account(api, cast, matters):
    order = {"channel": "hotline", "title": "夜间施工噪声扰民", "text": "工地夜里施工", "external_no": "HL-0001"}

    first = api(cast.users.dispatcher).post("", order)
    again = api(cast.users.dispatcher).post("", order)
    elsewhere = api(cast.users.west_leader).post("", order)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["code"] == first.json()["code"]
    assert elsewhere.status_code == 400
    assert elsewhere.json() == {"external_no": ["该渠道的外部工单号“HL-0001”已登记。"]}
    assert Case.objects.count() == 1


def test_a_batch_of_hotline_orders_is_registered_in_order_and_a_pushed_again_order_is_not_doubled(api, cast, matters):
    dispatcher = api(cast.users.dispatcher)
    orders = [
        {"channel": "hotline", "title": f"夜间施工噪声扰民{n}", "text": "工地夜里施工", "external_no": f"HL-{n}"}
        for n in range(3)
    ]
    first = dispatcher.post("batch/", {"cases": orders[:2]})
    again = dispatcher.post("batch/", {"cases": orders})

    assert first.status_code == 201 and again.status_code == 201
    one, two = first.json()["results"]
    assert [r["created"] for r in again.json()["results"]] == [False, False, True]
    assert [r["code"] for r in again.json()["results"][:2]] == [one["code"], two["code"]]
    assert Case.objects.count() == 3
    assert set(Case.objects.values_list("external_no", flat=True)) == {"HL-0", "HL-1", "HL-2"}


def test_a_batch_with_a_bad_case_is_refused_row_by_row_and_registers_nothing(api, cast, matters):
    good = {"channel": "hotline", "title": "噪声", "text": "工地夜里施工"}
    response = api(cast.users.dispatcher).post("batch/", {"cases": [good, {**good, "requester_phone": "1391234"}]})

    assert response.status_code == 400
    errors = response.json()["cases"]  # by position in the batch, only the bad ones
    assert list(errors) == ["1"] and "手机号" in errors["1"]["requester_phone"][0]
    assert not Case.objects.exists()
    department = api(cast.users.department).post("batch/", {"cases": [good]})
    assert department.status_code == 403 and not Case.objects.exists()


def test_an_overlong_idempotency_key_is_refused(api, cast, matters):
    response = api(cast.users.east_clerk).post("", WINDOW, HTTP_IDEMPOTENCY_KEY="x" * 65)

    assert response.status_code == 400 and "Idempotency-Key" in response.json()["detail"]
    assert not Case.objects.exists()


# ---- actions: happy paths ------------------------------------------------------------------------


def test_an_event_from_report_to_archive_through_the_api(api, cast, matters):
    grid, dispatcher, department = api(cast.users.grid), api(cast.users.dispatcher), api(cast.users.department)
    case = grid.post("", {"channel": "grid", "title": "违建", "text": "村东头打地基", "matter": "M001"}).json()["code"]

    body = dispatcher.act(case, "dispatch")  # by the catalog
    assert (body["status"], body["lead_unit_name"]) == ("dispatched", "县自然资源局")
    assert [t["unit_name"] for t in body["tasks"]] == ["东岗镇党政综合办公室"]
    assert department.act(case, "sign")["status"] == "handling"
    body = department.act(case, "request_extension", {"days": 2, "reason": "需要测绘"})
    assert body["pending_extension"]["days"] == 2 and body["pending_extension"]["reason"] == "需要测绘"
    body = dispatcher.act(case, "approve_extension", {"note": "同意"})
    assert (body["extension_days"], body["pending_extension"]) == (2, None)
    department.act(case, "finish", {"result": "solved", "reply": "已责令停工"})
    assert grid.act(case, "send_back", {"reason": "地基仍在"})["status"] == "handling"
    department.act(case, "finish", {"result": "solved", "reply": "地基已拆除复耕"})
    assert grid.act(case, "verify")["status"] == "verified"
    body = grid.act(case, "reverse_evaluate", {"response": 5, "quality": 4, "cooperation": 3})
    assert body["evaluations"][0]["score"] == 4
    assert grid.act(case, "rate", {"score": 5, "comment": "很快"})["status"] == "rated"
    body = dispatcher.act(case, "archive")

    assert body["status"] == "archived"
    assert [e["action"] for e in body["events"]] == [
        "register",
        "dispatch",
        "sign",
        "request_extension",
        "decide_extension",
        "finish",
        "send_back",
        "finish",
        "verify",
        "rate",
        "archive",
    ]


def test_a_service_application_accepted_supplemented_finished_and_rectified(api, cast, matters):
    clerk, dispatcher = api(cast.users.east_clerk), api(cast.users.dispatcher)
    case = clerk.post("", WINDOW).json()["code"]

    body = clerk.act(case, "accept")  # a service item the hall handles itself starts at once
    assert (body["status"], body["lead_unit_name"]) == ("handling", "东岗镇便民服务中心")
    body = clerk.act(case, "supplement", {"missing": ["户口簿复印件", "银行卡"]})
    assert body["status"] == "paused" and body["events"][-1]["data"]["missing"] == ["户口簿复印件", "银行卡"]
    assert clerk.act(case, "resume")["status"] == "handling"
    clerk.act(case, "request_extension", {"days": 1, "reason": "等待社保系统"})
    assert dispatcher.act(case, "refuse_extension")["extension_days"] == 0
    clerk.act(case, "finish", {"result": "solved", "reply": "已参保"})
    clerk.act(case, "rate", {"score": 2, "comment": "跑了两趟"})
    clerk.act(case, "rectify", {"note": "已改为一次告知"})
    body = clerk.act(case, "follow_up", {"score": 4})

    assert [(e["kind"], e["score"]) for e in body["evaluations"]] == [("requester", 2), ("follow_up", 4)]
    assert Case.objects.get(code=case).rectification.done_note == "已改为一次告知"


def test_return_redispatch_reassign_reject_withdraw_and_reopen(api, cast, matters):
    dispatcher, department, clerk = api(cast.users.dispatcher), api(cast.users.department), api(cast.users.east_clerk)
    case = report(cast, matters)

    dispatcher.act(case, "dispatch")
    body = department.act(case, "return", {"reason": "不属本单位职责"})
    assert (body["status"], body["return_count"], body["lead_unit"]) == ("returned", 1, None)
    body = dispatcher.act(case, "dispatch", {"unit": cast.units.land.pk, "designate": True, "note": "指定承办"})
    assert (body["status"], body["designated"]) == ("dispatched", True)
    body = dispatcher.act(case, "reassign", {"unit": cast.units.east_office.pk, "reason": "属地先行处置"})
    assert (body["status"], body["lead_unit_name"]) == ("dispatched", "东岗镇党政综合办公室")

    window = clerk.post("", WINDOW).json()["code"]
    assert clerk.act(window, "reject", {"reason": "不属于本中心受理范围"})["status"] == "rejected"
    window = clerk.post("", WINDOW).json()["code"]
    assert clerk.act(window, "withdraw")["events"][-1]["note"] == "申请人撤回"

    finished = actions.finish_case(
        actions.sign_case(actions.dispatch_case(report(cast, matters), by=None), by=None),
        result=Result.SOLVED,
        reply="已处理",
        by=None,
    )
    again = dispatcher.act(finished, "reopen", {"reason": "又开始打地基"}, expect=201)
    assert again["code"] != finished.code and again["reopened_from"] == finished.code
    assert (again["status"], again["lead_unit_name"]) == ("dispatched", "县自然资源局")


def test_a_flagged_duplicate_is_merged_or_dismissed(api, cast, matters):
    place = {"village": cast.regions.village, "address": "村东头麦地"}
    first, second, third = (report(cast, matters, **place) for _ in range(3))
    dispatcher = api(cast.users.dispatcher)
    assert dispatcher.get(f"{second.code}/").json()["duplicate_of"] == first.code

    unknown = dispatcher.act(second, "merge", {"into": "ABCDEFGHJKLM"}, expect=400)
    merged = dispatcher.act(second, "merge", {"into": first.code.lower()})
    kept = dispatcher.act(third, "not_duplicate")

    assert unknown == {"into": ["找不到查询码为“ABCDEFGHJKLM”的办件。"]}
    assert (merged["status"], merged["merged_into"], merged["duplicate_of"]) == ("merged", first.code, None)
    assert kept["duplicate_of"] is None and kept["events"][-1]["action"] == "not_duplicate"


# ---- actions: who may, and refusals --------------------------------------------------------------


def test_the_role_checks_are_the_case_pages(api, cast, matters):
    dispatched = actions.dispatch_case(report(cast, matters, by=cast.users.grid), by=None)

    def refused(user, case, name, data=None):
        return api(user).act(case, name, data, expect=403)["detail"]

    assert refused(cast.users.department, dispatched, "dispatch") == "您的角色不能执行此操作。"
    assert refused(cast.users.east_leader, dispatched, "sign") == "该办件不是派给您所在单位的。"
    assert refused(cast.users.dispatcher, dispatched, "verify") == "只有上报人可以核查。"
    # 东岗镇 sees a case in its township, but it was not registered there.
    assert refused(cast.users.east_leader, report(cast, matters), "withdraw") == "只有登记该办件的单位可以执行此操作。"
    assert api(cast.users.west_leader).act(dispatched, "withdraw", expect=404)
    assert Case.objects.get(pk=dispatched.pk).status == Status.DISPATCHED


def test_a_refused_transition_is_400_with_the_chinese_reason_and_changes_nothing(api, cast, matters):
    case = actions.dispatch_case(report(cast, matters), by=None)
    dispatcher = api(cast.users.dispatcher)

    assert dispatcher.act(case, "accept", expect=400) == {"detail": "办件已派单，不能受理。"}
    assert dispatcher.act(case, "archive", expect=400) == {"detail": "办件已派单，不能归档。"}
    api(cast.users.department).act(case, "sign")
    again = api(cast.users.department).act(case, "sign", expect=400)
    assert "已由bumen于" in again["detail"] and "签收" in again["detail"]
    assert Case.objects.get(pk=case.pk).events.count() == 3


def test_bad_action_input_is_400_per_field_and_an_unknown_action_404(api, cast, matters):
    case = actions.sign_case(actions.dispatch_case(report(cast, matters), by=None), by=None)
    department = api(cast.users.department)

    assert department.act(case, "finish", {"result": "done"}, expect=400) == {
        "result": [
            "办理结果“done”无效，应为：solved（已解决）、partly（部分解决）、unsolved（未解决）、unfounded（不属实）。"
        ],
        "reply": ["该字段是必填项。"],
    }
    assert department.act(case, "request_extension", {"days": 0, "reason": "x"}, expect=400) == {
        "days": ["延期天数至少1个工作日。"]
    }
    assert department.act(case, "supplement", {"missing": []}, expect=400) == {
        "missing": ["请列出需要补正的全部材料。"]
    }
    assert department.act(case, "supplement", {"missing": [" "]}, expect=400) == {
        "missing": ["请列出需要补正的全部材料。"]
    }
    assert api(cast.users.dispatcher).act(case, "dispatch", {"unit": 0}, expect=400) == {"unit": ["单位“0”不存在。"]}
    assert department.act(case, "shred", expect=404) == {"detail": "没有名为“shred”的操作。"}
    assert Case.objects.get(pk=case.pk).status == Status.HANDLING


# ---- filters -------------------------------------------------------------------------------------


@pytest.fixture
def several(cast, matters):
    """A dispatched report past its deadline, an undispatched hotline order, and a 河西镇 report."""
    late = actions.dispatch_case(report(cast, matters, address="村东头麦地"), by=None)
    Case.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    hotline, _ = actions.register_case(
        channel=Channel.HOTLINE,
        title="夜间施工噪声扰民",
        text="工地夜里施工",
        township=cast.regions.east,
        external_no="HL-2026-0001",
    )
    west = report(cast, matters, township=cast.regions.west)
    Case.objects.filter(pk=west.pk).update(created_at=timezone.now() - timedelta(days=10))
    return late, hotline, west


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"late", "hotline", "west"}),
        ({"status": "dispatched"}, {"late"}),
        ({"status": "registered, dispatched"}, {"late", "hotline", "west"}),
        ({"channel": "hotline"}, {"hotline"}),
        ({"township": "411799101000"}, {"west"}),
        ({"matter": "M001"}, {"late", "west"}),
        ({"overdue": "true"}, {"late"}),
        ({"overdue": "false"}, {"hotline", "west"}),
        ({"q": "噪声"}, {"hotline"}),
        ({"q": "HL-2026-0001"}, {"hotline"}),
        ({"q": "村东头"}, {"late"}),
        ({"created_after": "2026-11-17"}, {"late", "hotline"}),
        ({"created_before": "2026-11-16"}, {"west"}),
    ],
)
def test_the_list_filters(api, cast, several, params, expected):
    names = dict(zip(("late", "hotline", "west"), several, strict=True))

    assert codes(api(cast.users.dispatcher).get("", params)) == {names[n].code for n in expected}


def test_the_list_filters_by_lead_unit_and_code_and_orders_by_deadline(api, cast, several):
    late, _, west = several
    dispatcher = api(cast.users.dispatcher)

    assert codes(dispatcher.get("", {"lead_unit": cast.units.land.pk})) == {late.code}
    assert codes(dispatcher.get("", {"q": west.code.lower()})) == {west.code}
    by_deadline = [row["code"] for row in dispatcher.get("", {"ordering": "due_at"}).json()["results"]]
    assert by_deadline[0] == late.code  # cases without a deadline come last
    assert dispatcher.get("", {"ordering": "due_at"}).json()["results"][0]["overdue"] is True


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"status": "open,lost"}, "status", "状态“open、lost”无效"),
        ({"created_after": "2026-13-01"}, "created_after", "日期格式不正确，应为 YYYY-MM-DD。"),
        (
            {"created_after": "2026-11-20", "created_before": "2026-11-01"},
            "created_before",
            "结束日期不能早于开始日期。",
        ),
        ({"ordering": "title"}, "ordering", "排序“title”无效，应为：-created_at（登记时间从新到旧）"),
        ({"township": "999999999999"}, "township", "乡镇（街道）区划代码“999999999999”不存在。"),
    ],
)
def test_bad_filters_are_explained_in_chinese(api, cast, several, params, field, message):
    response = api(cast.users.dispatcher).get("", params)

    assert response.status_code == 400
    assert message in response.json()[field][0]


# ---- workbench -----------------------------------------------------------------------------------


def test_the_workbench_counts_the_units_queues_and_the_list_shows_one(api, cast, matters):
    signing = actions.dispatch_case(report(cast, matters), by=None)
    handling = actions.sign_case(actions.dispatch_case(report(cast, matters), by=None), by=None)
    late = actions.sign_case(actions.dispatch_case(report(cast, matters), by=None), by=None)
    Case.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    Case.objects.filter(pk=handling.pk).update(due_at=timezone.now() + timedelta(hours=3))
    department = api(cast.users.department)

    body = department.get("workbench/").json()

    assert [(q["key"], q["label"], q["count"]) for q in body["queues"]] == [
        ("signing", "待签收", 1),
        ("handling", "办理中", 2),
        ("due_soon", "即将超期", 1),  # due by the end of the next working day, not yet past
        ("overdue", "已超期", 1),
        ("cooperating", "配合任务", 0),
        ("rectifying", "待整改", 0),
    ]
    assert codes(department.get("", {"queue": "signing"})) == {signing.code}
    assert codes(department.get("", {"queue": "overdue"})) == {late.code}
    assert api(cast.users.grid).get("workbench/").status_code == 403
    assert api(cast.users.grid).get("", {"queue": "signing"}).status_code == 403


# ---- query counts and schema ---------------------------------------------------------------------


def test_the_list_and_the_detail_do_not_grow_with_the_number_of_cases(api, cast, matters):
    department = api(cast.users.department)

    def add_cases(n):
        for _ in range(n):
            case = actions.dispatch_case(report(cast, matters, by=cast.users.grid), by=None)
            case = actions.sign_case(case, by=cast.users.department)
            actions.request_extension(case, days=1, reason="x", by=cast.users.department)

    def queries():
        counts = {}
        case = Case.objects.first()
        for name, url in (("list", ""), ("detail", f"{case.code}/"), ("workbench", "workbench/")):
            with CaptureQueriesContext(connection) as captured:
                assert department.get(url).status_code == 200
            counts[name] = len(captured)
        return counts

    add_cases(2)
    few = queries()
    add_cases(6)
    assert CaseTask.objects.count() == 8  # every case has a cooperating unit to show
    assert queries() == few


def test_the_schema_lists_the_case_endpoints_and_validates_without_warnings(client, cast, tmp_path):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]

    for endpoint in ("", "{code}/", "{code}/pii/", "workbench/", "{code}/actions/dispatch/", "{code}/actions/merge/"):
        assert f"{API}{endpoint}" in paths, endpoint
    for name in ("accept", "reassign", "reopen", "reverse_evaluate", "approve_extension", "send_back"):
        assert f"{API}{{code}}/actions/{name}/" in paths, name
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
