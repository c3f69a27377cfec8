"""Two clerks signing the same case at the same moment: one wins, the other is told who signed."""

import threading

import pytest
from django.db import connection, connections

from jiceng.cases import actions
from jiceng.cases.models import CaseEvent, Status
from jiceng.lib.errors import DomainError

from .test_case_flow import grid_report

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL (make test runs it)")
def test_only_one_of_two_simultaneous_signatures_wins(cast, matters):
    case = actions.dispatch_case(grid_report(cast, matters), by=None)
    barrier = threading.Barrier(2)
    signed, refused = [], []

    def sign(user):
        try:
            barrier.wait(timeout=10)
            actions.sign_case(case, by=user, unit=cast.units.land)
            signed.append(user)
        except DomainError as e:
            refused.append(e.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=(u,)) for u in (cast.users.department, cast.users.staffing)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(signed) == 1 and len(refused) == 1
    assert f"已由{signed[0].display_name}于" in refused[0] and "无需重复签收" in refused[0]
    assert CaseEvent.objects.filter(case=case, action="sign").count() == 1
    case.refresh_from_db()
    assert case.status == Status.HANDLING
