"""A round trip with a third-party GeoReport v2 client against the live server.

`georeport` (PyPI) reads services, service definitions and requests in both formats, parsing XML with
xmltodict by the spec's element names. It cannot submit, so POST goes through `requests`, the HTTP library
it uses itself. (The older PyPI clients `open311` 1.1 and `three` 0.8.0 are Python 2 only and do not
import on Python 3.11.)
"""

import pytest
import requests
from georeport import GeoReport

from jiceng.cases import actions as cases
from jiceng.cases.models import Case, Channel, Result

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def root(live_server, monkeypatch):
    # Close each connection after its response: a kept-alive one would hold a server thread, and with it
    # the shared in-memory SQLite connection, until the end of the session.
    headers = requests.utils.default_headers()
    headers["Connection"] = "close"
    monkeypatch.setattr(requests.sessions, "default_headers", lambda: headers.copy())
    return f"{live_server.url}/open311/v2"


def submit(root, key, headers=None, **fields):
    data = {
        "api_key": key,
        "service_code": "M002",
        "description": "河西镇中心街路灯不亮",
        "address_string": "河西镇中心街",
        "lat": "32.9",
        "long": "114.1",
        "first_name": "先生",
        "last_name": "李",
        "phone": "13912345678",
        **fields,
    }
    return requests.post(f"{root}/requests.json", data=data, headers=headers or {}, timeout=10)


def test_a_georeport_client_reads_what_a_form_post_created(root, cast, offered, api_key):
    first = submit(root, api_key.raw, headers={"Idempotency-Key": "live-1"})
    assert first.status_code == 201
    [created] = first.json()
    retry = submit(root, api_key.raw, headers={"Idempotency-Key": "live-1"})
    assert (retry.status_code, retry.json()) == (200, [created])
    refused = submit(root, "wrong-key")
    assert refused.status_code == 403 and refused.json()[0]["code"] == 403
    [other] = submit(
        root, api_key.raw, service_code="M001", description="耕地上建房", address_string="东岗镇柳树村"
    ).json()
    case = Case.objects.get(code=other["service_request_id"])
    assert (case.channel, case.township) == (Channel.OPEN311, cast.regions.east)
    case = cases.sign_case(cases.dispatch_case(case, by=cast.users.dispatcher), by=None, unit=cast.units.land)
    cases.finish_case(case, result=Result.SOLVED, reply="已制止", by=None)

    as_json = GeoReport(root, jurisdiction="411799", output_format="json")
    as_xml = GeoReport(root, jurisdiction="411799", output_format="xml")

    for client in (as_json, as_xml):
        services = client.get_service_list()
        assert [s["service_code"] for s in services] == ["M001", "M002"]
        assert services[1]["service_name"] == "路灯等公共照明设施损坏" and services[1]["group"] == "市政设施"
        assert client.get_service_definition("M002")["service_code"] == "M002"

    listed = as_json.get_service_requests()
    assert [r["service_request_id"] for r in listed] == [other["service_request_id"], created["service_request_id"]]
    listed_xml = as_xml.get_service_requests()
    assert [r["service_request_id"] for r in listed_xml] == [r["service_request_id"] for r in listed]

    closed = as_json.get_service_requests(status="closed")
    assert [(r["service_request_id"], r["status"]) for r in closed] == [(other["service_request_id"], "closed")]
    only = as_xml.get_service_requests(service_request_id=created["service_request_id"])  # one: a dict
    assert only["service_request_id"] == created["service_request_id"] and only["status"] == "open"
    assert [r["service_code"] for r in as_json.get_service_requests(service_code="M001")] == ["M001"]

    one = as_json.get_service_request(other["service_request_id"])
    assert (one["status"], one["agency_responsible"]) == ("closed", "县自然资源局")
    assert "已制止" in one["status_notes"] and one["expected_datetime"].endswith("+08:00")
    one_xml = as_xml.get_service_request(created["service_request_id"])
    assert (one_xml["service_code"], one_xml["lat"], one_xml["address"]) == ("M002", "32.9", "河西镇中心街")
    assert one_xml["expected_datetime"] is None  # an empty element

    with pytest.raises(requests.HTTPError) as missing:
        as_json.get_service_request("NOSUCHCODE")
    assert missing.value.response.status_code == 404

    token = requests.get(f"{root}/tokens/{created['token']}.xml", timeout=10)
    assert f"<service_request_id>{created['service_request_id']}</service_request_id>" in token.text
    discovery = requests.get(f"{root}/discovery.json", timeout=10).json()
    assert discovery["endpoints"][0]["url"] == root

    everything = (
        requests.get(f"{root}/requests.json", timeout=10).text + requests.get(f"{root}/requests.xml", timeout=10).text
    )
    assert "13912345678" not in everything and "李先生" not in everything
