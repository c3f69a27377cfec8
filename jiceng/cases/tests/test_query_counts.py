"""The desks cost the same number of queries however many matters the catalog has (no query per option)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.catalog import actions as catalog
from jiceng.catalog.models import Area, CatalogUnit, ListKind


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/cases/call/", "/cases/window/?matter=0", "/cases/command/"])
def test_desks_do_not_grow_with_the_catalog(client, cast, matters, url):
    users = {"call": cast.users.east_leader, "window": cast.users.east_clerk, "command": cast.users.dispatcher}
    client.force_login(next(u for key, u in users.items() if key in url))
    queries(client, url)
    before = queries(client, url)
    area = Area.objects.get(code="A01")
    land = CatalogUnit.objects.get(code="C01")
    for i in range(8):
        for kind in (ListKind.LOCAL, ListKind.SERVICE):
            catalog.save_matter(
                code=f"X{kind[:1]}{i}",
                area=area,
                effective_from=date(2025, 1, 1),
                by=None,
                fields={"name": f"事项{i}", "list_kind": kind, "service_type": "公共服务"},
                duties=[catalog.Duty(land, True)],
            )
    assert queries(client, url) == before
