"""Login bookkeeping, lockout, and changes to accounts and their roles."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .audit import log_operation
from .models import LoginLog, User


def record_login(username: str, user: User | None, outcome: str, *, ip: str | None, user_agent: str = "") -> None:
    LoginLog.objects.create(username=username[:150], user=user, outcome=outcome, ip=ip, user_agent=user_agent[:300])


@transaction.atomic
def record_login_failure(user: User) -> User:
    """Count a failed password; lock the account once the limit is reached."""
    User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
    user.refresh_from_db(fields=["failed_login_count", "locked_until"])
    if user.failed_login_count >= settings.LOGIN_FAILURE_LIMIT:
        user.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
        user.failed_login_count = 0
        user.save(update_fields=["locked_until", "failed_login_count"])
    return user


def record_login_success(user: User) -> None:
    if user.failed_login_count or user.locked_until:
        user.failed_login_count = 0
        user.locked_until = None
        user.save(update_fields=["failed_login_count", "locked_until"])


@transaction.atomic
def unlock_user(user: User, *, by) -> User:
    user.failed_login_count = 0
    user.locked_until = None
    user.save(update_fields=["failed_login_count", "locked_until"])
    log_operation(by, "解锁账号", user)
    return user
