"""GET requests (filters, the 90-day window), GET one request, tokens, and what is never shown."""

from xml.etree import ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiceng.cases import actions as cases
from jiceng.cases.models import Case, Channel, Result
from jiceng.open311 import views

from .conftest import at

SPEC_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def submit(client, key, **fields):
    data = {
        "api_key": key,
        "service_code": "M002",
        "description": "柳树村路灯不亮",
        "address_string": "东岗镇柳树村",
        "first_name": "小明",
        "last_name": "张",
        "phone": "13912345678",
        "email": "zhang@example.com",
        "device_id": "device-42",
        "account_id": "account-42",
        "media_url": "https://img.example.com/lamp.jpg",
        **fields,
    }
    response = client.post("/open311/v2/requests.json", data)
    assert response.status_code == 201, response.content.decode()
    return response.json()[0]


def get(client, path, **params):
    return client.get(f"/open311/v2/{path}", params)


def ids(response):
    return [r["service_request_id"] for r in response.json()]


@pytest.fixture
def history(client, cast, offered, api_key):
    """An old request (May), a finished one and an open one (September), and a hotline case."""
    with at(2026, 5, 6):
        old = submit(client, api_key.raw, description="五月份的路灯问题")
    with at(2026, 9, 21):
        done = submit(client, api_key.raw, service_code="M001", description="耕地上在打地基")
        case = Case.objects.get(code=done["service_request_id"])
        case = cases.dispatch_case(case, by=cast.users.dispatcher)
        case = cases.sign_case(case, by=cast.users.department, unit=cast.units.land)
    with at(2026, 9, 23):
        cases.finish_case(case, result=Result.SOLVED, reply="已责令停工并拆除，联系人王科长13800001111。", by=None)
    with at(2026, 9, 28):
        fresh = submit(client, api_key.raw, description="路灯又坏了，我的电话13912345678，身份证411799198501010011")
        cases.register_case(channel=Channel.HOTLINE, title="噪声", text="夜间施工", requester_name="李四")
    return {"old": old["service_request_id"], "done": done["service_request_id"], "fresh": fresh["service_request_id"]}


def test_the_list_defaults_to_the_last_90_days_newest_first(client, history):
    with at(2026, 9, 29):
        response = get(client, "requests.json")
    assert response.status_code == 200
    assert ids(response) == [history["fresh"], history["done"]]  # no May request, no hotline case
    assert list(response.json()[0]) == SPEC_FIELDS


def test_status_service_code_and_ids_filter_the_list(client, history):
    with at(2026, 9, 29):
        assert ids(get(client, "requests.json", status="open")) == [history["fresh"]]
        assert ids(get(client, "requests.json", status="closed")) == [history["done"]]
        assert ids(get(client, "requests.json", status="open,closed")) == [history["fresh"], history["done"]]
        assert ids(get(client, "requests.json", service_code="M001")) == [history["done"]]
        assert ids(get(client, "requests.json", service_code="M001,M002")) == [history["fresh"], history["done"]]
        # ids override every other parameter, the 90-day window included
        both = get(client, "requests.json", service_request_id=f"{history['old'].lower()}, {history['done']}")
        assert sorted(ids(both)) == sorted([history["old"], history["done"]])
        assert ids(get(client, "requests.json", service_request_id=history["old"], status="closed")) == [history["old"]]


def test_a_date_range_selects_by_the_time_of_the_request(client, history):
    with at(2026, 9, 29):
        may = get(client, "requests.json", start_date="2026-05-01T00:00:00+08:00", end_date="2026-05-31T00:00:00Z")
        assert ids(may) == [history["old"]]
        assert ids(get(client, "requests.json", start_date="2026-09-22", end_date="2026-09-28")) == [history["fresh"]]
        assert ids(get(client, "requests.json", end_date="2026-08-01T00:00:00")) == [history["old"]]
        assert ids(get(client, "requests.json", start_date="2026-09-01T00:00:00")) == [
            history["fresh"],
            history["done"],
        ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start_date": "2026-01-01", "end_date": "2026-09-01"}, "不能超过90天"),
        ({"start_date": "2026-09-02", "end_date": "2026-08-31"}, "不能早于"),
        ({"start_date": "yesterday"}, "start_date“yesterday”格式不正确"),
        ({"end_date": "2026-02-30T00:00:00"}, "end_date“2026-02-30T00:00:00”格式不正确"),
        ({"status": "pending"}, "status“pending”无效"),
    ],
)
def test_bad_search_parameters_get_400(client, cast, params, message):
    response = get(client, "requests.json", **params)
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and message in error["description"]


def test_the_list_stops_at_the_maximum(client, history, monkeypatch):
    monkeypatch.setattr(views, "MAX_RESULTS", 1)
    with at(2026, 9, 29):
        assert ids(get(client, "requests.json")) == [history["fresh"]]


def test_the_list_costs_the_same_queries_for_more_requests(client, cast, offered, api_key):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert get(client, "requests.json").status_code == 200
        return len(queries)

    submit(client, api_key.raw)
    one = count()
    for _ in range(4):
        submit(client, api_key.raw)
    assert count() == one


def test_one_request_shows_its_state_unit_deadline_and_reply(client, history):
    case = Case.objects.get(code=history["done"])
    with at(2026, 9, 29):
        [request] = get(client, f"requests/{history['done']}.json").json()
    assert request["status"] == "closed"
    assert request["status_notes"].startswith("已办结；办理结果：已解决；答复：已责令停工并拆除")
    assert (request["service_code"], request["service_name"]) == ("M001", "违法占用耕地建房")
    assert request["agency_responsible"] == "县自然资源局"
    assert request["requested_datetime"] == "2026-09-21T09:00:00+08:00"
    assert request["updated_datetime"] == "2026-09-23T09:00:00+08:00"
    assert request["expected_datetime"] == timezone.localtime(case.due_at).isoformat() == "2026-09-24T23:59:59+08:00"
    assert request["service_notice"] == "按清单，本事项在派单后3个工作日内办结。"
    assert request["media_url"] == "https://img.example.com/lamp.jpg"
    assert (request["address"], request["lat"], request["long"]) == ("东岗镇柳树村", None, None)
    [fresh] = get(client, f"requests/{history['fresh'].lower()}.json").json()
    assert (fresh["status"], fresh["status_notes"], fresh["agency_responsible"]) == ("open", "已登记", None)


def test_an_unknown_or_private_case_is_404(client, history):
    hotline = Case.objects.get(channel=Channel.HOTLINE)
    for code in ("NOSUCHCODE", hotline.code):
        response = get(client, f"requests/{code}.json")
        assert response.status_code == 404 and response.json()[0]["code"] == 404
    xml = get(client, "requests/NOSUCHCODE.xml")
    assert xml.status_code == 404
    root = ET.fromstring(xml.content)
    assert root.tag == "errors" and [e.tag for e in root[0]] == ["code", "description"]
    assert root.findtext("error/code") == "404" and "NOSUCHCODE" in root.findtext("error/description")


def test_a_token_leads_to_its_request(client, cast, offered, api_key):
    created = submit(client, api_key.raw)
    [answer] = get(client, f"tokens/{created['token']}.json").json()
    assert answer == {"service_request_id": created["service_request_id"], "token": created["token"]}
    root = ET.fromstring(get(client, f"tokens/{created['token']}.xml").content)
    assert (
        root.tag == "service_requests" and root.findtext("request/service_request_id") == answer["service_request_id"]
    )
    assert get(client, "tokens/unknown-token.json").status_code == 404


def test_xml_lists_use_the_specs_wrapper_and_element_names(client, history):
    with at(2026, 9, 29):
        response = get(client, "requests.xml")
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests" and [r.tag for r in root] == ["request", "request"]
    assert [e.tag for e in root[0]] == SPEC_FIELDS
    assert root[1].findtext("status") == "closed" and root[1].findtext("expected_datetime").endswith("+08:00")
    assert root[0].find("expected_datetime").text is None  # not dispatched yet: an empty element


def test_no_personal_data_leaves_through_any_read(client, history):
    hotline = Case.objects.get(channel=Channel.HOTLINE)
    with at(2026, 9, 29):
        pages = [
            get(client, "requests.json"),
            get(client, "requests.xml"),
            get(client, "requests.json", service_request_id=",".join([*history.values(), hotline.code])),
            *(get(client, f"requests/{code}.{fmt}") for code in history.values() for fmt in ("json", "xml")),
        ]
    text = "".join(p.content.decode() for p in pages)
    for secret in ("张小明", "小明", "13912345678", "zhang@example.com", "device-42", "account-42", "李四"):
        assert secret not in text
    assert "411799198501010011" not in text and "13800001111" not in text  # typed into free text: masked
    assert "139****5678" in text and "4117**********0011" in text
