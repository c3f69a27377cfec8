"""The patrols and 多网合一 API: a worker's patrol journey from a phone, the plan's journey from build to approval,
each refusal with its status code and Chinese message, and the schema."""

from datetime import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from jiceng.cases.models import Case, Channel
from jiceng.grids import geometry
from jiceng.grids.importing import import_grids
from jiceng.grids.models import Grid, GridMember, MergePlan, Patrol, PatrolStatus

from .test_grids import WEST, collection, feature
from .test_merge import LIUSHU, two_layers  # noqa: F401 (a fixture)
from .test_patrols import SHANGHAI, grids  # noqa: F401 (a fixture)

API = "/api/v1/grids/"


@pytest.fixture
def api():
    def as_user(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_user


def test_a_patrol_from_start_to_end_through_the_api(api, cast, grids, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    phone = api(cast.users.grid)
    started = phone.post(f"{API}patrols/", {"grid": "411799100201001"}, format="json")
    assert started.status_code == 201, started.json()
    pk = started.json()["id"]
    assert (started.json()["status"], started.json()["grid_name"]) == ("active", "柳树村第一网格")
    again = phone.post(f"{API}patrols/", {"grid": "411799100201001"}, format="json")
    assert again.status_code == 400 and "尚未结束" in again.json()["detail"]

    points = phone.post(
        f"{API}patrols/{pk}/points/",
        {"points": [{"lon": 114.005, "lat": 32.98}, {"lon": 114.005, "lat": 32.99}]},
        format="json",
    )
    assert points.json()["points"] == 2 and points.json()["distance_m"] == pytest.approx(1112, abs=1)

    png = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    found = phone.post(
        f"{API}patrols/{pk}/findings/",
        {"title": "违章搭建", "description": "彩钢棚", "lon": 114.005, "lat": 32.985, "photos": [png], "token": "a"},
        format="multipart",
    )
    assert found.status_code == 201, found.json()
    case = Case.objects.get(code=found.json()["case"])
    assert (case.channel, case.registered_by, case.attachments.count()) == (Channel.GRID, cast.users.grid, 1)
    # The phone resends it (the answer was lost): the same case, 200 as for any replay.
    resent = phone.post(
        f"{API}patrols/{pk}/findings/",
        {"title": "违章搭建", "description": "彩钢棚", "lon": 114.005, "lat": 32.985, "token": "a"},
        format="multipart",
    )
    assert resent.status_code == 200 and resent.json() == found.json() and Case.objects.count() == 1
    empty = phone.post(f"{API}patrols/{pk}/findings/", {"title": "x", "description": ""}, format="json")
    assert empty.status_code == 400 and Case.objects.count() == 1

    mine = phone.get(f"{API}patrols/", {"mine": "true"}).json()["results"]
    assert [p["id"] for p in mine] == [pk] and mine[0]["findings"][0]["title"] == "违章搭建"
    detail = phone.get(f"{API}patrols/{pk}/").json()
    assert [p[:2] for p in detail["track"]] == [[114.005, 32.98], [114.005, 32.99]]

    ended = phone.post(f"{API}patrols/{pk}/end/", {"note": "正常"}, format="json")
    assert ended.json()["status"] == "ended" and ended.json()["note"] == "正常"
    late = phone.post(f"{API}patrols/{pk}/points/", {"points": [{"lon": 114.0, "lat": 32.98}]}, format="json")
    assert late.status_code == 400 and late.json()["detail"] == "该巡查已结束。"


def test_patrol_refusals(api, cast, grids):  # noqa: F811
    phone = api(cast.users.grid)
    assert phone.post(f"{API}patrols/", {"grid": "411799100201002"}, format="json").json() == {
        "grid": ["您不是网格“柳树村第二网格”的成员，也不负责其所在乡镇（街道），不能巡查该网格。"]
    }
    import_grids(collection(feature("411799100201005", "城管一格", WEST)), dry_run=False, layer="城管")
    GridMember.objects.create(
        grid=Grid.objects.get(code="411799100201005"), name="周网格", role="full", user=cast.users.grid
    )
    departmental = phone.post(f"{API}patrols/", {"grid": "411799100201005"}, format="json")
    assert departmental.status_code == 400
    assert departmental.json() == {"grid": ["“城管一格”是城管部门网格，巡查请选择所在的综合网格。"]}
    pk = phone.post(f"{API}patrols/", {"grid": "411799100201001"}, format="json").json()["id"]
    point = {"points": [{"lon": 114.0, "lat": 32.98}]}
    # No PATROL: 403. In scope but not theirs: 403. Out of scope: 404.
    assert (
        api(cast.users.staffing).post(f"{API}patrols/", {"grid": "411799100201001"}, format="json").status_code == 403
    )
    leader = api(cast.users.east_leader)
    assert leader.get(f"{API}patrols/{pk}/").status_code == 200
    assert leader.post(f"{API}patrols/{pk}/points/", point, format="json").status_code == 403
    assert leader.post(f"{API}patrols/{pk}/end/", {}, format="json").status_code == 403
    assert api(cast.users.west_leader).get(f"{API}patrols/{pk}/").status_code == 404
    assert api(cast.users.west_leader).get(f"{API}patrols/").json()["results"] == []
    assert APIClient().get(f"{API}patrols/").status_code in (401, 403)
    # The command centre ends a patrol left running.
    assert api(cast.users.dispatcher).post(f"{API}patrols/{pk}/end/", {}, format="json").status_code == 200
    assert Patrol.objects.get().status == PatrolStatus.ENDED


def test_track_times_are_in_local_time_like_every_other_time(api, cast, grids):  # noqa: F811
    phone = api(cast.users.grid)
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=SHANGHAI), tick=False):
        pk = phone.post(f"{API}patrols/", {"grid": "411799100201001"}, format="json").json()["id"]
    with time_machine.travel(datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI), tick=False):
        phone.post(
            f"{API}patrols/{pk}/points/",
            {"points": [{"lon": 114.005, "lat": 32.98, "at": "2026-03-02T01:10:00Z"}, {"lon": 114.005, "lat": 32.99}]},
            format="json",
        )
    patrol = Patrol.objects.get()
    # A point stored while times were kept in UTC comes out in local time too.
    Patrol.objects.filter(pk=pk).update(track=[*patrol.track, [114.006, 32.99, "2026-03-02T01:40:00+00:00"]])
    detail = phone.get(f"{API}patrols/{pk}/").json()
    assert [p[2] for p in detail["track"]] == [
        "2026-03-02T09:10:00+08:00",
        "2026-03-02T09:30:00+08:00",
        "2026-03-02T09:40:00+08:00",
    ]
    assert detail["started_at"] == "2026-03-02T09:00:00+08:00"


def test_coverage_through_the_api(api, cast, grids, calendar_2026):  # noqa: F811
    pk = api(cast.users.grid).post(f"{API}patrols/", {"grid": "411799100201001"}, format="json").json()["id"]
    api(cast.users.grid).post(f"{API}patrols/{pk}/end/", {}, format="json")
    body = api(cast.users.dispatcher).get(f"{API}patrols/coverage/", {"township": "411799100000"}).json()
    rows = {r["grid"]: r for r in body["grids"]}
    assert rows["411799100201001"]["patrols"] == 1 and not rows["411799100201001"]["unpatrolled"]
    assert rows["411799100201002"]["unpatrolled"] and rows["411799100201002"]["last_patrol_at"] is None
    bad = api(cast.users.dispatcher).get(f"{API}patrols/coverage/", {"start": "2026-03-09", "end": "2026-03-01"})
    assert bad.status_code == 400 and bad.json() == {"end": ["结束日期不能早于开始日期。"]}


def test_a_merge_plan_from_build_to_approval_through_the_api(api, cast, two_layers):  # noqa: F811
    dispatcher, staffing = api(cast.users.dispatcher), api(cast.users.staffing)
    build = {"layers": ["综治", "城管"], "township": "411799100000"}
    assert staffing.post(f"{API}merge-plans/", build, format="json").status_code == 403
    built = dispatcher.post(f"{API}merge-plans/", build, format="json")
    assert built.status_code == 201, built.json()
    plan = built.json()
    assert plan["status"] == "draft" and [t["code"] for t in plan["targets"]] == [f"{LIUSHU}003"]
    assert sorted(m["source"] for m in plan["mappings"]) == [f"{LIUSHU}001", f"{LIUSHU}002"]
    assert len(plan["overlaps"]) == 1 and len(plan["uncovered"]) == 1 and plan["crossings"] == []
    assert plan["uncovered"][0]["area_mu"] == pytest.approx(plan["uncovered"][0]["area_m2"] * 15 / 10_000)
    pk = plan["id"]

    early = staffing.post(f"{API}merge-plans/{pk}/approve/", {}, format="json")
    assert early.status_code == 400 and early.json()["detail"] == "方案状态为“草稿”，不能批准，请先提交。"
    assert dispatcher.post(f"{API}merge-plans/{pk}/approve/", {}, format="json").status_code == 403
    assert staffing.post(f"{API}merge-plans/{pk}/submit/", {}, format="json").status_code == 403
    assert dispatcher.post(f"{API}merge-plans/{pk}/submit/", {}, format="json").json()["status"] == "submitted"
    for no_reason in ({}, {"reason": " "}):
        refused = staffing.post(f"{API}merge-plans/{pk}/return/", no_reason, format="json")
        assert refused.status_code == 400 and refused.json() == {"reason": ["请填写退回理由。"]}

    approved = staffing.post(f"{API}merge-plans/{pk}/approve/", {"document_no": "示编〔2026〕9号"}, format="json")
    assert approved.json()["status"] == "approved" and approved.json()["approved_by"] == "bianban"
    assert geometry.locate(32.9875, 114.0075) == Grid.objects.get(code=f"{LIUSHU}003")
    twice = staffing.post(f"{API}merge-plans/{pk}/approve/", {}, format="json")
    assert twice.status_code == 400 and "已批准" in twice.json()["detail"]
    listed = staffing.get(f"{API}merge-plans/", {"status": "approved"}).json()["results"]
    assert [p["id"] for p in listed] == [pk]


def test_merge_plans_are_not_for_every_role(api, cast, two_layers):  # noqa: F811
    body = {"layers": ["综治"], "township": ""}  # empty, as a form sends it: the whole county
    pk = api(cast.users.dispatcher).post(f"{API}merge-plans/", body, format="json").json()["id"]
    assert MergePlan.objects.get(pk=pk).township is None  # the dispatcher's scope is the county: whole county
    for user in (cast.users.grid, cast.users.east_leader):
        assert api(user).get(f"{API}merge-plans/").status_code == 403
        assert api(user).get(f"{API}merge-plans/{pk}/").status_code == 403
        for step in ("submit", "approve", "return"):
            refused = api(user).post(f"{API}merge-plans/{pk}/{step}/", {"reason": "x"}, format="json")
            assert refused.status_code == 403 and refused.json() == {"detail": "您的角色没有此项权限。"}, step
    custom = api(cast.users.custom)  # a dispatcher scoped to 河西镇 only: no county-wide plan
    assert custom.get(f"{API}merge-plans/{pk}/").status_code == 404
    refused = custom.post(f"{API}merge-plans/", {"layers": ["综治"]}, format="json")
    assert refused.status_code == 400 and "请指定乡镇" in refused.json()["township"][0]


def test_a_plan_without_layers_is_refused_with_the_plans_own_message(api, cast, two_layers):  # noqa: F811
    dispatcher = api(cast.users.dispatcher)
    for body in ({}, {"layers": []}):
        refused = dispatcher.post(f"{API}merge-plans/", body, format="json")
        assert refused.status_code == 400 and refused.json() == {"layers": ["请选择至少一个部门网格图层。"]}
    assert not MergePlan.objects.exists()


def test_the_schema_lists_the_patrol_and_merge_endpoints_and_validates(client, tmp_path):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    for endpoint in ("patrols/", "patrols/{id}/points/", "patrols/{id}/findings/", "patrols/{id}/end/"):
        assert f"{API}{endpoint}" in paths, endpoint
    for endpoint in ("patrols/coverage/", "merge-plans/", "merge-plans/{id}/approve/", "merge-plans/{id}/return/"):
        assert f"{API}{endpoint}" in paths, endpoint
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
