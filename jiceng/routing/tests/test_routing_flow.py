"""智能派单 end to end: clear reports are dispatched at once, unclear ones wait with three guesses; a dispatcher's
correction teaches the next version; versions roll back; the page and its permissions."""

from datetime import date

import pytest

from jiceng.cases import actions as cases
from jiceng.cases.models import Channel, Status
from jiceng.catalog import actions as catalog
from jiceng.catalog.models import Area, CatalogUnit, ListKind, Matter
from jiceng.lib.errors import DomainError
from jiceng.routing import suggest
from jiceng.routing.actions import rollback_routing_model, train_routing_model
from jiceng.routing.models import RoutingModel, TrainingRequest
from jiceng.routing.tests.catalog import build_catalog

MATTERS = [
    ("M001", "农村违法占用耕地建房", "land", "占耕地;耕地建房;地里盖房;打地基;麦地;庄稼地;基本农田"),
    ("M027", "露天焚烧垃圾", "office", "烧垃圾;焚烧;烧塑料;烧轮胎;冒黑烟;焦臭味"),
    ("M040", "生活垃圾清运不及时", "office", "垃圾没人拉;垃圾桶满;垃圾堆;清运;臭气"),
    ("M060", "农村道路损毁", "office", "路坏了;坑洼;路面塌陷;桥梁;护栏"),
    ("M070", "河道漂浮物清理", "office", "河面;漂浮物;水葫芦;河里垃圾;死鱼"),
]


@pytest.fixture
def routed(cast, calendar_2026, settings):
    settings.ROUTING_AUTO_THRESHOLD = 0.6
    build_catalog(cast, MATTERS)
    return train_routing_model(by=None)


def report(cast, title, text):
    case, _ = cases.register_case(channel=Channel.GRID, title=title, text=text, township=cast.regions.east)
    return case


def test_a_clear_report_goes_to_the_lead_unit_at_once_and_an_unclear_one_waits_with_three_guesses(cast, routed):
    clear = report(cast, "麦地里打地基", "村东头有人在麦地里打地基准备盖房")
    assert (clear.status, clear.auto_dispatched, clear.matter.code) == (Status.DISPATCHED, True, "M001")
    assert clear.lead_unit == cast.units.land and clear.routing["auto"] is True
    assert clear.events.get(action="dispatch").note.startswith("智能派单：农村违法占用耕地建房")
    assert "麦地" in "".join(clear.routing["top"][0]["words"]) or "地基" in "".join(clear.routing["top"][0]["words"])
    unclear = report(cast, "反映一下", "请你们来看看")
    top = unclear.routing["top"]
    assert unclear.status == Status.REGISTERED and not unclear.auto_dispatched
    assert len(top) == 3 and top[0]["probability"] < 0.6
    assert abs(sum(g.probability for g in suggest.suggest(("反映一下", "请你们来看看"), k=5)) - 1) < 0.05


def test_a_dispatcher_correction_teaches_the_next_version(cast, routed, settings):
    settings.ROUTING_AUTO_THRESHOLD = 1.01  # every report waits for the dispatcher here
    text = ("河里飘着好多白色泡沫塑料", "镇西桥下河里飘着好多白色泡沫塑料和饮料瓶")
    before = suggest.suggest(text)[0].matter.code
    assert before != "M040"
    for n in range(3):  # the dispatcher keeps sending such reports to 垃圾清运 (the township cleans them up)
        case = report(cast, f"{text[0]}{n}", text[1])
        cases.dispatch_case(case, by=cast.users.dispatcher, matter=Matter.objects.get(code="M040"))
    newer = train_routing_model(by=cast.users.dispatcher)
    assert newer.version == routed.version + 1 and newer.sources["cases"] >= 3
    assert suggest.suggest(text)[0].matter.code == "M040"


def test_rollback_restores_the_previous_version_and_refuses_without_one(cast, routed):
    with pytest.raises(DomainError, match="没有可回滚"):
        rollback_routing_model(by=cast.users.dispatcher)
    second = train_routing_model(by=cast.users.dispatcher)
    back = rollback_routing_model(by=cast.users.dispatcher)
    assert back == routed and RoutingModel.objects.get(active=True) == routed
    second.refresh_from_db()
    assert not second.active and second.retired_at is not None
    assert suggest.suggest("麦地里打地基")[0].version == routed.version


def test_the_page_shows_versions_and_tries_a_text_and_only_the_command_centre_trains(client, cast, routed):
    client.force_login(cast.users.dispatcher)
    page = client.get("/routing/", {"text": "有人在河边烧塑料垃圾，黑烟很大"})
    assert page.context["guesses"][0].matter.code == "M027"
    assert [m.version for m in page.context["versions"]] == [routed.version]
    client.post("/routing/train/")
    assert TrainingRequest.objects.get().pending  # queued for the worker: the version in use is unchanged
    assert RoutingModel.objects.get(active=True) == routed
    client.force_login(cast.users.grid)
    assert client.get("/routing/").status_code == 403
    client.force_login(cast.users.department)
    assert client.post("/routing/train/").status_code == 403


def test_a_reopened_report_goes_back_to_its_unit_not_through_the_model(cast, routed):
    case = report(cast, "麦地里打地基", "村东头有人在麦地里打地基准备盖房")
    cases.sign_case(case, by=cast.users.department)
    cases.finish_case(case, result="solved", reply="已拆除", by=cast.users.department)
    case.refresh_from_db()
    again = cases.reopen_case(case, reason="又打了地基", by=cast.users.dispatcher)
    assert again.reopened_from == case and not again.auto_dispatched


def test_the_worker_skips_training_it_cannot_do_and_does_not_undo_a_rollback(cast, routed, settings):
    from jiceng.catalog.models import MatterVersion
    from jiceng.routing import schedule

    train_routing_model(by=None)
    rollback_routing_model(by=cast.users.dispatcher)
    report(cast, "麦地里打地基", "村东头有人在麦地里打地基准备盖房")  # a new dispatched case since
    assert not schedule.retrain_due()  # the rolled-back version was put in use just now
    MatterVersion.objects.update(effective_from=date(2099, 1, 1))  # nothing in force: training is impossible
    settings.ROUTING_RETRAIN_HOURS = 0
    assert schedule.retrain_due() and schedule.retrain_if_due() is None
    assert RoutingModel.objects.get(active=True) == routed


def test_training_asked_on_the_page_is_done_by_the_worker_once_and_the_page_reloads_when_it_ends(client, cast, routed):
    from datetime import timedelta

    from django.utils import timezone

    from jiceng.routing import schedule

    client.force_login(cast.users.dispatcher)
    client.post("/routing/train/")
    client.post("/routing/train/")  # a second click while it waits queues nothing more
    asked = TrainingRequest.objects.get()
    poll = client.get("/routing/training/", HTTP_HX_REQUEST="true")
    assert "排队中" in poll.content.decode() and "HX-Refresh" not in poll

    model = schedule.retrain_if_due()

    asked.refresh_from_db()
    assert (model.version, model.trained_by, model.reason) == (routed.version + 1, cast.users.dispatcher, "手动")
    assert (asked.model, asked.pending, asked.state) == (model, False, f"已完成：v{model.version}")
    assert schedule.retrain_if_due() is None  # nothing asked, and the daily round is not due
    assert client.get("/routing/training/", HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"

    # A worker that died in the middle leaves a request running: it is given up after the lock's time.
    stale = TrainingRequest.objects.create(started_at=timezone.now() - timedelta(hours=1))
    schedule.retrain_if_due()
    stale.refresh_from_db()
    assert not stale.pending and "中断" in stale.error


def test_service_items_are_never_guessed_for_a_report(cast, routed):
    """An application is made at a window for its item: the model routes problems, so it never learns 政务服务."""
    catalog.save_matter(
        code="S001",
        area=Area.objects.get(code="A01"),
        effective_from=date(2025, 1, 1),
        document_no="x",
        by=None,
        fields={
            "name": "农村宅基地建房审批",
            "list_kind": ListKind.SERVICE,
            "service_type": "行政许可",
            "statutory_days": 20,
            "committed_days": 10,
            "keywords": "宅基地;建房审批;盖房申请",
        },
        duties=[catalog.Duty(CatalogUnit.objects.get(code="C01"), True, "审批")],
    )
    model = train_routing_model(by=None)
    assert model.classes == len(MATTERS)
    guesses = suggest.suggest(("盖房申请", "想在宅基地上盖房，建房审批怎么办"), k=5)
    assert guesses and "S001" not in {g.matter.code for g in guesses}
