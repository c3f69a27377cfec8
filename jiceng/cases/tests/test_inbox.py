"""The in-app inbox: the worker's 督办 reaches the department's clerk, who reads it and marks it read."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from jiceng.cases import actions, worker
from jiceng.cases.models import Channel, Notification

TZ = ZoneInfo("Asia/Shanghai")


def test_alerts_show_in_the_inbox_with_an_unread_count_until_read(client, cast, matters):
    with time_machine.travel(datetime(2026, 11, 16, 9, tzinfo=TZ), tick=False):
        case, _ = actions.register_case(
            channel=Channel.GRID, title="耕地上打地基", text="x", matter=matters["event"], township=cast.regions.east
        )
        actions.dispatch_case(case, by=None)
    worker.sweep_alerts(datetime(2026, 11, 19, 9, tzinfo=TZ))  # 催办 on the deadline day
    client.force_login(cast.users.department)
    page = client.get("/cases/messages/")
    assert page.context["unread_messages"] == 1
    assert [n.kind for n in page.context["page"]] == [Notification.Kind.REMIND]
    assert case.code in page.content.decode()
    client.post("/cases/messages/read/")
    assert client.get("/cases/messages/").context["unread_messages"] == 0
    client.force_login(cast.users.west_leader)
    assert list(client.get("/cases/messages/").context["page"]) == []
