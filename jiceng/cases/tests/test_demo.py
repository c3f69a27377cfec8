"""The demo county's year of cases as `manage.py seed_demo` loads it (jiceng/cases/demo/)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from jiceng.cases import actions, deadlines, figures
from jiceng.cases.agency import point_stats
from jiceng.cases.demo import history, routing
from jiceng.cases.models import (
    Case,
    CaseEvent,
    CaseTask,
    Channel,
    Consultation,
    Evaluation,
    Notification,
    Rectification,
    Status,
)
from jiceng.orgs.demo.data import TOWNSHIPS
from jiceng.orgs.models import Unit, UnitKind

STORIES = 150  # enough for every channel and every turn of the story; the full demo tells history.CASES
COUNTED = (Case, CaseEvent, CaseTask, Evaluation, Rectification, Consultation, Notification)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.mark.django_db
def test_seed_demo_tells_a_year_of_cases_once(monkeypatch, settings):
    """One seeding through the command, checked from every side, then a second run that adds nothing."""
    monkeypatch.setattr(history, "CASES", STORIES)
    # As deployed: the catalog and the calendar are not re-read on every lookup (the fixtures' 0 would
    # re-read them thousands of times); the seed's own changes invalidate them at once.
    settings.CATALOG_CHECK_SECONDS = settings.WORKCAL_CHECK_SECONDS = 5
    started = timezone.now()
    out = seed()
    now, today = timezone.now(), timezone.localdate()
    assert "办件：近一年" in out and "未能执行" not in out
    cases = Case.objects.all()
    assert cases.filter(idempotency_key__startswith=history.KEY_PREFIX).count() >= STORIES

    # Every channel, every township, a year long, and work in every open status today.
    assert set(cases.values_list("channel", flat=True)) == set(Channel.values)
    assert set(cases.values_list("township__name", flat=True)) == {t.name for t in TOWNSHIPS}
    assert cases.order_by("created_at").first().created_at.date() <= today - timedelta(days=330)
    statuses = set(cases.values_list("status", flat=True))
    assert {Status.REGISTERED, Status.DISPATCHED, Status.RETURNED, Status.HANDLING, Status.PAUSED} <= statuses
    assert {Status.FINISHED, Status.VERIFIED, Status.RATED, Status.ARCHIVED} <= statuses

    # Moved to their own dates, consistently: events in order, nothing in the future, deadlines recomputed.
    for case in cases.prefetch_related("events"):
        at = [e.at for e in sorted(case.events.all(), key=lambda e: e.pk)]
        assert at == sorted(at) and at[0] == case.created_at and at[-1] <= now, case.code
        assert case.due_at == deadlines.due_at(case), case.code
    assert not CaseEvent.objects.filter(at__gt=now).exists()
    for model, field in (
        (Evaluation, "at"),
        (Rectification, "created_at"),
        (CaseTask, "updated_at"),
        (Consultation, "at"),
    ):
        # This morning's reports routed by the model are the only rows of today.
        todays = model.objects.filter(**{f"{field}__gte": started})
        if model is CaseTask:
            todays = todays.exclude(case__idempotency_key__startswith=routing.KEY)
        assert not todays.exists(), model.__name__

    # 退单 once or twice, three times and then 指定; 重办; 延期 asked, granted, refused, pending.
    assert cases.filter(return_count__in=(1, 2)).exists()
    assert cases.filter(return_count=3, designated=True).exists()
    assert cases.exclude(reopened_from=None).exists()
    asked = [e.data for e in CaseEvent.objects.filter(action="request_extension")]
    assert {d.get("approved") for d in asked if not d["pending"]} == {True, False}
    assert any(d["pending"] for d in asked)

    # Overdue and still open, some five working days late and more: 督办 and 通报 were sent.
    late = {c.pk: actions.overdue_workdays(c, now) for c in figures.overdue(now)}
    assert late and max(late.values()) >= deadlines.LATE_FOR_NOTICE
    assert CaseEvent.objects.filter(action="notify", case__in=list(late)).exists()
    assert not Notification.objects.filter(state=Notification.State.PENDING).exists()

    # 好差评 mostly good; 差评 opening 整改, mostly done and rated again; townships' 反向评价.
    ratings = list(Evaluation.objects.filter(kind=Evaluation.Kind.REQUESTER).values_list("score", flat=True))
    assert sum(s >= 4 for s in ratings) > 0.7 * len(ratings) and min(ratings) <= 2
    assert Rectification.objects.exclude(done_at=None).exists()
    assert Evaluation.objects.filter(kind=Evaluation.Kind.FOLLOW_UP).exists()
    assert Evaluation.objects.filter(kind=Evaluation.Kind.REVERSE, case__channel=Channel.TOWNSHIP_CALL).exists()

    # Leaders' figures come out plausible.
    totals = figures.totals(today - timedelta(days=365))
    assert 0 < totals.on_time_rate < 1 and totals.on_time_rate > 0.75
    assert 0 < totals.once_share < 1 and totals.average_workdays > 0
    assert cases.filter(channel=Channel.WINDOW, visits=2).exists()

    # Agency points: the busy one and the one that went quiet; consultations counted.
    points = Unit.objects.filter(kind=UnitKind.VILLAGE, short_name__in=["柳树村", history.IDLE_POINT])
    stats = {p.unit.short_name: p for p in point_stats(list(points), today - timedelta(days=365))}
    assert not stats["柳树村"].idle and stats["柳树村"].cases and stats["柳树村"].consultations
    assert stats[history.IDLE_POINT].idle and stats[history.IDLE_POINT].cases

    before = counts()
    assert "已存在" in seed()
    assert history.seed(today=today) == [history.EXISTS_LINE]
    assert Case.objects.filter(duplicate_of__isnull=False, status="registered").count() == 1  # one pair to merge
    assert counts() == before


@pytest.mark.django_db
def test_the_demo_has_a_trained_model_its_routed_reports_and_suggestions_in_the_command_centre(small_demo):
    from jiceng.routing.models import RoutingModel

    call_command("seed_demo", stdout=StringIO())
    model = RoutingModel.objects.get(active=True)
    assert model.sources["catalog"] > 0 and model.classes > 50
    routed = Case.objects.filter(idempotency_key__startswith=routing.KEY)
    assert routed.count() == len(routing.REPORTS)
    assert routed.filter(auto_dispatched=True).exists()  # the clear ones went straight to a unit
    assert all(len(c.routing["top"]) == 3 and c.routed_matter_id for c in routed)
    vague = routed.get(title="反映个情况")  # says nothing of what is wrong: a person decides
    assert vague.routing["vague"] and not vague.auto_dispatched and vague.status == "registered"
    # The cases that were waiting for the command centre before the model existed now carry its guesses.
    waiting = Case.objects.filter(status__in=["registered", "returned"], matter=None).exclude(pk__in=routed)
    assert waiting.exists() and all(c.routing.get("top") for c in waiting)
    if model.semantic:  # and the worker's 语义复核 of everything left waiting, this morning's reports too
        left = Case.objects.filter(status__in=["registered", "returned"], matter=None)
        assert all(c.routing["refined"] and c.routing["top"][0].get("phrase") for c in left)
