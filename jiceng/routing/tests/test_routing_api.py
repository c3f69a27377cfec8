"""The routing API: suggestions with probabilities, words and the lead unit for 派单员; versions, training and
rollback for the command centre only; refusals in Chinese."""

import pytest

from jiceng.routing.models import RoutingModel
from jiceng.routing.tests.catalog import build_catalog

API = "/api/v1/routing/"
MATTERS = [
    ("M001", "农村违法占用耕地建房", "land", "占耕地;耕地建房;地里盖房;打地基;麦地;庄稼地;基本农田"),
    ("M027", "露天焚烧垃圾", "office", "烧垃圾;焚烧;烧塑料;烧轮胎;冒黑烟;焦臭味"),
    ("M060", "农村道路损毁", "office", "路坏了;坑洼;路面塌陷;桥梁;护栏"),
]


@pytest.fixture
def matters(cast):
    build_catalog(cast, MATTERS)


def post(client, user, url, data=None):
    client.force_login(user)
    return client.post(f"{API}{url}", data or {}, content_type="application/json")


def test_without_a_model_there_is_nothing_to_suggest(client, cast, matters):
    body = post(client, cast.users.dispatcher, "suggest/", {"text": "麦地里有人打地基"}).json()
    assert body == {"version": None, "auto": False, "vague": False, "suggestions": [], "refined": []}


def test_the_command_centre_trains_and_the_dispatcher_gets_three_matters_with_words_and_lead_units(
    client, cast, matters
):
    trained = post(client, cast.users.dispatcher, "models/train/")
    assert trained.status_code == 201
    assert (trained.json()["version"], trained.json()["active"], trained.json()["classes"]) == (1, True, 3)
    body = post(
        client, cast.users.dispatcher, "suggest/", {"title": "麦地里打地基", "text": "村东头有人准备盖房"}
    ).json()
    top = body["suggestions"]
    assert body["version"] == 1 and top[0]["code"] == "M001"
    assert len(top) == 3 and abs(sum(s["probability"] for s in top) - 1) < 0.01
    assert top[0]["name"] == "农村违法占用耕地建房" and top[0]["lead_unit"] == "县自然资源局"
    assert any("地基" in w or "麦地" in w for w in top[0]["words"])
    assert body["auto"] == (top[0]["probability"] >= 0.8 and not body["vague"])
    vague = post(
        client, cast.users.dispatcher, "suggest/", {"title": "反映个情况", "text": "麻烦你们派人来看看"}
    ).json()
    assert vague["vague"] and not vague["auto"]
    in_town = post(
        client, cast.users.dispatcher, "suggest/", {"text": "路面塌陷好大一个坑", "township": "411799100000", "k": 1}
    )
    assert [(s["code"], s["lead_unit"]) for s in in_town.json()["suggestions"]] == [("M060", "东岗镇党政综合办公室")]
    unknown = post(client, cast.users.dispatcher, "suggest/", {"text": "路坏了", "township": "411799999999"})
    assert unknown.status_code == 400 and "乡镇" in unknown.json()["township"][0]


def test_versions_roll_back_and_a_rollback_without_an_older_version_is_refused(client, cast, matters):
    assert post(client, cast.users.dispatcher, "models/train/").status_code == 201
    refused = post(client, cast.users.dispatcher, "models/rollback/")
    assert refused.status_code == 400 and "没有可回滚" in refused.json()["detail"]
    post(client, cast.users.dispatcher, "models/train/")
    back = post(client, cast.users.dispatcher, "models/rollback/")
    assert back.status_code == 200 and back.json()["version"] == 1
    listed = client.get(f"{API}models/").json()["results"]
    assert [(m["version"], m["active"], m["reason"]) for m in listed] == [(2, False, "手动"), (1, True, "手动")]
    assert listed[0]["retired_at"] and listed[0]["trained_by"] == "paidan"
    assert listed[1]["sources"] == {"catalog": RoutingModel.objects.get(version=1).training_size}


def test_only_the_command_centre_trains_and_only_dispatchers_ask(client, cast, matters):
    assert post(client, cast.users.grid, "models/train/").status_code == 403
    assert post(client, cast.users.department, "models/rollback/").status_code == 403
    assert not RoutingModel.objects.exists()
    assert post(client, cast.users.grid, "suggest/", {"text": "路坏了"}).status_code == 403
    client.force_login(cast.users.east_clerk)
    assert client.get(f"{API}models/").status_code == 403
    client.logout()
    assert client.post(f"{API}suggest/", {"text": "路坏了"}).status_code in (401, 403)


def test_old_versions_keep_their_figures_but_only_the_newest_keep_their_weights(client, cast, matters, monkeypatch):
    from jiceng.routing import actions

    monkeypatch.setattr(actions, "KEEP_WEIGHTS", 2)
    for _ in range(3):
        actions.train_routing_model(by=None)
    stored = dict(RoutingModel.objects.values_list("version", "blob"))
    assert [v for v, blob in sorted(stored.items()) if bytes(blob)] == [2, 3]
    assert actions.rollback_routing_model(by=None).version == 2
    refused = post(client, cast.users.dispatcher, "models/rollback/")
    assert refused.status_code == 400  # version 1 has no weights left to roll back to
    assert len(client.get(f"{API}models/").json()["results"]) == 3
