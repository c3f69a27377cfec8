"""List pages cost the same number of queries whatever the number of rows (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.conftest import make_person
from jiceng.orgs import actions


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/orgs/people/", "/orgs/units/", "/orgs/posts/", "/orgs/absences/", "/"])
def test_list_pages_do_not_grow_with_rows(client, cast, calendar_2026, url):
    client.force_login(cast.users.staffing)
    add_rows(cast, range(1))
    queries(client, url)  # warms the per-process holiday-table cache
    before = queries(client, url)
    add_rows(cast, range(1, 7))
    assert queries(client, url) == before


def add_rows(cast, numbers):
    for i in numbers:
        person = make_person(f"新人{i}", cast.units.east_office, seq=100 + i)
        unit = actions.create_unit(
            by=None, name=f"新单位{i}", kind="institution", region=cast.regions.east, parent=cast.units.east_root
        )
        actions.add_plaque(unit, name=f"新牌子{i}", by=None)
        post = actions.create_post(unit, name="岗位", by=None)
        actions.set_post_holders(post, a=person, bs=[cast.people.east_staff], by=None)
        actions.record_absence(person, kind="leave", start_date=calendar_date(), end_date=calendar_date(), by=None)


def calendar_date():
    from django.utils import timezone

    return timezone.localdate()
