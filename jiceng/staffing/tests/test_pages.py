"""The staffing pages: report, ledger entries, hiring requests, moves and plans through HTTP."""

from datetime import date

import pytest
from django.urls import reverse

from jiceng.orgs.models import UnitKind, UnitStatus
from jiceng.staffing import actions, plans
from jiceng.staffing.models import HiringRequest, PlanStatus, QuotaEntry, QuotaKind, QuotaMove

A = QuotaKind.ADMINISTRATIVE


def text(response) -> str:
    return response.content.decode()


def test_the_report_shows_units_with_their_figures_and_only_the_users_township(client, cast, quotas):
    client.force_login(cast.users.staffing)
    page = text(client.get(reverse("staffing:report")))
    assert "东岗镇党政综合办公室" in page and "河西镇党政综合办公室" in page and "县自然资源局" in page
    client.force_login(cast.users.east_leader)
    page = text(client.get(reverse("staffing:report")))
    assert "东岗镇党政综合办公室" in page
    assert "河西镇党政综合办公室" not in page and "县自然资源局" not in page


def test_the_report_can_be_taken_as_of_an_earlier_date(client, cast, quotas):
    client.force_login(cast.users.staffing)
    rows = client.get(reverse("staffing:report"), {"as_of": "2019-12-31"}).context["rows"]
    assert list(rows) == []  # the quotas were approved on 2020-01-01


def test_a_decrease_below_the_people_is_explained_and_not_recorded(client, cast, quotas):
    client.force_login(cast.users.staffing)
    before = QuotaEntry.objects.count()
    response = client.post(
        reverse("staffing:entry_new"),
        {
            "unit": cast.units.east_office.pk,
            "kind": A,
            "reason": "decrease",
            "delta": -2,
            "on": "2026-03-02",
            "document_no": "示编〔2026〕2号",
        },
    )
    assert response.status_code == 200
    assert "超编" in text(response)
    assert QuotaEntry.objects.count() == before


def test_a_township_requests_seats_and_the_staffing_office_decides(client, cast, quotas):
    client.force_login(cast.users.east_leader)
    response = client.post(
        reverse("staffing:request_new"),
        {
            "unit": cast.units.east_office.pk,
            "kind": A,
            "seats": 1,
            "purpose": "文秘",
            "channel": "公务员招录",
        },
    )
    req = HiringRequest.objects.get()
    assert response["Location"] == req.get_absolute_url()
    assert client.post(reverse("staffing:request_decide", args=[req.pk, "approve"])).status_code == 403
    client.force_login(cast.users.staffing)
    client.post(reverse("staffing:request_decide", args=[req.pk, "approve"]))
    req.refresh_from_db()
    assert req.status == HiringRequest.Status.APPROVED
    notice = text(client.get(reverse("staffing:request_print", args=[req.pk])))
    assert "核准使用编制通知单" in notice and req.number in notice and "东岗镇党政综合办公室" in notice


def test_a_request_at_full_quota_shows_why_it_was_refused(client, cast, quotas):
    for _ in range(2):
        actions.submit_hiring_request(cast.units.east_office, kind=A, seats=1, purpose="x", by=None)
    first, second = HiringRequest.objects.order_by("pk")
    client.force_login(cast.users.staffing)
    client.post(reverse("staffing:request_decide", args=[first.pk, "approve"]))
    response = client.post(reverse("staffing:request_decide", args=[second.pk, "approve"]), follow=True)
    assert "超编不得进人" in text(response)
    second.refresh_from_db()
    assert second.status == HiringRequest.Status.REFUSED


def test_entering_a_new_person_with_a_bad_id_number_saves_nothing(client, cast, quotas):
    req = actions.approve_hiring_request(
        actions.submit_hiring_request(cast.units.east_office, kind=A, seats=1, purpose="x", by=None), by=None
    )
    client.force_login(cast.users.staffing)
    response = client.post(
        reverse("staffing:request_enter", args=[req.pk]),
        {
            "name": "钱错号",
            "id_number": "411799198501010011",
            "on": str(req.decided_on),
        },
    )
    assert response.status_code == 400
    assert "校验位错误" in text(response)
    assert not req.placements.exists()


def test_a_move_drafted_and_recorded_through_the_pages(client, cast, quotas):
    client.force_login(cast.users.staffing)
    client.post(
        reverse("staffing:move_new"),
        {
            "kind": A,
            "source_unit": cast.units.land.pk,
            "target_unit": cast.units.west_office.pk,
            "amount": 2,
        },
    )
    move = QuotaMove.objects.get()
    assert move.move_type == "downward"  # county department → township: 减上补下
    client.post(reverse("staffing:move", args=[move.pk]), {"on": "2026-03-02", "document_no": "示编〔2026〕5号"})
    move.refresh_from_db()
    assert move.status == QuotaMove.Status.RECORDED
    assert sorted(move.entries.values_list("delta", flat=True)) == [-2, 2]


def test_the_analysis_suggests_covering_a_refusal_from_an_idle_vacancy(client, cast, quotas):
    actions.approve_hiring_request(
        actions.submit_hiring_request(cast.units.west_office, kind=A, seats=2, purpose="x", by=None), by=None
    )  # 河西 has 1 free seat: refused
    client.force_login(cast.users.staffing)
    response = client.get(reverse("staffing:analysis"))
    west = [s for s in response.context["suggestions"] if s.target.row.unit == cast.units.west_office]
    assert sum(s.amount for s in west) == 2
    assert all(s.kind == A and s.source.account.kind == A for s in west)
    client.force_login(cast.users.east_leader)
    assert client.get(reverse("staffing:analysis")).context["suggestions"] == []


@pytest.fixture
def plan(cast, quotas):
    plan = plans.create_plan(
        name="东岗镇整合方案",
        region=cast.regions.east,
        effective_on=date(2026, 6, 1),
        document_no="示编〔2026〕8号",
        by=None,
    )
    target = plans.add_target(
        plan, name="东岗镇综合服务中心", kind=UnitKind.SERVICE_CENTER, parent=cast.units.east_root, by=None
    )
    plans.add_source(plan, cast.units.east_hall, target=None, by=None)
    return plan, target


def test_the_plan_page_lists_validation_errors_then_runs_the_whole_pipeline(client, cast, plan):
    plan, target = plan
    client.force_login(cast.users.staffing)
    page = text(client.get(plan.get_absolute_url()))
    assert "原单位“东岗镇便民服务中心”未指定并入的改革后单位。" in page
    source = plan.sources.get()
    client.post(
        plan.get_absolute_url(), {"form": "source", "source-unit": cast.units.east_hall.pk, "source-target": target.pk}
    )
    actions.record_entry(
        actions.get_account(cast.units.east_hall, A),
        delta=1,
        reason="approve",
        on=date(2020, 1, 1),
        document_no="x",
        by=None,
    )
    response = client.get(plan.get_absolute_url())
    assert "校验通过" in text(response), response.context["errors"]
    for to in (PlanStatus.SUBMITTED, PlanStatus.APPROVED):
        client.post(reverse("staffing:plan_transition", args=[plan.pk, to]))
    client.post(reverse("staffing:plan_execute", args=[plan.pk]))
    plan.refresh_from_db()
    source.unit.refresh_from_db()
    assert plan.status == PlanStatus.EXECUTED
    assert source.unit.status == UnitStatus.MERGED


def test_a_township_leader_drafts_but_cannot_approve(client, cast, plan):
    plan, _ = plan
    client.force_login(cast.users.east_leader)
    response = client.post(reverse("staffing:plan_transition", args=[plan.pk, PlanStatus.APPROVED]))
    assert response.status_code == 403


def test_the_export_follows_the_township_filter(client, cast, quotas):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(cast.users.staffing)
    response = client.get(reverse("staffing:export"), {"township": "东岗镇"})
    names = {row[0] for row in load_workbook(BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True)}
    assert "东岗镇党政综合办公室" in names
    assert "河西镇党政综合办公室" not in names and "县自然资源局" not in names
