"""The catalog REST API: resolution by township and date, matters and versions, bindings, delegations, admissions."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.catalog import actions
from jiceng.catalog.models import (
    AdmissionRequest,
    Area,
    CatalogUnit,
    DelegatedPower,
    DelegationStatus,
    Level,
    ListKind,
    Matter,
    MatterVersion,
    RoleBinding,
)
from jiceng.catalog.resolve import invalidate

API = "/api/v1/catalog/"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
START = date(2026, 1, 1)
ACCEPTED_ON = date(2026, 3, 1)


def get(client, url, params=None):
    return client.get(f"{API}{url}", params or {})


def post(client, url, data=None):
    return client.post(f"{API}{url}", data or {}, content_type="application/json")


def chinese(messages) -> bool:
    return isinstance(messages, list) and bool(messages) and all(CHINESE.search(str(m)) for m in messages)


@pytest.fixture(autouse=True)
def fresh_resolution_index(settings):
    """Actions refresh the index on commit, which never comes inside a test: check the tables on every call."""
    settings.CATALOG_CHECK_SECONDS = 0
    invalidate()


@pytest.fixture
def tiny(cast):
    """Two areas; 县自然资源局 (C01) and 县人民政府 (C02); the township role 党政综合办公室 (T01), bound in
    东岗镇 but not in 河西镇; a 属地管理 matter led by C01 with T01 cooperating, a 基本履职 matter led by T01,
    and a power over the first matter that 东岗镇 accepted on 1 March 2026."""
    land_area = Area.objects.create(code="A01", name="自然资源", sort=1)
    Area.objects.create(code="A02", name="生态环境", sort=2)
    county = CatalogUnit.objects.create(
        code="C01", name="县自然资源局", level=Level.COUNTY, kind="党政机构", unit=cast.units.land
    )
    gov = CatalogUnit.objects.create(
        code="C02", name="县人民政府", level=Level.COUNTY, kind="党政机构", unit=cast.units.gov
    )
    role = CatalogUnit.objects.create(code="T01", name="党政综合办公室", level=Level.TOWNSHIP, kind="党政机构")
    actions.bind_role(role, cast.regions.east, cast.units.east_office, by=None)
    local = actions.save_matter(
        code="A01001",
        area=land_area,
        fields={
            "name": "违法占用耕地建房的巡查报告",
            "list_kind": ListKind.LOCAL,
            "keywords": "耕地;违建",
            "township_duty": "日常巡查，发现后及时报告",
            "response_days": 1,
            "time_limit_days": 5,
        },
        duties=[actions.Duty(county, True, "查处违法用地"), actions.Duty(role, False, "巡查报告")],
        effective_from=START,
        document_no="示编〔2026〕1号",
        by=None,
    ).matter
    basic = actions.save_matter(
        code="A01002",
        area=land_area,
        fields={"name": "农村宅基地申请初审", "list_kind": ListKind.BASIC, "time_limit_days": 10},
        duties=[actions.Duty(role, True, "受理和初审")],
        effective_from=START,
        document_no="示编〔2026〕1号",
        by=None,
    ).matter
    power = DelegatedPower.objects.create(
        code="FQ001",
        name="对违法占用耕地建房的行政处罚",
        matter=local,
        county_unit=county,
        township_role=role,
        document_no="示政〔2026〕3号",
        offered_on=START,
    )
    actions.set_delegation(
        power,
        cast.regions.east,
        status=DelegationStatus.ACCEPTED,
        on=ACCEPTED_ON,
        document_no="东岗〔2026〕2号",
        by=None,
    )
    return SimpleNamespace(
        area=land_area, county=county, gov=gov, role=role, local=local, basic=basic, power=power, cast=cast
    )


def matter_payload(**overrides) -> dict:
    data = {
        "code": "A02001",
        "area": "A02",
        "name": "企业开办登记",
        "list_kind": ListKind.SERVICE,
        "service_type": "行政许可",
        "keywords": "营业执照;开办",
        "statutory_days": 15,
        "committed_days": 3,
        "lead": "C01",
        "lead_duty": "审批",
        "cooperating": [{"unit": "T01", "duty": "代办"}],
        "effective_from": "2026-02-01",
        "document_no": "示编〔2026〕9号",
    }
    data.update(overrides)
    return data


# ---- resolution ----------------------------------------------------------------------------------


def test_resolve_gives_the_county_lead_where_the_township_has_not_accepted(client, tiny):
    client.force_login(tiny.cast.users.east_clerk)

    response = get(client, "resolve", {"matter": "A01001", "township": "河西镇", "date": "2026-06-01"})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["matter"] == {"code": "A01001", "name": "违法占用耕地建房的巡查报告", "list_kind": "属地管理"}
    assert body["version"]["effective_from"] == "2026-01-01" and body["version"]["document_no"] == "示编〔2026〕1号"
    assert body["township"]["name"] == "河西镇" and body["date"] == "2026-06-01"
    assert body["lead"]["catalog_unit"] == {"code": "C01", "name": "县自然资源局"}
    assert body["lead"]["unit"] == {"id": tiny.cast.units.land.pk, "name": "县自然资源局"}
    assert body["lead"]["duty"] == "查处违法用地"
    [cooperating] = body["cooperating"]
    assert cooperating["catalog_unit"]["code"] == "T01" and cooperating["unit"] is None
    assert (body["response_days"], body["time_limit_days"], body["delegated"]) == (1, 5, False)
    assert any("党政综合办公室" in note for note in body["notes"])


def test_resolve_gives_the_township_after_it_accepts_the_power_and_the_county_before(client, tiny):
    client.force_login(tiny.cast.users.east_leader)
    east = tiny.cast.regions.east

    before = get(client, "resolve/", {"matter": "A01001", "township": east.code, "date": "2026-02-28"}).json()
    after = get(client, "resolve/", {"matter": tiny.local.pk, "township": east.pk, "date": "2026-03-01"}).json()

    assert before["lead"]["unit"]["id"] == tiny.cast.units.land.pk and before["delegated"] is False
    assert after["lead"]["unit"]["id"] == tiny.cast.units.east_office.pk and after["delegated"] is True
    assert after["lead"]["duty"] == "日常巡查，发现后及时报告"
    assert [c["catalog_unit"]["code"] for c in after["cooperating"]] == ["C01"]
    assert any("FQ001" in note for note in after["notes"])


def test_resolve_defaults_to_today(client, tiny):
    client.force_login(tiny.cast.users.grid)

    body = get(client, "resolve", {"matter": "A01001", "township": "东岗镇"}).json()

    assert body["delegated"] is True  # accepted on 1 March 2026, before any run of this test


def test_a_basic_duty_whose_role_the_township_lacks_is_unresolvable_naming_the_role(client, tiny):
    client.force_login(tiny.cast.users.dispatcher)

    response = get(client, "resolve", {"matter": "A01002", "township": "河西镇", "date": "2026-06-01"})

    assert response.status_code == 422
    assert "党政综合办公室" in response.json()["detail"] and "河西镇" in response.json()["detail"]


def test_a_region_that_is_not_a_township_is_unresolvable(client, tiny):
    client.force_login(tiny.cast.users.dispatcher)

    response = get(client, "resolve", {"matter": "A01001", "township": tiny.cast.regions.county.code})

    assert response.status_code == 422
    assert "不是乡镇" in response.json()["detail"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"matter": "X99", "township": "东岗镇"}, "事项“X99”不存在"),
        ({"matter": "A01001", "township": "北山镇"}, "乡镇（街道）“北山镇”不存在"),
    ],
)
def test_an_unknown_matter_or_township_is_404_in_chinese(client, tiny, params, expected):
    client.force_login(tiny.cast.users.dispatcher)

    response = get(client, "resolve", params)

    assert response.status_code == 404
    assert expected in response.json()["detail"]


def test_a_bad_or_missing_parameter_is_400(client, tiny):
    client.force_login(tiny.cast.users.dispatcher)

    bad_date = get(client, "resolve", {"matter": "A01001", "township": "东岗镇", "date": "2026-13-01"})
    missing = get(client, "resolve", {"township": "东岗镇"})

    assert bad_date.status_code == 400 and chinese(bad_date.json()["date"])
    assert missing.status_code == 400 and chinese(missing.json()["matter"])


def test_resolve_needs_a_login(client, tiny):
    response = get(client, "resolve", {"matter": "A01001", "township": "东岗镇"})

    assert response.status_code in (401, 403)


# ---- versions ------------------------------------------------------------------------------------


def test_a_new_version_changes_the_lead_from_its_effective_date(client, tiny):
    client.force_login(tiny.cast.users.staffing)

    response = post(
        client,
        f"matters/{tiny.local.pk}/versions/",
        {
            "name": "违法占用耕地建房的巡查报告",
            "list_kind": ListKind.LOCAL,
            "lead": "C02",
            "cooperating": [{"unit": "T01", "duty": "巡查报告"}],
            "effective_from": "2026-07-01",
            "document_no": "示编〔2026〕20号",
        },
    )

    assert response.status_code == 201, response.json()
    assert [v["effective_from"] for v in response.json()["versions"]] == ["2026-07-01", "2026-01-01"]
    assert response.json()["versions"][1]["effective_to"] == "2026-07-01"
    params = {"matter": "A01001", "township": "河西镇"}
    old = get(client, "resolve", {**params, "date": "2026-06-30"}).json()
    new = get(client, "resolve", {**params, "date": "2026-07-01"}).json()
    assert old["lead"]["unit"]["name"] == "县自然资源局" and old["version"]["document_no"] == "示编〔2026〕1号"
    assert new["lead"]["unit"]["name"] == "示范县人民政府" and new["version"]["document_no"] == "示编〔2026〕20号"
    june = get(client, f"matters/{tiny.local.pk}/", {"as_of": "2026-06-30"}).json()
    assert june["version"]["responsibilities"][0]["catalog_unit"] == "C01"


def test_a_version_must_start_after_the_current_one(client, tiny):
    client.force_login(tiny.cast.users.staffing)

    response = post(
        client,
        f"matters/{tiny.local.pk}/versions/",
        {"name": "改名", "list_kind": ListKind.LOCAL, "lead": "C01", "effective_from": "2026-01-01"},
    )

    assert response.status_code == 400
    assert chinese(response.json()["effective_from"])
    assert MatterVersion.objects.filter(matter=tiny.local).count() == 1


def test_a_repealed_matter_resolves_no_more_and_leaves_the_list(client, tiny):
    client.force_login(tiny.cast.users.staffing)

    response = post(client, f"matters/{tiny.basic.pk}/repeal/", {"on": "2026-05-01", "document_no": "示编〔2026〕8号"})

    assert response.status_code == 200, response.json()
    assert response.json()["version"] is None
    after = get(client, "resolve", {"matter": "A01002", "township": "东岗镇", "date": "2026-05-01"})
    assert after.status_code == 422 and "没有有效的清单版本" in after.json()["detail"]
    codes = [m["code"] for m in get(client, "matters/", {"as_of": "2026-05-01"}).json()["results"]]
    assert codes == ["A01001"]


# ---- matters -------------------------------------------------------------------------------------


def test_the_staffing_office_adds_a_matter(client, tiny):
    client.force_login(tiny.cast.users.staffing)

    response = post(client, "matters/", matter_payload())

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["code"], body["area"], body["as_of"]) == ("A02001", "A02", "2026-02-01")
    assert body["version"]["service_type"] == "行政许可" and body["version"]["committed_days"] == 3
    assert [(r["catalog_unit"], r["is_lead"], r["duty"]) for r in body["version"]["responsibilities"]] == [
        ("C01", True, "审批"),
        ("T01", False, "代办"),
    ]


def test_the_matter_list_filters_by_text_area_kind_and_date(client, tiny):
    client.force_login(tiny.cast.users.staffing)
    assert post(client, "matters/", matter_payload()).status_code == 201

    def codes(**params):
        response = get(client, "matters/", {"as_of": "2026-06-01", **params})
        assert response.status_code == 200, response.json()
        return [m["code"] for m in response.json()["results"]]

    assert codes() == ["A01001", "A01002", "A02001"]
    assert codes(q="宅基地") == ["A01002"]
    assert codes(q="违建") == ["A01001"]  # a keyword
    assert codes(q="a02") == ["A02001"]
    assert codes(area="A02") == ["A02001"]
    assert codes(list_kind="基本履职") == ["A01002"]
    assert codes(service="1") == ["A02001"]
    assert codes(as_of="2026-01-15") == ["A01001", "A01002"]  # A02001 is in force from 1 February
    row = get(client, "matters/", {"q": "A01001"}).json()["results"][0]
    assert (row["lead"], row["lead_name"], row["area_name"]) == ("C01", "县自然资源局", "自然资源")
    bad = get(client, "matters/", {"list_kind": "其他"})
    assert bad.status_code == 400 and chinese(bad.json()["list_kind"])


def test_the_matter_list_does_not_query_per_matter(client, tiny):
    client.force_login(tiny.cast.users.dispatcher)
    get(client, "matters/")  # the session and role look-ups
    with CaptureQueriesContext(connection) as few:
        get(client, "matters/")
    for i in range(5):
        actions.save_matter(
            code=f"A01{100 + i}",
            area=tiny.area,
            fields={"name": f"事项{i}", "list_kind": ListKind.LOCAL},
            duties=[actions.Duty(tiny.county, True), actions.Duty(tiny.role, False)],
            effective_from=START,
            by=None,
        )

    with CaptureQueriesContext(connection) as many:
        response = get(client, "matters/")

    assert response.json()["count"] == 7
    assert len(many) == len(few)


def test_a_matter_shows_the_version_in_force_and_its_history(client, tiny):
    client.force_login(tiny.cast.users.west_leader)

    body = get(client, f"matters/{tiny.local.pk}/").json()
    before = get(client, f"matters/{tiny.local.pk}/", {"as_of": "2025-12-31"}).json()

    assert body["version"]["name"] == "违法占用耕地建房的巡查报告" and body["version"]["keywords"] == "耕地;违建"
    assert [r["catalog_unit"] for r in body["version"]["responsibilities"]] == ["C01", "T01"]
    assert len(body["versions"]) == 1
    assert before["version"] is None


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        ({"lead": ["C01", "C02"]}, "lead", "有且只有一个主体责任单位"),
        ({"cooperating": [{"unit": "C01"}]}, "cooperating", "重复列入"),
        ({"committed_days": 20}, "committed_days", "承诺时限不能长于法定时限"),
        ({"statutory_days": -1}, "statutory_days", "时限不能为负数"),
        ({"lead": "C99"}, "lead", "清单单位代码“C99”不存在"),
        ({"service_type": ""}, "service_type", "须选择事项类型"),
        ({"area": "A99"}, "area", "领域代码“A99”不存在"),
        ({"code": "A01001"}, "code", "已存在"),
        ({"effective_from": "明天"}, "effective_from", "日期格式不正确"),
    ],
)
def test_an_invalid_matter_is_refused_in_chinese_and_nothing_is_saved(client, tiny, overrides, field, expected):
    client.force_login(tiny.cast.users.staffing)
    counts = (Matter.objects.count(), MatterVersion.objects.count())

    response = post(client, "matters/", matter_payload(**overrides))

    assert response.status_code == 400
    assert chinese(response.json()[field]), response.json()
    assert expected in str(response.json()[field])
    assert (Matter.objects.count(), MatterVersion.objects.count()) == counts


def test_an_unknown_cooperating_unit_is_refused(client, tiny):
    client.force_login(tiny.cast.users.staffing)

    response = post(client, "matters/", matter_payload(cooperating=[{"unit": "T99", "duty": ""}]))

    assert response.status_code == 400
    assert "T99" in str(response.json()["cooperating"])
    assert not Matter.objects.filter(code="A02001").exists()


def test_a_township_leader_reads_the_catalog_but_cannot_change_it(client, tiny):
    client.force_login(tiny.cast.users.east_leader)
    east = tiny.cast.regions.east

    assert get(client, "matters/").status_code == 200
    assert get(client, "areas/").json()["count"] == 2
    assert get(client, f"units/{tiny.role.pk}/").json()["bindings"][0]["township_name"] == "东岗镇"
    writes = {
        "matters/": matter_payload(),
        f"matters/{tiny.local.pk}/repeal/": {"on": "2026-05-01", "document_no": "示编〔2026〕8号"},
        f"units/{tiny.role.pk}/bindings/": {"township": east.pk, "unit": tiny.cast.units.east_hall.pk},
        f"powers/{tiny.power.pk}/delegations/": {"township": east.pk, "status": "deferred", "on": "2026-06-01"},
    }
    assert {url: post(client, url, data).status_code for url, data in writes.items()} == dict.fromkeys(writes, 403)
    assert not Matter.objects.filter(code="A02001").exists()
    assert RoleBinding.objects.get(role=tiny.role, township=east).unit == tiny.cast.units.east_office


# ---- units and bindings --------------------------------------------------------------------------


def test_binding_the_role_in_a_township_makes_its_matters_resolvable_there(client, tiny):
    client.force_login(tiny.cast.users.staffing)
    west = tiny.cast.regions.west

    response = post(
        client, f"units/{tiny.role.pk}/bindings/", {"township": west.pk, "unit": tiny.cast.units.west_office.pk}
    )

    assert response.status_code == 200, response.json()
    assert response.json()["unit_name"] == "河西镇党政综合办公室"
    resolved = get(client, "resolve", {"matter": "A01002", "township": "河西镇", "date": "2026-06-01"}).json()
    assert resolved["lead"]["unit"]["id"] == tiny.cast.units.west_office.pk
    units = get(client, "units/", {"level": "township"}).json()["results"]
    assert [(u["code"], sorted(b["township_name"] for b in u["bindings"])) for u in units] == [
        ("T01", ["东岗镇", "河西镇"])
    ]


def test_a_role_cannot_be_bound_to_another_townships_unit(client, tiny):
    client.force_login(tiny.cast.users.staffing)

    response = post(
        client,
        f"units/{tiny.role.pk}/bindings/",
        {"township": tiny.cast.regions.west.pk, "unit": tiny.cast.units.east_office.pk},
    )

    assert response.status_code == 400
    assert "不属于河西镇" in response.json()["unit"][0]
    assert not RoleBinding.objects.filter(township=tiny.cast.regions.west).exists()


# ---- delegated powers ----------------------------------------------------------------------------


def test_delegation_progress_counts_each_townships_status_on_the_date(client, tiny):
    client.force_login(tiny.cast.users.staffing)
    DelegatedPower.objects.create(
        code="FQ002",
        name="对擅自改变土地用途的处罚",
        county_unit=tiny.county,
        township_role=tiny.role,
        offered_on=date(2026, 4, 1),
    )
    deferred = post(
        client,
        f"powers/{tiny.power.pk}/delegations/",
        {"township": tiny.cast.regions.west.pk, "status": "deferred", "on": "2026-03-05", "note": "人员未到位"},
    )
    assert deferred.status_code == 201, deferred.json()

    def progress(day):
        rows = get(client, "delegation-progress/", {"as_of": day}).json()
        return {
            r["township_name"]: (r["accepted"], r["deferred"], r["reclaimed"], r["not_accepted"], r["total"])
            for r in rows
        }

    assert progress("2026-02-01") == {"东岗镇": (0, 0, 0, 1, 1), "河西镇": (0, 0, 0, 1, 1)}
    assert progress("2026-03-10") == {"东岗镇": (1, 0, 0, 0, 1), "河西镇": (0, 1, 0, 0, 1)}
    assert progress("2026-05-01") == {"东岗镇": (1, 0, 0, 1, 2), "河西镇": (0, 1, 0, 1, 2)}
    powers = get(client, "powers/", {"as_of": "2026-05-01"}).json()["results"]
    assert [(p["code"], p["counts"]) for p in powers] == [
        ("FQ001", {"accepted": 1, "deferred": 1, "reclaimed": 0, "not_accepted": 0}),
        ("FQ002", {"accepted": 0, "deferred": 0, "reclaimed": 0, "not_accepted": 2}),
    ]


def test_a_power_shows_each_townships_history(client, tiny):
    client.force_login(tiny.cast.users.staffing)
    reclaimed = post(
        client,
        f"powers/{tiny.power.pk}/delegations/",
        {
            "township": tiny.cast.regions.east.pk,
            "status": "reclaimed",
            "on": "2026-09-01",
            "document_no": "示政〔2026〕9号",
        },
    )
    assert reclaimed.status_code == 201, reclaimed.json()

    body = get(client, f"powers/{tiny.power.pk}/", {"as_of": "2026-06-01"}).json()

    east, west = body["townships"]
    assert (east["township_name"], east["status"], east["status_display"]) == ("东岗镇", "accepted", "已承接")
    assert [(h["status"], h["on"]) for h in east["history"]] == [
        ("accepted", "2026-03-01"),
        ("reclaimed", "2026-09-01"),
    ]
    assert (west["status"], west["history"]) == ("not_accepted", [])
    assert body["matter_code"] == "A01001" and body["township_role"] == "T01"
    after = get(client, "resolve", {"matter": "A01001", "township": "东岗镇", "date": "2026-09-01"}).json()
    assert after["delegated"] is False and after["lead"]["catalog_unit"]["code"] == "C01"


def test_accepting_without_a_document_number_is_refused(client, tiny):
    client.force_login(tiny.cast.users.staffing)

    response = post(
        client,
        f"powers/{tiny.power.pk}/delegations/",
        {"township": tiny.cast.regions.west.pk, "status": "accepted", "on": "2026-06-01"},
    )
    repeated = post(
        client,
        f"powers/{tiny.power.pk}/delegations/",
        {"township": tiny.cast.regions.east.pk, "status": "accepted", "on": "2026-06-01", "document_no": "x"},
    )

    assert response.status_code == 400 and "文号" in response.json()["document_no"][0]
    assert repeated.status_code == 400 and "已是“已承接”" in repeated.json()["status"][0]


# ---- admissions ----------------------------------------------------------------------------------

ADMISSION = {"title": "秸秆禁烧巡查", "description": "乡镇每日巡查并报告火点", "reason": "上级考核要求", "area": "A02"}


def test_a_department_asks_for_admission_and_the_staffing_office_decides(client, tiny):
    cast = tiny.cast
    client.force_login(cast.users.department)

    submitted = post(client, "admissions/", ADMISSION)
    assert submitted.status_code == 201, submitted.json()
    admission = submitted.json()
    assert (admission["department"], admission["status"], admission["area"]) == (cast.units.land.pk, "pending", "A02")
    assert post(client, f"admissions/{admission['id']}/approve/", {"note": "同意"}).status_code == 403
    assert [a["id"] for a in get(client, "admissions/").json()["results"]] == [admission["id"]]

    client.force_login(cast.users.staffing)
    approved = post(client, f"admissions/{admission['id']}/approve/", {"note": "纳入清单", "matter": tiny.local.pk})
    assert approved.status_code == 200, approved.json()
    assert (approved.json()["status"], approved.json()["matter_code"]) == ("approved", "A01001")
    again = post(client, f"admissions/{admission['id']}/refuse/", {"note": "不同意"})
    assert again.status_code == 400 and "不能再审核" in again.json()["detail"]


def test_the_staffing_office_refuses_with_a_reason(client, tiny):
    client.force_login(tiny.cast.users.department)
    admission = post(client, "admissions/", ADMISSION).json()
    client.force_login(tiny.cast.users.staffing)

    no_reason = post(client, f"admissions/{admission['id']}/refuse/", {"note": ""})
    refused = post(client, f"admissions/{admission['id']}/refuse/", {"note": "属部门自身职责"})

    assert no_reason.status_code == 400 and chinese(no_reason.json()["note"])
    assert (refused.json()["status"], refused.json()["decided_by"]) == ("refused", "bianban")
    assert get(client, "admissions/", {"status": "refused"}).json()["count"] == 1


def test_a_department_cannot_ask_in_another_units_name(client, tiny):
    client.force_login(tiny.cast.users.department)

    response = post(client, "admissions/", {**ADMISSION, "department": tiny.cast.units.east_office.pk})

    assert response.status_code == 400
    assert "东岗镇党政综合办公室" in response.json()["department"][0]
    assert not AdmissionRequest.objects.exists()


def test_a_township_leader_neither_asks_for_admission_nor_sees_requests(client, tiny):
    client.force_login(tiny.cast.users.department)
    admission = post(client, "admissions/", ADMISSION).json()
    client.force_login(tiny.cast.users.east_leader)

    assert post(client, "admissions/", ADMISSION).status_code == 403
    assert get(client, "admissions/").json()["count"] == 0
    assert get(client, f"admissions/{admission['id']}/").status_code == 404


# ---- schema --------------------------------------------------------------------------------------


def test_the_schema_lists_the_catalog_endpoints(client, cast):
    client.force_login(cast.users.staffing)

    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]

    for endpoint in (
        "resolve/",
        "areas/",
        "units/{id}/bindings/",
        "matters/{id}/versions/",
        "matters/{id}/repeal/",
        "powers/{id}/delegations/",
        "delegation-progress/",
        "admissions/{id}/approve/",
        "admissions/{id}/refuse/",
    ):
        assert f"/api/v1/catalog/{endpoint}" in paths, endpoint
