"""API keys: created once with the command or the admin, stored only as a hash, revoked, never deleted."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jiceng.accounts.models import OperationLog
from jiceng.open311.models import ApiKey


def run(*args) -> str:
    out = StringIO()
    call_command("open311_key", *args, stdout=out)
    return out.getvalue()


def test_create_prints_the_key_once_and_stores_only_its_hash(db):
    output = run("create", "12345热线系统", "--limit", "0")
    raw = output.strip().splitlines()[-1]
    key = ApiKey.objects.get()
    assert (key.name, key.hourly_limit, key.active) == ("12345热线系统", 0, True)
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest() and key.prefix == raw[:8]
    assert raw not in str(ApiKey.objects.values())
    assert ApiKey.objects.for_raw_key(raw) == key
    assert OperationLog.objects.filter(action="创建Open311密钥").exists()
    listing = run("list")
    assert "12345热线系统" in listing and key.prefix in listing and raw not in listing


def test_a_name_is_used_once(db):
    run("create", "小程序")
    with pytest.raises(CommandError, match="已被使用"):
        run("create", "小程序")


def test_revoke_stops_the_key(db):
    raw = run("create", "小程序").strip().splitlines()[-1]
    assert "已停用" in run("revoke", "小程序")
    assert ApiKey.objects.for_raw_key(raw) is None
    assert "已停用" in run("list")
    with pytest.raises(CommandError, match="没有名为"):
        run("revoke", "不存在")


def test_the_admin_creates_a_key_and_shows_it_once(client, cast):
    client.force_login(cast.users.admin)
    cast.users.admin.is_staff = cast.users.admin.is_superuser = True
    cast.users.admin.save(update_fields=["is_staff", "is_superuser"])
    response = client.post("/admin/open311/apikey/add/", {"name": "网格App", "hourly_limit": "50"}, follow=True)
    page = response.content.decode()
    key = ApiKey.objects.get()
    raw = page.split("请立即复制并安全地交给使用方）：")[1].split("<")[0].strip()
    assert ApiKey.objects.for_raw_key(raw) == key and key.hourly_limit == 50
    detail = client.get(f"/admin/open311/apikey/{key.pk}/change/").content.decode()
    assert raw not in detail and key.key_hash not in detail
    client.post("/admin/open311/apikey/", {"action": "revoke", "_selected_action": [key.pk], "index": 0}, follow=True)
    key.refresh_from_db()
    assert not key.active
