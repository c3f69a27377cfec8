"""Agency points: the agent registers for the villager (一次不跑) and the case goes to the hall; idle points show."""

from datetime import date

from django.urls import reverse

from jiceng.accounts.models import RoleAssignment
from jiceng.accounts.roles import Role, Scope
from jiceng.cases.agency import point_stats
from jiceng.cases.models import Case, Channel, Consultation, Status
from jiceng.catalog.models import MatterVersion


def test_an_agent_case_goes_to_the_townships_hall_without_a_visit(client, cast, matters):
    MatterVersion.objects.filter(matter=matters["service"]).update(no_visit=True)
    RoleAssignment.objects.filter(user=cast.users.agent).update(unit=cast.units.east_village, scope=Scope.UNIT)
    client.force_login(cast.users.agent)
    client.post(
        reverse("cases:agent"),
        {"form": "case", "matter": matters["service"].pk, "requester_name": "李大爷", "requester_phone": "13900001111"},
    )
    case = Case.objects.get()
    assert (case.channel, case.visits, case.status, case.lead_unit) == (
        Channel.AGENT,
        0,
        Status.DISPATCHED,
        cast.units.east_hall,
    )
    client.post(reverse("cases:agent"), {"form": "consult", "c-topic": "新农合怎么交"})
    assert Consultation.objects.get().unit == cast.units.east_village


def test_points_without_activity_are_shown_as_idle(cast, matters):
    Consultation.objects.create(unit=cast.units.east_village, topic="低保怎么申请")
    stats = {s.unit: s for s in point_stats([cast.units.east_village], date(2020, 1, 1))}
    assert stats[cast.units.east_village].consultations == 1 and not stats[cast.units.east_village].idle
    idle = point_stats([cast.units.east_office], date(2020, 1, 1))[0]
    assert idle.idle and idle.cases == 0


def test_the_statistics_page_lists_the_points_in_scope(client, cast, matters):
    RoleAssignment.objects.create(
        user=cast.users.east_leader, role=Role.AGENT, unit=cast.units.east_village, scope=Scope.UNIT
    )
    client.force_login(cast.users.east_leader)
    page = client.get(reverse("cases:agent")).content.decode()
    assert "柳树村民委员会" in page and "闲置" in page
