"""Actions from the case page: who may do what, and the printed 不予受理通知书."""

import pytest

from jiceng.accounts.models import OperationLog
from jiceng.cases import actions
from jiceng.cases.models import Case, Channel, Evaluation, Result, Status

from .test_case_flow import grid_report


def post(client, user, case, name, **data):
    client.force_login(user)
    return client.post(f"/cases/{case.pk}/do/{name}/", data, follow=True)


@pytest.fixture
def called(cast, matters):
    """A 乡呼 from 东岗镇, handled and finished by the county department."""
    case, _ = actions.register_case(
        channel=Channel.TOWNSHIP_CALL,
        title="违建",
        text="x",
        matter=matters["event"],
        township=cast.regions.east,
        by=cast.users.east_leader,
        unit=cast.units.east_root,
    )
    case = actions.sign_case(actions.dispatch_case(case, by=None), by=None)
    return actions.finish_case(case, result=Result.SOLVED, reply="已拆除", by=None)


def test_the_calling_township_rates_the_department_and_another_township_cannot(client, cast, called):
    response = post(client, cast.users.west_leader, called, "reverse_evaluate", response=1, quality=1, cooperation=1)
    assert response.status_code == 404  # another township does not even see the case
    response = post(client, cast.users.east_leader, called, "reverse_evaluate", response=5, quality=4, cooperation=3)
    assert "已办理" in response.content.decode()
    evaluation = Evaluation.objects.get(case=called, kind=Evaluation.Kind.REVERSE)
    assert (evaluation.unit, evaluation.score, evaluation.by) == (cast.units.land, 4, cast.users.east_leader)


def test_the_department_cannot_record_its_own_rating(client, cast, called):
    response = post(client, cast.users.department, called, "rate", score=5)
    assert response.status_code == 403
    assert not Evaluation.objects.filter(case=called).exists()


def test_a_callback_rating_of_two_opens_a_rectification_the_department_fills_in(client, cast, called):
    post(client, cast.users.east_leader, called, "rate", score=2, comment="没拆干净")
    called.refresh_from_db()
    assert called.status == Status.RATED and called.rectification.done_at is None
    client.force_login(cast.users.department)
    assert [c.pk for c in client.get("/cases/workbench/?tab=rectifying").context["page"]] == [called.pk]
    body = post(client, cast.users.department, called, "rectify", note="已清运建筑垃圾").content.decode()
    assert "已办理" in body
    called.rectification.refresh_from_db()
    assert called.rectification.done_note == "已清运建筑垃圾"


def test_a_rating_without_a_score_is_refused_in_chinese(client, cast, called):
    body = post(client, cast.users.east_leader, called, "rate", score="").content.decode()
    assert "请选择评分" in body
    assert not Evaluation.objects.filter(case=called).exists()


def test_a_dispatcher_merges_a_flagged_duplicate_from_the_case_page(client, cast, matters):
    first = grid_report(cast, matters, latitude=32.98, longitude=114.02)
    second = grid_report(cast, matters, latitude=32.98, longitude=114.02)
    client.force_login(cast.users.dispatcher)
    page = client.get(f"/cases/{second.pk}/").content.decode()
    assert f"合并到 {first.code}" in page and "疑似与" in page
    post(client, cast.users.dispatcher, second, "merge", into=first.code.lower())
    assert Case.objects.get(pk=second.pk).merged_into == first


def test_merging_into_an_unknown_code_says_so(client, cast, matters):
    case = grid_report(cast, matters)
    body = post(client, cast.users.dispatcher, case, "merge", into="NOPE").content.decode()
    assert "找不到查询码为“NOPE”的办件" in body
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED


def test_a_rejected_application_prints_its_notice_with_the_reason(client, cast, matters):
    case, _ = actions.register_case(
        channel=Channel.WINDOW,
        title="城乡居民养老保险参保登记",
        text="x",
        matter=matters["service"],
        township=cast.regions.east,
        by=cast.users.east_clerk,
        unit=cast.units.east_hall,
        requester_name="刘桂兰",
    )
    post(client, cast.users.east_clerk, case, "reject", reason="申请人已在职工养老保险参保，不属于城乡居民参保范围")
    body = client.get(f"/cases/{case.pk}/receipt/").content.decode()
    assert "不予受理通知书" in body and "不属于城乡居民参保范围" in body and "行政复议" in body
    assert Case.objects.get(pk=case.pk).status == Status.REJECTED


def test_the_handling_department_reveals_the_requester_with_a_log_entry_and_a_leader_cannot(client, cast, matters):
    case, _ = actions.register_case(
        channel=Channel.HOTLINE,
        title="噪声",
        text="x",
        township=cast.regions.east,
        requester_name="刘桂兰",
        requester_phone="13912345678",
    )
    case = actions.dispatch_case(case, by=None, unit=cast.units.land)
    client.force_login(cast.users.east_leader)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "13912345678" not in page and "139****5678" in page and "查看完整" not in page
    assert client.post(f"/cases/{case.pk}/requester/").status_code == 403
    client.force_login(cast.users.department)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "13912345678" not in page and "查看完整" in page
    body = client.post(f"/cases/{case.pk}/requester/").content.decode()
    assert "刘桂兰 13912345678" in body
    log = OperationLog.objects.get(action="查看办件申请人信息")
    assert (log.user, log.object_id) == (cast.users.department, str(case.pk))


def test_the_window_refuses_a_bad_id_number_on_its_field_and_registers_nothing(client, cast, matters):
    client.force_login(cast.users.east_clerk)
    response = client.post(
        f"/cases/window/?matter={matters['service'].pk}",
        {
            "matter": matters["service"].pk,
            "requester_name": "刘桂兰",
            "requester_phone": "13912345678",
            "requester_id_number": "411799198501010011",
        },
    )
    assert "校验位错误" in str(response.context["form"].errors["requester_id_number"])
    assert not Case.objects.exists()


def window_post(client, matter, **extra):
    data = {"matter": matter.pk, "requester_name": "刘桂兰", "requester_phone": "13912345678", **extra}
    return client.post(f"/cases/window/?matter={matter.pk}", data, follow=True)


def test_missing_materials_for_a_county_item_wait_at_the_window_then_go_to_the_department(client, cast, permit):
    client.force_login(cast.users.east_clerk)
    body = window_post(client, permit, materials=["居民身份证"], decision="accept").content.decode()
    assert "补正告知书" in body and "建房申请表" in body
    case = Case.objects.get()
    assert (case.status, case.lead_unit) == (Status.PAUSED, None)
    post(client, cast.users.east_clerk, case, "resume_intake")
    case.refresh_from_db()
    assert (case.status, case.lead_unit, case.visits) == (Status.DISPATCHED, cast.units.land, 2)
    assert [e.action for e in case.events.all()] == ["register", "accept", "supplement", "complete_intake", "dispatch"]


def test_the_window_refuses_an_application_and_prints_the_notice(client, cast, permit):
    client.force_login(cast.users.east_clerk)
    body = window_post(client, permit, decision="reject", reason=" ").content.decode()
    assert "请填写不予受理的理由" in body and not Case.objects.exists()
    body = window_post(client, permit, decision="reject", reason="宅基地不在村庄规划区内").content.decode()
    assert "不予受理通知书" in body and "宅基地不在村庄规划区内" in body
    assert Case.objects.get().status == Status.REJECTED


def test_a_cooperating_unit_sees_its_task_on_the_workbench_and_reports_it(client, cast, matters):
    from jiceng.accounts.roles import Role
    from jiceng.conftest import make_user

    office_clerk = make_user("office_clerk", Role.WINDOW_CLERK, cast.units.east_office)
    case = actions.dispatch_case(grid_report(cast, matters), by=None)  # 东岗镇党政综合办公室 cooperates
    client.force_login(office_clerk)
    board = client.get("/cases/workbench/?tab=cooperating")
    assert [c.pk for c in board.context["page"]] == [case.pk]
    assert "提交配合情况" in client.get(f"/cases/{case.pk}/").content.decode()
    body = post(client, office_clerk, case, "task_report", note=" ").content.decode()
    assert "请填写配合情况" in body
    post(client, office_clerk, case, "task_report", note="已安排网格员每日巡查")
    task = case.tasks.get()
    assert (task.state, task.note) == ("done", "已安排网格员每日巡查")
    assert case.events.filter(action="task_report", unit=cast.units.east_office).exists()
    assert list(client.get("/cases/workbench/?tab=cooperating").context["page"]) == []
    assert post(client, office_clerk, case, "task_report", note="再报一次").status_code == 403
    assert post(client, cast.users.department, case, "task_report", note="x").status_code == 403  # the lead unit


@pytest.mark.parametrize("literal_limit", [2_000, 0])
def test_a_cooperating_unit_sees_the_case_whether_its_tasks_are_listed_or_queried(
    cast, matters, literal_limit, monkeypatch
):
    from jiceng.accounts.roles import Role
    from jiceng.cases import models
    from jiceng.cases.models import Case
    from jiceng.conftest import make_user

    office_clerk = make_user("office_clerk", Role.WINDOW_CLERK, cast.units.east_office, scope="unit")
    case = actions.dispatch_case(grid_report(cast, matters), by=None)  # 东岗镇党政综合办公室 cooperates
    actions.register_case(channel="grid", title="河西路灯不亮", text="x", township=cast.regions.west)
    monkeypatch.setattr(models, "LITERAL_TASK_CASES", literal_limit)
    assert list(Case.objects.visible_to(office_clerk)) == [case]
