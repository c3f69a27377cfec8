"""The in-app inbox: 催办, 督办, 通报 and other messages the worker delivered to the user."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .models import Notification

PAGE = 30


def _mine(user):
    # An in-app message is delivered by being stored: it shows at once, whatever the outbox is doing.
    return Notification.objects.filter(user=user, channel=Notification.Channel.INAPP)


def unread_count(request) -> dict:
    """Context processor: the bell in the top bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_messages": _mine(user).filter(read_at__isnull=True).count()}


def inbox(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    page = Paginator(_mine(request.user).select_related("case").order_by("-created_at", "-id"), PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "cases/inbox.html", {"page": page, "querystring_base": ""})


@require_POST
def mark_read(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    count = _mine(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, f"已将{count}条消息标为已读。")
    return redirect("cases:inbox")
