"""Login, lockout after repeated failures, the login log, password policy and expiry, sessions."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from jiceng.accounts.models import LoginLog, User
from jiceng.conftest import PASSWORD


def login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_a_correct_password_logs_in_and_is_logged(client, cast):
    response = login(client, "bianban", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    entry = LoginLog.objects.get(username="bianban")
    assert entry.outcome == LoginLog.Outcome.SUCCESS
    assert entry.ip == "127.0.0.1"


def test_a_wrong_password_says_how_many_tries_are_left(client, cast):
    response = login(client, "bianban", "wrong")
    text = response.content.decode()
    assert "用户名或密码错误" in text
    assert f"再错{settings.LOGIN_FAILURE_LIMIT - 1}次" in text
    assert LoginLog.objects.filter(username="bianban", outcome=LoginLog.Outcome.BAD_PASSWORD).count() == 1


def test_the_account_locks_after_the_limit_and_even_the_right_password_is_refused(client, cast):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        login(client, "bianban", "wrong")
    user = User.objects.get(username="bianban")
    assert user.is_locked()
    response = login(client, "bianban", PASSWORD)
    assert response.status_code == 200
    assert "已被锁定" in response.content.decode()
    assert LoginLog.objects.filter(username="bianban", outcome=LoginLog.Outcome.LOCKED).exists()


def test_the_lock_expires(client, cast):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        login(client, "bianban", "wrong")
    later = timezone.now() + timedelta(minutes=settings.LOGIN_LOCK_MINUTES + 1)
    with time_machine.travel(later, tick=False):
        assert login(client, "bianban", PASSWORD).status_code == 302


def test_a_success_resets_the_failure_count(client, cast):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        login(client, "bianban", "wrong")
    assert login(client, "bianban", PASSWORD).status_code == 302
    assert User.objects.get(username="bianban").failed_login_count == 0


def test_unknown_users_get_the_same_message_without_a_count(client, cast):
    text = login(client, "nobody", "wrong").content.decode()
    assert "用户名或密码错误" in text
    assert "再错" not in text


def test_an_inactive_account_is_told_so(client, cast):
    User.objects.filter(username="bianban").update(is_active=False)
    assert "账号已停用" in login(client, "bianban", PASSWORD).content.decode()


@pytest.mark.parametrize(
    ("password", "fragment"),
    [("Ab1!", "太短"), ("abcdefghijkl", "至少包含"), ("abcdefgh1234", "至少包含"), ("12345678901234", "只包含数字")],
)
def test_the_password_policy_refuses_weak_passwords(password, fragment):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        validate_password(password)
    assert any(fragment in m for m in error.value.messages)


def test_the_password_policy_accepts_three_character_classes():
    validate_password("Shifan-county-2026")


def test_an_expired_password_must_be_changed_before_anything_else(client, cast):
    user = cast.users.staffing
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=200))
    client.force_login(user)
    response = client.get(reverse("orgs:people"))
    assert response.status_code == 302
    assert reverse("accounts:password_change") in response["Location"]
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Xin-Mima-2027", "new_password2": "Xin-Mima-2027"},
    )
    assert response.status_code == 302
    assert client.get(reverse("orgs:people")).status_code == 200


def test_sessions_expire_after_idle_time_and_at_browser_close():
    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_logout_is_a_post_and_is_logged(client, cast):
    login(client, "bianban", PASSWORD)
    client.post(reverse("accounts:logout"))
    assert LoginLog.objects.filter(username="bianban", outcome=LoginLog.Outcome.LOGOUT).exists()
    assert client.get(reverse("home")).status_code == 302


def test_the_next_parameter_cannot_send_users_to_another_site(client, cast):
    response = client.post(
        reverse("accounts:login") + "?next=https://evil.example/", {"username": "bianban", "password": PASSWORD}
    )
    assert response["Location"] == reverse("home")


def test_the_admin_site_uses_the_platform_login_with_its_lockout(client, cast):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=/admin/" in response["Location"]


def test_a_password_change_is_in_the_operation_log(client, cast):
    from jiceng.accounts.models import OperationLog

    client.force_login(cast.users.staffing)
    client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Xin-Mima-2027", "new_password2": "Xin-Mima-2027"},
    )
    assert OperationLog.objects.filter(user=cast.users.staffing, action="修改密码").exists()
