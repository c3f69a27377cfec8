"""The lifecycle table: every action is allowed exactly from its listed statuses, and refused otherwise."""

import pytest

from jiceng.cases.lifecycle import TRANSITIONS, transition
from jiceng.cases.models import Case, CaseEvent, Channel, Status
from jiceng.lib.errors import DomainError

ALL = [s for s in Status]


def case_in(status):
    return Case.objects.create(channel=Channel.GRID, title="t", text="x", status=status)


@pytest.mark.django_db
@pytest.mark.parametrize("action", [a for a in TRANSITIONS if a != "register"])
def test_each_action_is_allowed_from_its_statuses_only(action):
    label, sources, target = TRANSITIONS[action]
    for status in ALL:
        case = case_in(status)
        if status in sources:
            event = transition(case, action, by=None)
            assert (event.from_status, event.to_status) == (status, target or status)
            assert Case.objects.get(pk=case.pk).status == (target or status)
        else:
            with pytest.raises(DomainError) as error:
                transition(case, action, by=None)
            assert error.value.message == f"办件{Status(status).label}，不能{label}。"
            assert Case.objects.get(pk=case.pk).status == status
            assert not CaseEvent.objects.filter(case=case).exists()
