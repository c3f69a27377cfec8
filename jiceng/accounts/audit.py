"""The operation log, and the request context (client address) that actions cannot see directly.

Actions never receive the request; the middleware puts the client address in a context variable
for the duration of the request, and `log_operation` reads it from there.
"""

from __future__ import annotations

import contextvars

from django.db import models

from .models import OperationLog

client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)


def request_ip(request) -> str | None:
    """The client address; X-Forwarded-For is trusted only behind the configured proxy."""
    from django.conf import settings

    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


def log_operation(user, action: str, target, *, detail: str = "") -> OperationLog:
    """Record one operation. `target` is a model instance or a short text."""
    object_type = object_id = ""
    if isinstance(target, models.Model):
        object_type = target._meta.label_lower
        object_id = str(target.pk)
    return OperationLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        action=action,
        target=str(target)[:200],
        object_type=object_type,
        object_id=object_id,
        detail=detail,
        ip=client_ip.get(),
    )
