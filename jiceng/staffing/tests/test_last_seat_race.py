"""Two officers approving the last free seat at the same moment: exactly one succeeds."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from jiceng.staffing import actions
from jiceng.staffing.models import EntryReason, HiringRequest, Placement, QuotaKind

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL (make test runs it)")
def test_only_one_of_two_simultaneous_approvals_gets_the_last_seat(cast):
    Placement.objects.update(start_on=date(2020, 1, 1))
    account = actions.get_account(cast.units.east_office, QuotaKind.ADMINISTRATIVE)
    actions.record_entry(account, delta=3, reason=EntryReason.APPROVE, on=date(2020, 1, 1), document_no="x", by=None)
    day = date(2026, 3, 2)
    first, second = (
        actions.submit_hiring_request(
            cast.units.east_office, kind=QuotaKind.ADMINISTRATIVE, seats=1, purpose=p, on=day, by=None
        )
        for p in ("甲", "乙")
    )
    barrier = threading.Barrier(2)
    errors = []

    def approve(req):
        try:
            barrier.wait(timeout=10)
            actions.approve_hiring_request(req, on=day, by=None)
        except Exception as e:
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(r,)) for r in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    statuses = sorted(HiringRequest.objects.values_list("status", flat=True))
    assert statuses == [HiringRequest.Status.APPROVED, HiringRequest.Status.REFUSED]
