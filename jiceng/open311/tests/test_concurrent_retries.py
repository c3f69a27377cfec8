"""Two copies of one POST arriving at the same moment still make one case (PostgreSQL, real concurrency)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection

from jiceng.cases.models import Case
from jiceng.grids import places
from jiceng.open311.models import ServiceRequest

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_retries_with_one_idempotency_key_make_one_case(live_server, cast, offered, api_key, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the in-memory SQLite test database shares one connection between the server's threads")
    # Hold every copy after its "seen before?" check until all four have made it: all of them then insert.
    all_checked = threading.Barrier(4, timeout=10)
    find_place = places.find_place

    def find_place_together(address):
        all_checked.wait()
        return find_place(address)

    monkeypatch.setattr(places, "find_place", find_place_together)
    data = {
        "api_key": api_key.raw,
        "service_code": "M002",
        "description": "路灯不亮",
        "address_string": "东岗镇柳树村",
    }

    def send(_):
        response = requests.post(
            f"{live_server.url}/open311/v2/requests.json",
            data=data,
            headers={"Idempotency-Key": "burst-1", "Connection": "close"},
            timeout=20,
        )
        return response.status_code, response.json()[0]["service_request_id"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(send, range(4)))
    assert sorted(status for status, _ in answers) == [200, 200, 200, 201]
    assert len({code for _, code in answers}) == 1
    assert Case.objects.count() == 1 and ServiceRequest.objects.count() == 1
