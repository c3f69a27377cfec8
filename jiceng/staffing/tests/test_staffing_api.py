"""The staffing REST API: reports and scopes, quota entries and moves, 用编核准 and 进编, reform plans, schema."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiceng.lib.validators import build_id_number
from jiceng.orgs.models import Person
from jiceng.staffing import actions
from jiceng.staffing.models import EntryReason, HiringRequest, Placement, QuotaKind, QuotaMove

from .conftest import DOC

API = "/api/v1/staffing/"
A = QuotaKind.ADMINISTRATIVE


def post(client, url, data=None):
    return client.post(f"{API}{url}", data or {}, content_type="application/json")


def patch(client, url, data):
    return client.patch(f"{API}{url}", data, content_type="application/json")


def get(client, url, params=None):
    return client.get(f"{API}{url}", params or {})


def today() -> str:
    return timezone.localdate().isoformat()


def submit(client, unit, seats=1):
    response = post(client, "requests/", {"unit": unit.pk, "kind": A, "seats": seats, "purpose": "综合文字岗"})
    assert response.status_code == 201, response.json()
    return response.json()


# ---- entries and the report ----------------------------------------------------------------------


def test_the_staffing_office_records_an_increase_and_the_report_shows_it(client, cast, quotas):
    client.force_login(cast.users.staffing)

    response = post(
        client,
        f"accounts/{quotas['east'].pk}/entries/",
        {"delta": 2, "reason": "increase", "on": today(), "document_no": "示编〔2026〕5号"},
    )

    assert response.status_code == 201
    assert (response.json()["delta"], response.json()["reason_display"]) == (2, "核增")
    report = get(client, "report/", {"as_of": today()}).json()
    east = next(r for r in report["rows"] if r["unit"] == cast.units.east_office.pk and r["kind"] == A)
    assert (east["approved"], east["occupied"], east["reserved"], east["vacant"]) == (5, 2, 0, 3)
    assert east["township"] == "东岗镇" and east["kind_display"] == "行政编制"
    county = next(s for s in report["county"] if s["kind"] == A)
    assert county["approved"] == 5 + 2 + 4  # the pool's 2 are not a unit's
    assert get(client, f"accounts/{quotas['east'].pk}/").json()["approved"] == 5


def test_a_decrease_below_the_people_on_it_is_refused_under_delta(client, cast, quotas):
    client.force_login(cast.users.staffing)

    response = post(
        client,
        f"accounts/{quotas['east'].pk}/entries/",
        {"delta": -2, "reason": "decrease", "on": today(), "document_no": DOC},
    )

    assert response.status_code == 400
    assert "超编" in response.json()["delta"][0]


def test_a_township_leader_sees_only_its_township(client, cast, quotas):
    client.force_login(cast.users.east_leader)

    report = get(client, "report/").json()

    assert report["rows"]
    assert {r["township"] for r in report["rows"]} == {"东岗镇"}
    assert cast.units.west_office.pk not in {r["unit"] for r in report["rows"]}
    assert {s["name"] for s in report["townships"]} == {"东岗镇"}
    assert get(client, f"accounts/{quotas['west'].pk}/").status_code == 404
    assert get(client, f"accounts/{quotas['east'].pk}/").status_code == 200
    assert {a["id"] for a in get(client, "accounts/").json()["results"]} == {quotas["east"].pk}


def test_a_township_leader_cannot_record_entries(client, cast, quotas):
    client.force_login(cast.users.east_leader)

    response = post(
        client,
        f"accounts/{quotas['east'].pk}/entries/",
        {"delta": 1, "reason": "increase", "on": today(), "document_no": DOC},
    )

    assert response.status_code == 403
    assert quotas["east"].entries.count() == 1


# ---- 用编申请与核准 --------------------------------------------------------------------------------


def test_a_township_leader_requests_seats_for_its_own_unit_but_cannot_approve_them(client, cast, quotas):
    client.force_login(cast.users.east_leader)

    created = submit(client, cast.units.east_office)
    approve = post(client, f"requests/{created['id']}/approve/")
    elsewhere = post(client, "requests/", {"unit": cast.units.west_office.pk, "kind": A, "seats": 1, "purpose": "借用"})

    assert created["status"] == "pending"
    assert approve.status_code == 403
    assert HiringRequest.objects.get(pk=created["id"]).status == HiringRequest.Status.PENDING
    assert elsewhere.status_code == 400
    assert "数据范围" in elsewhere.json()["unit"][0]
    assert post(client, f"requests/{created['id']}/withdraw/").json()["status"] == "withdrawn"


def test_an_approval_at_full_quota_answers_409_and_keeps_the_refusal(client, cast, quotas):
    client.force_login(cast.users.staffing)
    created = submit(client, cast.units.east_office, seats=2)  # 3 approved, 2 people: one seat free

    response = post(client, f"requests/{created['id']}/approve/")

    assert response.status_code == 409
    body = response.json()
    assert body["detail"].startswith("超编不得进人")
    assert body["request"]["status"] == "refused"
    assert HiringRequest.objects.get(pk=created["id"]).status == HiringRequest.Status.REFUSED


def test_entering_a_new_person_with_a_bad_id_number_saves_nothing(client, cast, quotas):
    client.force_login(cast.users.staffing)
    created = submit(client, cast.units.east_office)
    assert post(client, f"requests/{created['id']}/approve/").json()["status"] == "approved"
    good = build_id_number("411799", date(1995, 5, 6), 77)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    counts = (Person.objects.count(), Placement.objects.count())

    response = post(client, f"requests/{created['id']}/enter/", {"name": "钱新", "id_number": bad, "on": today()})

    assert response.status_code == 400
    assert "校验位错误" in response.json()["id_number"][0]
    assert (Person.objects.count(), Placement.objects.count()) == counts
    assert HiringRequest.objects.get(pk=created["id"]).status == HiringRequest.Status.APPROVED

    response = post(client, f"requests/{created['id']}/enter/", {"name": "钱新", "id_number": good, "on": today()})

    assert response.status_code == 201
    person = Person.objects.get(id_number=good)
    assert (person.quota_unit, person.work_unit) == (cast.units.east_office, cast.units.east_office)
    assert HiringRequest.objects.get(pk=created["id"]).status == HiringRequest.Status.USED
    history = get(client, f"people/{person.pk}/placements/").json()
    assert [(p["unit"], p["entry_kind"], p["request"]) for p in history] == [
        (cast.units.east_office.pk, "approved", created["id"])
    ]


def test_a_retirement_over_the_api_frees_the_seat(client, cast, quotas):
    client.force_login(cast.users.staffing)

    response = post(client, f"people/{cast.people.east_staff.pk}/exit/", {"on": today(), "reason": "retired"})

    assert response.status_code == 200
    assert response.json()["exit_reason_display"] == "退休"
    assert get(client, f"accounts/{quotas['east'].pk}/").json()["occupied"] == 1
    client.force_login(cast.users.east_leader)
    assert (
        post(client, f"people/{cast.people.east_separated.pk}/exit/", {"on": today(), "reason": "retired"}).status_code
        == 403
    )


# ---- moves ---------------------------------------------------------------------------------------


def test_a_move_between_different_kinds_is_refused(client, cast, quotas):
    client.force_login(cast.users.staffing)
    institutional = post(client, "accounts/", {"unit": cast.units.west_office.pk, "kind": "institutional"})
    assert institutional.status_code == 201

    response = post(client, "moves/", {"source": quotas["east"].pk, "target": institutional.json()["id"], "amount": 1})

    assert response.status_code == 400
    assert "不能互相调剂" in response.json()["target"][0]
    assert not QuotaMove.objects.exists()


def test_a_move_is_drafted_then_recorded_with_its_document(client, cast, quotas):
    client.force_login(cast.users.staffing)
    draft = post(client, "moves/", {"source": quotas["pool"].pk, "target": quotas["west"].pk, "amount": 1}).json()

    recorded = post(client, f"moves/{draft['id']}/record/", {"on": today(), "document_no": "示编〔2026〕6号"})

    assert (draft["status"], draft["move_type"]) == ("draft", "from_pool")
    assert recorded.status_code == 200 and recorded.json()["status"] == "recorded"
    assert get(client, f"accounts/{quotas['west'].pk}/").json()["approved"] == 3
    assert post(client, f"moves/{draft['id']}/cancel/").status_code == 400


# ---- reform plans --------------------------------------------------------------------------------


def test_a_reform_plan_goes_from_draft_to_executed_over_the_api(client, cast, quotas):
    client.force_login(cast.users.staffing)
    plan = post(
        client,
        "plans/",
        {
            "name": "东岗镇机构改革方案",
            "region": cast.regions.east.pk,
            "effective_on": today(),
            "document_no": "示编〔2026〕9号",
        },
    ).json()
    base = f"plans/{plan['id']}/"
    target = post(
        client,
        f"{base}targets/",
        {"name": "东岗镇综合服务中心", "kind": "service_center", "parent": cast.units.east_root.pk},
    ).json()
    sources = [
        post(client, f"{base}sources/", {"unit": u.pk}).json() for u in (cast.units.east_office, cast.units.east_hall)
    ]

    check = get(client, f"{base}validate/").json()
    refused = post(client, f"{base}submit/")

    assert check["ok"] is False
    assert "原单位“东岗镇党政综合办公室”未指定并入的改革后单位。" in check["errors"]
    assert refused.status_code == 400
    assert refused.json()["detail"] == "方案未通过校验："
    assert "原单位“东岗镇便民服务中心”未指定并入的改革后单位。" in refused.json()["errors"]

    for source in sources:
        assert (
            patch(client, f"{base}sources/{source['id']}/", {"target": target["id"]}).json()["target"] == target["id"]
        )
    preview = get(client, f"{base}preview/").json()

    assert get(client, f"{base}validate/").json() == {"ok": True, "errors": []}
    assert preview["totals"]["before"] == preview["totals"]["after"] == {A: 3}
    assert preview["totals"]["people_before"] == preview["totals"]["people_after"] == 3
    assert [row["name"] for row in preview["after"]] == ["东岗镇综合服务中心"]

    for step in ("submit", "approve", "execute"):
        response = post(client, f"{base}{step}/")
        assert response.status_code == 200, (step, response.json())
    executed = response.json()
    centre = executed["targets"][0]["created_unit"]
    unit = client.get(f"/api/v1/units/{cast.units.east_office.pk}/").json()

    assert executed["status"] == "executed"
    assert [e["to_status"] for e in executed["events"]] == ["draft", "submitted", "approved", "executed"]
    assert (unit["status"], unit["merged_into"]) == ("merged", centre)
    assert client.get(f"/api/v1/units/{cast.units.east_hall.pk}/").json()["status"] == "merged"
    again = post(client, f"{base}execute/")
    assert again.status_code == 400
    assert "只有已批准的方案才能实施" in again.json()["detail"]


def test_a_township_drafts_plans_for_its_own_township_only_and_cannot_approve(client, cast):
    client.force_login(cast.users.east_leader)
    payload = {"name": "东岗镇站所整合方案", "effective_on": today()}

    own = post(client, "plans/", {**payload, "region": cast.regions.east.pk})
    other = post(client, "plans/", {**payload, "region": cast.regions.west.pk})

    assert own.status_code == 201
    assert other.status_code == 400 and "region" in other.json()
    assert patch(client, f"plans/{own.json()['id']}/", {"note": "征求意见稿"}).json()["note"] == "征求意见稿"
    assert post(client, f"plans/{own.json()['id']}/approve/").status_code == 403

    client.force_login(cast.users.staffing)
    county = post(client, "plans/", {**payload, "name": "全县方案", "region": cast.regions.county.pk}).json()
    client.force_login(cast.users.east_leader)
    assert get(client, f"plans/{county['id']}/").status_code == 200  # a township reads the county's plans
    assert patch(client, f"plans/{county['id']}/", {"note": "改"}).status_code == 403  # but does not edit them
    client.force_login(cast.users.west_leader)
    assert get(client, f"plans/{own.json()['id']}/").status_code == 404
    client.force_login(cast.users.east_leader)
    assert post(client, f"plans/{own.json()['id']}/revoke/").json()["status"] == "revoked"  # its own draft


# ---- analysis ------------------------------------------------------------------------------------


@pytest.fixture
def idle_west(cast):
    """东岗镇办公室 full (2 of 2), 河西镇办公室 with 2 vacancies untouched since 2020; no pool."""
    Placement.objects.update(start_on=date(2020, 1, 1))
    for unit, n in (
        (cast.units.east_office, 2),
        (cast.units.east_hall, 1),
        (cast.units.land, 1),
        (cast.units.west_office, 3),
    ):
        actions.record_entry(
            actions.get_account(unit, A),
            delta=n,
            reason=EntryReason.APPROVE,
            on=date(2020, 1, 1),
            document_no=DOC,
            by=None,
        )
    return actions.get_account(cast.units.west_office, A)


def test_the_analysis_suggests_covering_a_refusal_from_an_idle_vacancy(client, cast, idle_west):
    client.force_login(cast.users.staffing)
    created = submit(client, cast.units.east_office)
    assert post(client, f"requests/{created['id']}/approve/").status_code == 409

    body = get(client, "analysis/", {"as_of": today()}).json()

    need = next(n for n in body["needs"] if n["unit"] == cast.units.east_office.pk)
    assert (need["refused"], need["demand"]) == (1, 1)
    idle = next(i for i in body["idle"] if i["unit"] == cast.units.west_office.pk)
    assert idle["vacant"] == 2 and idle["idle_days"] > 90
    east_account = actions.get_account(cast.units.east_office, A)
    assert {
        "source_account": idle_west.pk,
        "target_unit": cast.units.east_office.pk,
        "target_account": east_account.pk,
        "amount": 1,
        "move_type": "lateral",
    }.items() <= next(s for s in body["suggestions"] if s["target_unit"] == cast.units.east_office.pk).items()
    move = post(
        client, "moves/", {"source": idle_west.pk, "target": east_account.pk, "amount": 1, "move_type": "lateral"}
    )
    assert move.status_code == 201


def test_the_analysis_is_for_the_county_staffing_office_only(client, cast, idle_west):
    client.force_login(cast.users.east_leader)

    response = get(client, "analysis/")

    assert response.status_code == 403
    assert "县编办" in response.json()["detail"]


# ---- query counts --------------------------------------------------------------------------------


def test_lists_take_the_same_number_of_queries_whatever_their_length(client, cast, quotas):
    client.force_login(cast.users.staffing)
    urls = ("accounts/", "moves/", "requests/", "plans/", "report/")

    def add_one_of_each(n):
        submit(client, cast.units.east_office)
        post(client, "moves/", {"source": quotas["pool"].pk, "target": quotas["west"].pk, "amount": 1})
        plan = post(client, "plans/", {"name": f"方案{n}", "region": cast.regions.east.pk, "effective_on": today()})
        post(client, f"plans/{plan.json()['id']}/targets/", {"unit": cast.units.east_office.pk})
        post(client, f"plans/{plan.json()['id']}/sources/", {"unit": cast.units.east_hall.pk})
        post(client, "accounts/", {"unit": cast.units.land.pk, "kind": ("service", "institutional", "leader_chief")[n]})

    def queries():
        counts = {}
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert get(client, url).status_code == 200
            counts[url] = len(captured)
        return counts

    add_one_of_each(0)
    few = queries()
    add_one_of_each(1)
    add_one_of_each(2)
    assert queries() == few


# ---- schema --------------------------------------------------------------------------------------


def test_the_schema_lists_the_staffing_endpoints_and_validates_without_warnings(client, cast, tmp_path):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]

    for endpoint in (
        "report/",
        "analysis/",
        "accounts/{id}/entries/",
        "moves/{id}/record/",
        "requests/{id}/approve/",
        "requests/{id}/enter/",
        "people/{id}/transfer/",
        "plans/{id}/sources/{source_id}/",
        "plans/{id}/preview/",
        "plans/{id}/return/",
    ):
        assert f"/api/v1/staffing/{endpoint}" in paths, endpoint
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
