"""The worker: 催办 before the deadline, 督办 after it, 通报 when five working days late — each once."""

import json
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections

from jiceng.cases import actions, worker
from jiceng.cases.models import CaseEvent, Channel, Notification

TZ = ZoneInfo("Asia/Shanghai")


def moment(y, m, d, h=9):
    return datetime(y, m, d, h, tzinfo=TZ)


@pytest.fixture
def late_case(cast, matters):
    with time_machine.travel(moment(2026, 11, 16), tick=False):  # Monday; due Thursday 11-19
        case, _ = actions.register_case(
            channel=Channel.GRID, title="耕地上打地基", text="x", matter=matters["event"], township=cast.regions.east
        )
        return actions.dispatch_case(case, by=None)


def test_alerts_follow_the_deadline_and_each_is_sent_once(late_case, cast, settings, tmp_path):
    settings.SMS_FILE_PATH = str(tmp_path / "sms.log")
    assert worker.sweep_alerts(moment(2026, 11, 18)) == 0
    assert worker.sweep_alerts(moment(2026, 11, 19)) == 1  # the deadline day: 催办
    assert worker.sweep_alerts(moment(2026, 11, 19, 15)) == 0
    assert worker.sweep_alerts(moment(2026, 11, 20)) == 1  # the day after: 督办
    assert worker.sweep_alerts(moment(2026, 11, 26)) == 1  # 5 working days late (11-26): 通报
    assert worker.sweep_alerts(moment(2026, 12, 30)) == 0  # nothing more
    actions_seen = list(CaseEvent.objects.filter(case=late_case).values_list("action", flat=True))
    assert actions_seen == ["register", "dispatch", "remind", "supervise", "notify"]
    kinds = set(Notification.objects.filter(user=cast.users.department).values_list("kind", flat=True))
    assert kinds == {"remind", "supervise", "notify"}
    assert Notification.objects.filter(kind="notify", user=cast.users.east_leader).exists()
    assert not Notification.objects.filter(user=cast.users.west_leader).exists()


def test_a_paused_case_gets_no_alerts(late_case):
    actions.sign_case(late_case, by=None)
    actions.request_supplement(late_case, missing=["现场照片"], by=None)
    assert worker.sweep_alerts(moment(2026, 11, 30)) == 0


def test_sms_leave_the_outbox_once(late_case, cast, settings, tmp_path):
    settings.SMS_FILE_PATH = str(tmp_path / "sms.log")
    cast.users.department.phone = "13800001111"
    cast.users.department.save(update_fields=["phone"])
    worker.sweep_alerts(moment(2026, 11, 20))
    worker.sweep_alerts(moment(2026, 11, 20, 10))
    assert worker.deliver_outbox() >= 1
    assert worker.deliver_outbox() == 0
    lines = (tmp_path / "sms.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and "13800001111" in lines[0] and "督办" in lines[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row claims between processes are tested on PostgreSQL")
def test_two_workers_never_send_the_same_alert_twice(late_case):
    barrier = threading.Barrier(2)
    counts = []

    def run():
        barrier.wait(timeout=10)
        counts.append(worker.sweep_alerts(moment(2026, 11, 19)))
        connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(counts) == [0, 1]
    assert CaseEvent.objects.filter(case=late_case, action="remind").count() == 1


def test_supervision_waits_for_the_next_working_morning(cast, matters):
    with time_machine.travel(moment(2026, 11, 17), tick=False):  # Tuesday; 3 working days → due Friday 11-20
        case, _ = actions.register_case(
            channel=Channel.GRID, title="耕地上打地基", text="x", matter=matters["event"], township=cast.regions.east
        )
        actions.dispatch_case(case, by=None)
    assert worker.sweep_alerts(moment(2026, 11, 20)) == 1  # 催办 on the deadline day
    assert worker.sweep_alerts(moment(2026, 11, 21, 0)) == 0  # Saturday midnight: no 督办 yet
    assert worker.sweep_alerts(moment(2026, 11, 22, 12)) == 0  # Sunday
    assert worker.sweep_alerts(moment(2026, 11, 23, 8)) == 0  # Monday before 08:30
    assert worker.sweep_alerts(moment(2026, 11, 23, 9)) == 1  # Monday morning: 督办
    assert CaseEvent.objects.filter(case=case, action="supervise").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row claims between processes are tested on PostgreSQL")
def test_two_workers_share_the_outbox_without_sending_twice(late_case, cast, settings, tmp_path):
    settings.SMS_FILE_PATH = str(tmp_path / "sms.log")
    for n in range(40):
        Notification.objects.create(case=late_case, kind="supervise", phone=f"138000{n:05d}", channel="sms", text="督")
    barrier = threading.Barrier(2)
    counts = []

    def run():
        barrier.wait(timeout=10)
        counts.append(worker.deliver_outbox(limit=25))
        counts.append(worker.deliver_outbox(limit=25))
        connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    lines = (tmp_path / "sms.log").read_text(encoding="utf-8").splitlines()
    assert sum(counts) == 40 and len(lines) == 40
    assert len({json.loads(line)["phone"] for line in lines}) == 40
    assert not Notification.objects.exclude(state="sent").exists()
