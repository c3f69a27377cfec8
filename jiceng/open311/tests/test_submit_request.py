"""POST requests: a case through register_case, keys, validation, retries and the hourly limit."""

from xml.etree import ElementTree as ET

import pytest

from jiceng.cases.models import Case, CaseEvent, Channel, Status
from jiceng.grids import places
from jiceng.open311 import actions
from jiceng.open311.models import ApiKey, ServiceRequest

URL = "/open311/v2/requests.{}"


def post(client, key, fmt="json", headers=None, **fields):
    data = {
        "api_key": key,
        "service_code": "M002",
        "description": "东岗镇柳树村村口的路灯已经一周不亮了，晚上走路很危险，请尽快修理",
        "address_string": "示范县东岗镇柳树村村口",
        "lat": "32.98",
        "long": "114.02",
        **fields,
    }
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(URL.format(fmt), data, headers=headers or {})


def test_a_post_registers_an_open311_case_in_the_township_the_address_names(client, cast, offered, api_key):
    response = post(client, api_key.raw, first_name="先生", last_name="王", phone="139 1234 5678", account_id="u-7")
    assert response.status_code == 201
    [body] = response.json()
    case = Case.objects.get()
    assert body["service_request_id"] == case.code
    assert body["account_id"] == "u-7" and "查询码" in body["service_notice"]
    assert (case.channel, case.status, case.matter) == (Channel.OPEN311, Status.REGISTERED, offered["lamp"])
    assert (case.township, case.village) == (cast.regions.east, cast.regions.village)
    assert case.title == "东岗镇柳树村村口的路灯已经一周不亮了，晚上走路很危险，请尽…" and len(case.title) == 30
    assert (case.latitude, case.longitude, case.address) == (32.98, 114.02, "示范县东岗镇柳树村村口")
    assert (case.requester_name, case.requester_phone) == ("王先生", "13912345678")
    assert CaseEvent.objects.get(case=case).action == "register"
    received = ServiceRequest.objects.get()
    assert (received.case, received.api_key, received.token) == (case, api_key.obj, body["token"])
    api_key.obj.refresh_from_db()
    assert api_key.obj.last_used_at is not None


def test_a_township_alone_is_matched_and_an_unknown_place_is_left_to_the_command_centre(client, cast, offered, api_key):
    post(client, api_key.raw, address_string="河西镇中心街")
    post(client, api_key.raw, address_string="不知道在哪里的路口")
    first, second = Case.objects.order_by("id")
    assert (first.township, first.village) == (cast.regions.west, None)
    assert (second.township, second.village) == (None, None)


def test_a_village_named_under_another_township_does_not_move_the_case(cast, offered):
    assert places.find_place("河西镇柳树村") == (cast.regions.west, None)
    assert places.find_place("柳树村") == (cast.regions.east, cast.regions.village)


def test_the_answer_is_xml_with_the_specs_elements_when_asked(client, cast, offered, api_key):
    response = post(client, api_key.raw, fmt="xml")
    assert response.status_code == 201 and response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    [request] = root
    assert request.tag == "request"
    assert [e.tag for e in request] == ["service_request_id", "token", "service_notice", "account_id"]
    assert request.findtext("service_request_id") == Case.objects.get().code


@pytest.mark.parametrize(
    ("key", "message"),
    [(None, "缺少 api_key"), ("not-a-key", "api_key 无效或已停用"), ("", "缺少 api_key")],
)
def test_a_post_without_a_valid_key_is_refused_with_403(client, cast, offered, key, message):
    response = post(client, key)
    assert response.status_code == 403
    [error] = response.json()
    assert error["code"] == 403 and message in error["description"]
    assert not Case.objects.exists()


def test_a_revoked_key_is_refused(client, cast, offered, api_key):
    actions.revoke_api_key(api_key.obj, by=None)
    assert post(client, api_key.raw).status_code == 403
    assert not Case.objects.exists()


def test_missing_service_code_and_description_are_each_reported_and_nothing_is_created(client, cast, offered, api_key):
    response = post(client, api_key.raw, service_code=None, description="   ")
    assert response.status_code == 400
    descriptions = [e["description"] for e in response.json()]
    assert any("缺少 service_code" in d for d in descriptions)
    assert any("缺少 description" in d for d in descriptions)
    assert all(e["code"] == 400 for e in response.json())
    assert not Case.objects.exists() and not ServiceRequest.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"service_code": "NOPE"}, "service_code“NOPE”不存在或不受理网上报送"),
        ({"service_code": "M003"}, "不受理网上报送"),  # 上级收回
        ({"service_code": "S001"}, "不受理网上报送"),  # 政务服务 goes through the window
        ({"service_code": "M004"}, "不受理网上报送"),  # repealed
        ({"lat": None, "long": None, "address_string": None}, "缺少位置"),
        ({"long": None}, "lat 和 long 须同时提供"),
        ({"lat": "91"}, "lat："),
        ({"lat": "abc"}, "lat："),
        ({"phone": "1391234"}, "不是有效的手机号"),
        ({"email": "not-an-email"}, "email 格式不正确"),
        ({"media_url": "javascript:alert(1)"}, "media_url 不是有效的网址"),
        ({"description": "长" * 4001}, "description 不能超过4000字"),
    ],
)
def test_invalid_fields_get_400_with_a_chinese_description(client, cast, offered, api_key, fields, message):
    response = post(client, api_key.raw, **fields)
    assert response.status_code == 400
    assert any(message in e["description"] for e in response.json()), response.json()
    assert not Case.objects.exists()


def test_a_retry_with_the_same_idempotency_key_returns_the_first_request(client, cast, offered, api_key):
    first = post(client, api_key.raw, headers={"Idempotency-Key": "req-0001"})
    again = post(client, api_key.raw, headers={"Idempotency-Key": "req-0001"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Case.objects.count() == 1 and ServiceRequest.objects.count() == 1
    post(client, api_key.raw, headers={"Idempotency-Key": "req-0002"})
    post(client, api_key.raw)  # no key: every post is a new request
    assert Case.objects.count() == 3


def test_idempotency_keys_are_scoped_to_the_api_key(client, cast, offered, api_key):
    other = actions.issue_api_key(ApiKey(name="另一个客户端"), by=None)
    post(client, api_key.raw, headers={"Idempotency-Key": "same"})
    post(client, other, headers={"Idempotency-Key": "same"})
    assert Case.objects.count() == 2


def test_a_malformed_idempotency_key_is_refused(client, cast, offered, api_key):
    response = post(client, api_key.raw, headers={"Idempotency-Key": "x" * 81})
    assert response.status_code == 400 and "Idempotency-Key" in response.json()[0]["description"]
    assert not Case.objects.exists()


def test_a_key_over_its_hourly_limit_gets_429_but_its_retries_still_answer(client, cast, offered, api_key):
    api_key.obj.hourly_limit = 2
    api_key.obj.save(update_fields=["hourly_limit"])
    post(client, api_key.raw, headers={"Idempotency-Key": "a"})
    post(client, api_key.raw)
    refused = post(client, api_key.raw)
    assert refused.status_code == 429 and "已达上限" in refused.json()[0]["description"]
    assert post(client, api_key.raw, headers={"Idempotency-Key": "a"}).status_code == 200
    assert Case.objects.count() == 2


def test_other_methods_get_405_in_the_error_format(client, cast):
    response = client.put(URL.format("json"))
    assert response.status_code == 405 and response.json()[0]["code"] == 405
    assert "POST" in response["Allow"]


def test_no_csrf_token_is_needed(cast, offered, api_key):
    from django.test import Client

    response = post(Client(enforce_csrf_checks=True), api_key.raw)
    assert response.status_code == 201
