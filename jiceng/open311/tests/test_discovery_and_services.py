"""Discovery, the service list (which matters are offered) and one service's definition."""

from xml.etree import ElementTree as ET


def test_discovery_names_this_endpoint_and_both_formats(client, db):
    data = client.get("/open311/v2/discovery.json").json()
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    [endpoint] = data["endpoints"]
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = ET.fromstring(client.get("/open311/v2/discovery.xml").content)
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_the_service_list_offers_matters_in_force_that_the_public_may_report(client, offered):
    services = client.get("/open311/v2/services.json").json()
    # Not offered: S001 (政务服务, applied for at a window), M003 (上级收回), M004 (repealed).
    assert [s["service_code"] for s in services] == ["M001", "M002"]
    lamp = services[1]
    assert lamp == {
        "service_code": "M002",
        "service_name": "路灯等公共照明设施损坏",
        "description": "负责辖区内路灯的巡查和维修。",
        "metadata": False,
        "type": "realtime",
        "keywords": "路灯, 照明",
        "group": "市政设施",
    }
    assert services[0]["description"] == "属地管理事项" and services[0]["group"] == "自然资源"


def test_the_service_list_in_xml_uses_services_and_service(client, offered):
    response = client.get("/open311/v2/services.xml")
    assert response.status_code == 200 and response["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == "services" and [s.tag for s in root] == ["service", "service"]
    assert [e.tag for e in root[1]] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert root[1].findtext("metadata") == "false" and root[1].findtext("service_name") == "路灯等公共照明设施损坏"


def test_a_service_definition_has_no_attributes_and_unknown_codes_are_404(client, offered):
    assert client.get("/open311/v2/services/M002.json").json() == {"service_code": "M002", "attributes": []}
    root = ET.fromstring(client.get("/open311/v2/services/M002.xml").content)
    assert root.tag == "service_definition" and root.findtext("service_code") == "M002"
    assert root.find("attributes") is not None and len(root.find("attributes")) == 0
    for code in ("NOPE", "M003", "S001"):
        response = client.get(f"/open311/v2/services/{code}.json")
        assert response.status_code == 404 and response.json()[0]["code"] == 404


def test_only_json_and_xml_are_served(client, offered):
    assert client.get("/open311/v2/services.csv").status_code == 404
    assert client.get("/open311/v2/services").status_code == 404
