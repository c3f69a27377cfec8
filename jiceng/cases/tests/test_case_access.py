"""Who sees which case: a department only what was dispatched to it, a grid worker only their own reports."""

from django.urls import reverse

from jiceng.cases import actions
from jiceng.cases.models import Case, Channel


def report(cast, matters, by, township):
    case, _ = actions.register_case(
        channel=Channel.GRID, title="违建", text="x", matter=matters["event"], township=township, by=by
    )
    return case


def test_the_case_matrix(client, cast, matters):
    own = report(cast, matters, cast.users.grid, cast.regions.east)
    other = report(cast, matters, None, cast.regions.west)
    dispatched = actions.dispatch_case(report(cast, matters, None, cast.regions.west), by=None)
    visible = {
        "staffing": {own, other, dispatched},
        "dispatcher": {own, other, dispatched},
        "department": {dispatched},  # dispatched to the land bureau
        "grid": {own},
        "east_leader": {own},
        "west_leader": {other, dispatched},
    }
    for name, expected in visible.items():
        user = getattr(cast.users, name)
        assert set(Case.objects.visible_to(user)) == expected, name
        client.force_login(user)
        for case in (own, other, dispatched):
            status = client.get(reverse("cases:case", args=[case.pk])).status_code
            assert status == (200 if case in expected else 404), (name, case.title)


def test_the_case_page_masks_the_requester_and_shows_the_history(client, cast, matters):
    case, _ = actions.register_case(
        channel=Channel.WINDOW,
        title="参保",
        text="x",
        matter=matters["service"],
        township=cast.regions.east,
        unit=cast.units.east_hall,
        requester_name="张三丰",
        requester_phone="13912345678",
    )
    actions.accept_case(case, by=None, unit=cast.units.east_hall)
    client.force_login(cast.users.east_clerk)
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "139****5678" in page and "13912345678" not in page and "张**" in page
    assert "登记" in page and "受理" in page and "开始办理" in page
