"""巡查: who may patrol which grid, one patrol at a time, the track, findings that become cases, coverage per grid."""

from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from jiceng.accounts.roles import Role, Scope
from jiceng.cases.models import Case, Channel
from jiceng.conftest import make_user
from jiceng.grids import patrols
from jiceng.grids.importing import import_grids
from jiceng.grids.models import Grid, GridMember, Patrol, PatrolEvent, PatrolFinding, PatrolStatus
from jiceng.lib.errors import DomainError

from .test_grids import EAST, WEST, collection, feature

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def grids(cast):
    """柳树村 in two comprehensive grids; the cast's 网格员 is a member of the first only."""
    result = import_grids(
        collection(
            feature("411799100201001", "柳树村第一网格", WEST), feature("411799100201002", "柳树村第二网格", EAST)
        ),
        dry_run=False,
    )
    assert result.committed, result.errors
    first, second = Grid.objects.order_by("code")
    GridMember.objects.create(grid=first, name="周网格", role="full", user=cast.users.grid)
    return first, second


def test_a_worker_patrols_their_grid_from_start_to_end(cast, grids):
    first, _ = grids
    patrol = patrols.start_patrol(first, by=cast.users.grid)
    assert (patrol.status, patrol.user, patrol.member.name) == (PatrolStatus.ACTIVE, cast.users.grid, "周网格")
    patrols.end_patrol(patrol, by=cast.users.grid, note="一切正常")
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.ENDED and patrol.ended_at >= patrol.started_at
    assert patrol.note == "一切正常"
    assert [e.kind for e in patrol.events.all()] == [PatrolEvent.Kind.START, PatrolEvent.Kind.END]
    with pytest.raises(DomainError, match="该巡查已结束"):
        patrols.end_patrol(patrol, by=cast.users.grid)


def test_a_worker_has_one_patrol_in_progress_at_a_time(cast, grids):
    first, _ = grids
    running = patrols.start_patrol(first, by=cast.users.grid)
    with pytest.raises(DomainError, match=r"柳树村第一网格”的巡查.*尚未结束，请先结束巡查"):
        patrols.start_patrol(first, by=cast.users.grid)
    assert Patrol.objects.count() == 1
    patrols.end_patrol(running, by=cast.users.grid)
    assert patrols.start_patrol(first, by=cast.users.grid).status == PatrolStatus.ACTIVE


def test_members_patrol_their_grids_and_township_staff_the_townships_comprehensive_grids(cast, grids):
    first, second = grids
    with pytest.raises(DomainError, match="您不是网格“柳树村第二网格”的成员"):
        patrols.start_patrol(second, by=cast.users.grid)
    # A township-level 网格长 account (本级及下级 at 东岗镇) patrols any comprehensive grid of 东岗镇 …
    township_chief = make_user("east_chief", Role.GRID_WORKER, cast.units.east_root, scope=Scope.SUBTREE)
    assert list(patrols.patrollable_grids(township_chief)) == [first, second]
    patrols.start_patrol(second, by=township_chief)
    # … but not another township's, nor a departmental layer's grid it is no member of.
    west_chief = make_user("west_chief", Role.GRID_WORKER, cast.units.west_root, scope=Scope.SUBTREE)
    assert not patrols.patrollable_grids(west_chief).exists()
    import_grids(collection(feature("411799100201005", "城管一格", WEST)), dry_run=False, layer="城管")
    assert "411799100201005" not in {g.code for g in patrols.patrollable_grids(township_chief)}
    # A role without PATROL patrols nothing; a stopped grid cannot be patrolled.
    with pytest.raises(DomainError, match="不能巡查该网格"):
        patrols.start_patrol(first, by=cast.users.east_leader)
    Grid.objects.filter(pk=first.pk).update(active=False)
    first.refresh_from_db()
    with pytest.raises(DomainError, match="已停用"):
        patrols.start_patrol(first, by=cast.users.grid)


def test_track_points_give_the_distance_walked(cast, grids):
    patrol = patrols.start_patrol(grids[0], by=cast.users.grid)
    patrols.add_patrol_point(patrol, 114.005, 32.980, by=cast.users.grid)
    patrol = patrols.add_patrol_point(patrol, 114.005, 32.990, by=cast.users.grid)
    # 0.01° of latitude on the 6,371 km sphere.
    assert patrol.distance_m == pytest.approx(1111.95, abs=0.5)
    assert [p[:2] for p in patrol.track] == [[114.005, 32.98], [114.005, 32.99]]
    with pytest.raises(DomainError, match="不在我国范围内"):
        patrols.add_patrol_point(patrol, 32.99, 114.005, by=cast.users.grid)  # latitude and longitude swapped
    with pytest.raises(DomainError, match="只有巡查人本人"):
        patrols.add_patrol_point(patrol, 114.005, 32.985, by=cast.users.dispatcher)
    patrols.end_patrol(patrol, by=cast.users.grid)
    with pytest.raises(DomainError, match="该巡查已结束"):
        patrols.add_patrol_point(patrol, 114.005, 32.985, by=cast.users.grid)
    assert len(Patrol.objects.get().track) == 2


def test_points_sent_late_take_their_place_in_the_track(cast, grids):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        patrol = patrols.start_patrol(grids[0], by=cast.users.grid)
    with time_machine.travel(datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI), tick=False):
        patrols.add_patrol_point(patrol, 114.005, 32.99, by=cast.users.grid)
        patrols.add_patrol_points(
            patrol,
            [(114.005, 32.98, datetime(2026, 3, 2, 9, 10, tzinfo=SHANGHAI))],  # offline for a while
            by=cast.users.grid,
        )
        with pytest.raises(DomainError, match="巡查开始之后"):
            patrols.add_patrol_points(
                patrol, [(114.005, 32.98, datetime(2026, 3, 1, 9, 10, tzinfo=SHANGHAI))], by=cast.users.grid
            )
    patrol.refresh_from_db()
    assert [p[1] for p in patrol.track] == [32.98, 32.99]
    assert patrol.track[0][2] == "2026-03-02T09:10:00+08:00"  # local time, as every time of the platform


def test_a_finding_becomes_a_grid_case_of_the_worker_linked_to_the_patrol(client, cast, grids):
    first, _ = grids
    patrol = patrols.start_patrol(first, by=cast.users.grid)
    case, created = patrols.report_finding(
        patrol, by=cast.users.grid, title="违章搭建", description="村口新搭彩钢棚", lon=114.005, lat=32.985, token="t1"
    )
    assert created
    assert (case.channel, case.registered_by, case.grid) == (Channel.GRID, cast.users.grid, first)
    assert (case.village, case.township) == (cast.regions.village, cast.regions.east)
    assert PatrolFinding.objects.get().patrol == patrol and case.patrol_finding.patrol == patrol
    # The same form sent twice registers one case.
    again, created = patrols.report_finding(
        patrol, by=cast.users.grid, title="违章搭建", description="村口新搭彩钢棚", lon=114.005, lat=32.985, token="t1"
    )
    assert again == case and not created and Case.objects.count() == 1 and patrol.findings.count() == 1
    # Without a point the case stays in the patrol's grid and village, with the grid's name as the place.
    unplaced, _ = patrols.report_finding(patrol, by=cast.users.grid, title="垃圾堆放", description="河边")
    assert (unplaced.grid, unplaced.village, unplaced.address) == (
        first,
        cast.regions.village,
        "柳树村第一网格（巡查发现）",
    )
    assert [e.kind for e in patrol.events.all()].count(PatrolEvent.Kind.FINDING) == 2
    # The worker's own reports list them, as they list any 网格上报.
    client.force_login(cast.users.grid)
    page = client.get(reverse("cases:grid")).content.decode()
    assert "违章搭建" in page and "垃圾堆放" in page


def test_refused_findings_register_nothing(cast, grids):
    patrol = patrols.start_patrol(grids[0], by=cast.users.grid)
    with pytest.raises(DomainError, match="请填写标题和内容"):
        patrols.report_finding(patrol, by=cast.users.grid, title="违章搭建", description=" ")
    with pytest.raises(DomainError, match="只有巡查人本人"):
        patrols.report_finding(patrol, by=cast.users.east_leader, title="违章搭建", description="x")
    not_a_photo = SimpleUploadedFile("现场.jpg", b"not really a picture", content_type="image/jpeg")
    with pytest.raises(DomainError, match="不是JPG、PNG或WebP格式的照片"):
        patrols.report_finding(patrol, by=cast.users.grid, title="违章搭建", description="x", photos=[not_a_photo])
    assert not Case.objects.exists() and not PatrolFinding.objects.exists()  # the case went with the photo


# ---- coverage ---------------------------------------------------------------------------------------


def patrol_at(grid, user, start, end, findings=0):
    with time_machine.travel(start, tick=False):
        patrol = patrols.start_patrol(grid, by=user)
        for n in range(findings):
            patrols.report_finding(patrol, by=user, title=f"发现{n}", description="x")
    with time_machine.travel(end, tick=False):
        patrols.end_patrol(patrol, by=user)
    return patrol


@pytest.fixture
def week(cast, grids, calendar_2026):
    """A week of 2026 (Mon 2 March to Sun 8 March: five working days) on the first grid; none on the second."""
    first, _ = grids
    at = lambda d, h, m=0: datetime(2026, 3, d, h, m, tzinfo=SHANGHAI)  # noqa: E731
    worker = cast.users.grid
    patrol_at(first, worker, at(2, 9), at(2, 11), findings=1)  # Monday, 2 h
    patrol_at(first, worker, at(2, 14), at(2, 15, 30))  # Monday again, 1.5 h
    patrol_at(first, worker, at(4, 7, 30), at(4, 8, 30))  # Wednesday 07:30 (still Tuesday in UTC), 1 h
    patrol_at(first, worker, at(7, 10), at(7, 11))  # Saturday, 1 h
    patrol_at(first, worker, at(9, 7), at(9, 8))  # next Monday 07:00 — Sunday in UTC, but outside the week
    return grids


def test_coverage_counts_patrols_hours_days_and_findings_per_grid(week):
    first, second = week
    rows = {
        r.grid: r for r in patrols.patrol_coverage(Grid.objects.all(), start=date(2026, 3, 2), end=date(2026, 3, 8))
    }
    one = rows[first]
    assert (one.patrols, one.days, one.workdays_patrolled, one.workdays, one.findings) == (4, 3, 2, 5, 1)
    assert one.hours == pytest.approx(5.5) and one.rate == pytest.approx(0.4) and not one.unpatrolled
    assert one.last_patrol_at == datetime(2026, 3, 9, 7, tzinfo=SHANGHAI)
    two = rows[second]
    assert (two.patrols, two.hours, two.rate, two.last_patrol_at) == (0, 0, 0, None) and two.unpatrolled


def test_the_coverage_page_flags_unpatrolled_grids_and_exports(client, cast, week):
    client.force_login(cast.users.east_leader)
    query = {"township": cast.regions.east.pk, "start": "2026-03-02", "end": "2026-03-08"}
    page = client.get(reverse("grids:patrol_coverage"), query)
    assert [r.grid.code for r in page.context["rows"]] == ["411799100201001", "411799100201002"]
    assert page.context["unpatrolled"] == 1 and "从未巡查" in page.content.decode()
    export = client.get(reverse("grids:patrol_coverage"), {**query, "export": "xlsx"})
    sheet = load_workbook(BytesIO(export.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][:11] == ("411799100201001", "柳树村第一网格", "柳树村", "东岗镇", 4, 5.5, 3, 2, 5, "40%", 1)
    assert rows[1][4] == 0 and rows[1][-1] == "从未巡查"
    # Another township's leader sees no grid of 东岗镇.
    client.force_login(cast.users.west_leader)
    assert client.get(reverse("grids:patrol_coverage"), query).context["rows"] == []


# ---- pages ------------------------------------------------------------------------------------------


def test_the_worker_starts_reports_and_ends_from_the_phone_pages(client, cast, grids, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first, _ = grids
    client.force_login(cast.users.grid)
    page = client.get(reverse("grids:patrols"))
    assert list(page.context["form"].fields["grid"].queryset) == [first]  # only the grids they are a member of
    response = client.post(reverse("grids:patrols"), {"grid": first.pk})
    patrol = Patrol.objects.get()
    assert response.url == patrol.get_absolute_url()
    assert client.post(reverse("grids:patrols"), {"grid": first.pk}).context["form"].errors  # one at a time
    point = client.post(reverse("grids:patrol_point", args=[patrol.pk]), {"lon": "114.005", "lat": "32.985"})
    assert point.json() == {"points": 1, "distance_m": 0}
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    client.post(
        patrol.get_absolute_url(),
        {
            "title": "消防通道堵塞",
            "text": "杂物堆放",
            "latitude": "32.985",
            "longitude": "114.005",
            "token": "p1",
            "photos": [SimpleUploadedFile("现场.png", png, content_type="image/png")],
        },
    )
    case = Case.objects.get()
    assert case.attachments.count() == 1 and case.patrol_finding.patrol == patrol
    page = client.get(patrol.get_absolute_url()).content.decode()
    assert "消防通道堵塞" in page and case.get_status_display() in page and "finding-form" in page
    client.post(reverse("grids:patrol_end", args=[patrol.pk]), {"note": "已巡查完毕"})
    patrol.refresh_from_db()
    assert (patrol.status, patrol.note) == (PatrolStatus.ENDED, "已巡查完毕")
    assert "finding-form" not in client.get(patrol.get_absolute_url()).content.decode()


def test_other_people_cannot_write_to_a_patrol(client, cast, grids):
    patrol = patrols.start_patrol(grids[0], by=cast.users.grid)
    client.force_login(cast.users.east_leader)  # sees 东岗镇's patrols, cannot act on them
    assert client.get(patrol.get_absolute_url()).status_code == 200
    assert client.post(reverse("grids:patrol_end", args=[patrol.pk])).status_code == 403
    assert client.get(reverse("grids:patrols")).status_code == 403  # no PATROL
    client.force_login(cast.users.west_leader)
    assert client.get(patrol.get_absolute_url()).status_code == 404
    client.force_login(cast.users.dispatcher)  # the command centre may close a patrol left running
    client.post(reverse("grids:patrol_end", args=[patrol.pk]))
    assert Patrol.objects.get().status == PatrolStatus.ENDED
    assert patrol.events.last().note.startswith("由指挥中心（paidan）结束，按最后一次定位或上报计时")


def test_my_patrols_show_the_running_one_first_then_the_newest(client, cast, grids):
    from jiceng.grids.views.patrols import MY_PATROLS

    first, _ = grids
    worker, monday = cast.users.grid, datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)
    ended = [
        Patrol.objects.create(
            grid=first, user=worker, status=PatrolStatus.ENDED, started_at=monday + timedelta(days=n), ended_at=None
        )
        for n in range(MY_PATROLS + 5)  # oldest first: the table's own order is not the one asked for
    ]
    running = Patrol.objects.create(grid=first, user=worker, started_at=monday - timedelta(days=1))
    client.force_login(worker)
    page = client.get(reverse("grids:patrols"))
    mine = list(page.context["mine"])
    assert len(mine) == MY_PATROLS and mine[0] == running and page.context["running"] == running
    assert mine[1:] == ended[::-1][: MY_PATROLS - 1]
    assert 'data-testid="running"' in page.content.decode()


# ---- comprehensive grids only ---------------------------------------------------------------------------


def test_departmental_grids_are_not_patrolled_even_by_their_members(client, cast, grids):
    first, second = grids
    import_grids(collection(feature("411799100201005", "城管一格", WEST)), dry_run=False, layer="城管")
    town = Grid.objects.get(code="411799100201005")
    GridMember.objects.create(grid=town, name="周网格", role="full", user=cast.users.grid)
    assert list(patrols.patrollable_grids(cast.users.grid)) == [first]
    with pytest.raises(DomainError, match="“城管一格”是城管部门网格，巡查请选择所在的综合网格"):
        patrols.start_patrol(town, by=cast.users.grid)
    client.force_login(cast.users.grid)
    assert list(client.get(reverse("grids:patrols")).context["form"].fields["grid"].queryset) == [first]
    assert not Patrol.objects.exists()
    # Coverage is of comprehensive grids: asking for another layer changes nothing.
    client.force_login(cast.users.east_leader)
    rows = client.get(reverse("grids:patrol_coverage"), {"layer": "城管"}).context["rows"]
    assert [r.grid for r in rows] == [first, second]


# ---- how long a patrol counts ----------------------------------------------------------------------------


def test_a_patrol_left_running_and_ended_by_the_command_centre_counts_to_its_last_point_or_finding(
    client, cast, grids, calendar_2026
):
    first, _ = grids
    worker = cast.users.grid
    at = lambda d, h, m=0: datetime(2026, 3, d, h, m, tzinfo=SHANGHAI)  # noqa: E731
    with time_machine.travel(at(2, 9), tick=False):
        patrol = patrols.start_patrol(first, by=worker)
    with time_machine.travel(at(2, 9, 40), tick=False):
        patrols.add_patrol_point(patrol, 114.005, 32.985, by=worker)
    with time_machine.travel(at(2, 10, 15), tick=False):
        patrols.report_finding(patrol, by=worker, title="垃圾堆放", description="河边")
    with time_machine.travel(at(3, 11), tick=False):  # forgotten overnight: 26 hours on
        patrols.end_patrol(patrol, by=cast.users.dispatcher)
    patrol.refresh_from_db()
    assert patrol.ended_at == at(2, 10, 15)
    end = patrol.events.get(kind=PatrolEvent.Kind.END)
    assert end.at == at(3, 11) and end.note == "由指挥中心（paidan）结束，按最后一次定位或上报计时，计至03-02 10:15"
    [row] = patrols.patrol_coverage(Grid.objects.filter(pk=first.pk), start=date(2026, 3, 2), end=date(2026, 3, 3))
    assert row.hours == pytest.approx(1.25)
    client.force_login(cast.users.east_leader)
    page = client.get(patrol.get_absolute_url()).content.decode()
    assert "由指挥中心（paidan）结束，按最后一次定位或上报计时：巡查时长计至03-02 10:15" in page
    assert "最后定位 03-02 09:40" in page  # track times in local time


def test_a_patrol_without_points_or_findings_ended_by_the_command_centre_counts_nothing(cast, grids):
    patrol = patrols.start_patrol(grids[0], by=cast.users.grid)
    patrols.end_patrol(patrol, by=cast.users.dispatcher)
    patrol.refresh_from_db()
    assert patrol.ended_at == patrol.started_at


def test_a_patrol_the_worker_ends_after_the_cap_counts_to_its_last_point(client, cast, grids):
    first, _ = grids
    worker = cast.users.grid
    start = datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        patrol = patrols.start_patrol(first, by=worker)
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        patrols.add_patrol_point(patrol, 114.005, 32.985, by=worker)
    with time_machine.travel(start + timedelta(hours=patrols.MAX_PATROL_HOURS, minutes=1), tick=False):
        patrols.end_patrol(patrol, by=worker, note="忘了结束")
    patrol.refresh_from_db()
    assert patrol.ended_at == start + timedelta(hours=2)
    assert patrol.events.last().note == "超过12小时才结束，按最后一次定位或上报计时，计至03-02 11:00；忘了结束"
    client.force_login(worker)
    assert "超过12小时才结束" in client.get(patrol.get_absolute_url()).content.decode()
    # Within the cap the worker's own end counts as it is.
    with time_machine.travel(start + timedelta(days=1), tick=False):
        again = patrols.start_patrol(first, by=worker)
    with time_machine.travel(start + timedelta(days=1, hours=patrols.MAX_PATROL_HOURS), tick=False):
        patrols.end_patrol(again, by=worker)
    again.refresh_from_db()
    assert again.ended_at == start + timedelta(days=1, hours=patrols.MAX_PATROL_HOURS)
    assert 'data-testid="cut-short"' not in client.get(again.get_absolute_url()).content.decode()


# ---- everyone's patrols, for the command centre ------------------------------------------------------------


@pytest.fixture
def three_patrols(cast, grids):
    """An ended patrol on Monday; on Tuesday one left running since 08:00 and one running since 09:00."""
    first, second = grids
    east_chief = make_user("east_chief", Role.GRID_WORKER, cast.units.east_root, scope=Scope.SUBTREE)
    at = lambda d, h: datetime(2026, 3, d, h, tzinfo=SHANGHAI)  # noqa: E731
    with time_machine.travel(at(2, 9), tick=False):
        done = patrols.start_patrol(first, by=cast.users.grid)
    with time_machine.travel(at(2, 10), tick=False):
        patrols.end_patrol(done, by=cast.users.grid)
    with time_machine.travel(at(3, 8), tick=False):
        left = patrols.start_patrol(second, by=east_chief)
    with time_machine.travel(at(3, 9), tick=False):
        running = patrols.start_patrol(first, by=cast.users.grid)
    return done, left, running


def test_the_command_centre_lists_patrols_in_scope_and_filters_them(client, cast, three_patrols, monkeypatch):
    done, left, running = three_patrols
    url = reverse("grids:patrols_all")
    client.force_login(cast.users.dispatcher)

    def listed(**query):
        return [p.pk for p in client.get(url, query).context["page"]]

    assert listed() == [running.pk, left.pk, done.pk]  # running first, then the newest
    assert listed(status="ended") == [done.pk]
    assert listed(status="active") == [running.pk, left.pk]
    assert listed(grid="第二") == [left.pk] and listed(grid="411799100201001") == [running.pk, done.pk]
    assert listed(township=cast.regions.east.pk, date="2026-03-02") == [done.pk]
    assert listed(township=cast.regions.west.pk) == []
    assert listed(status="lost") == []  # a bad filter lists nothing, and says why
    assert 'data-testid="filter-errors"' in client.get(url, {"status": "lost"}).content.decode()
    # A township leader sees their township's patrols without ending them; another township's sees none; a
    # grid worker, whose own patrols are on 网格巡查, sees no one else's.
    client.force_login(cast.users.east_leader)
    page = client.get(url)
    assert len(page.context["page"]) == 3 and 'data-testid="end-patrol"' not in page.content.decode()
    client.force_login(cast.users.west_leader)
    assert listed() == []
    client.force_login(cast.users.grid)
    assert listed() == []
    # 30 to a page.
    client.force_login(cast.users.dispatcher)
    monkeypatch.setattr("jiceng.grids.views.patrols.PAGE", 2)
    first_page = client.get(url, {"township": cast.regions.east.pk})
    assert (
        len(first_page.context["page"]) == 2
        and f"township={cast.regions.east.pk}&amp;page=2" in first_page.content.decode()
    )
    assert [p.pk for p in client.get(url, {"township": cast.regions.east.pk, "page": 2}).context["page"]] == [done.pk]


def test_the_command_centre_ends_a_patrol_left_running_from_the_list(client, cast, three_patrols):
    _, left, running = three_patrols
    client.force_login(cast.users.dispatcher)
    coverage = client.get(reverse("grids:patrol_coverage")).content.decode()
    assert reverse("grids:patrols_all") in coverage
    page = client.get(reverse("grids:patrols_all")).content.decode()
    assert page.count('data-testid="end-patrol"') == 2
    response = client.post(reverse("grids:patrol_end", args=[left.pk]))
    assert response.url == reverse("grids:patrols_all")
    left.refresh_from_db()
    assert left.status == PatrolStatus.ENDED and left.ended_at == left.started_at  # no point, no finding: no time
    assert Patrol.objects.get(pk=running.pk).status == PatrolStatus.ACTIVE
