"""The public portal (no login): report a problem, track it by code and the phone's last four digits, rate it.

Submissions are limited per client address and hour; tracking shows the history without staff names.
"""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from jiceng.accounts.audit import request_ip
from jiceng.lib.errors import DomainError
from jiceng.lib.forms import StyledForm, show_error
from jiceng.lib.validators import check_mobile
from jiceng.orgs.models import Region

from . import actions
from .models import Case, Channel, Evaluation, Rating, Status


class SubmitForm(StyledForm, forms.Form):
    township = forms.ModelChoiceField(label="所在乡镇（街道）", queryset=Region.objects.townships().order_by("code"))
    title = forms.CharField(label="反映什么问题", max_length=100)
    text = forms.CharField(label="详细情况", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    address = forms.CharField(label="具体地点", max_length=200, required=False)
    name = forms.CharField(label="您的称呼", max_length=50)
    phone = forms.CharField(label="手机号（用于查询和回访）", max_length=20)
    token = forms.CharField(widget=forms.HiddenInput)

    def clean_phone(self):
        try:
            return check_mobile(self.cleaned_data["phone"])
        except Exception as e:
            raise forms.ValidationError(getattr(e, "messages", ["手机号不正确。"])[0]) from None


class TrackForm(StyledForm, forms.Form):
    code = forms.CharField(label="查询码", max_length=16)
    last4 = forms.CharField(label="手机号后4位", min_length=4, max_length=4)


def _limited(request) -> bool:
    key = f"portal-submit-{request_ip(request)}"
    count = cache.get(key, 0)
    if count >= settings.PORTAL_SUBMISSIONS_PER_HOUR:
        return True
    cache.set(key, count + 1, 3600)
    return False


def submit(request):
    form = SubmitForm(request.POST or None, initial={"token": uuid.uuid4().hex})
    created = None
    if request.method == "POST" and form.is_valid():
        if _limited(request):
            form.add_error(None, "提交过于频繁，请一小时后再试，或拨打12345热线。")
        else:
            d = form.cleaned_data
            try:
                created, _ = actions.register_case(
                    channel=Channel.ONLINE,
                    title=d["title"],
                    text=d["text"],
                    township=d["township"],
                    address=d["address"],
                    requester_name=d["name"],
                    requester_phone=d["phone"],
                    idempotency_key=f"portal-{d['token']}",
                )
            except DomainError as e:
                show_error(form, e)
    return render(request, "cases/portal/submit.html", {"form": form, "created": created})


def _find(code: str, last4: str) -> Case | None:
    case = Case.objects.filter(code=code.strip().upper()).first()
    if case is None or not case.requester_phone.endswith(last4.strip()):
        return None  # the same answer for a wrong code and a wrong phone: codes cannot be probed
    return case


def _too_many_misses(request) -> bool:
    """Wrong code/phone pairs per address and hour are limited, so the last four digits cannot be guessed."""
    return cache.get(f"portal-miss-{request_ip(request)}", 0) >= settings.PORTAL_TRACK_MISSES_PER_HOUR


def _miss(request) -> None:
    key = f"portal-miss-{request_ip(request)}"
    cache.set(key, cache.get(key, 0) + 1, 3600)


def _act(request, case: Case) -> str | None:
    """The requester's own actions on the tracking page: rate, rate again after 整改, withdraw."""
    post = request.POST
    try:
        if post.get("action") == "withdraw":
            actions.withdraw_case(case, reason=post.get("reason", "").strip() or "申请人网上撤回")
        elif post.get("action") == "follow_up":
            actions.rate_follow_up(case, score=int(post.get("score") or 0), comment=post.get("comment", ""))
        elif post.get("score"):
            actions.rate_case(case, score=int(post["score"]), comment=post.get("comment", ""))
    except DomainError as e:
        return e.message
    except ValueError:
        return "评分不正确。"
    return None


def track(request):
    form = TrackForm(request.POST or request.GET or None)
    case = shown = error = None
    if form.is_bound and form.is_valid():
        if _too_many_misses(request):
            error = "查询失败次数过多，请一小时后再试，或拨打12345热线。"
        else:
            case = _find(form.cleaned_data["code"], form.cleaned_data["last4"])
            if case is None:
                _miss(request)
                error = "没有找到该办件，请核对查询码和手机号后4位。"
            elif request.method == "POST":
                error = _act(request, case)
                case.refresh_from_db()
    # A merged duplicate follows the case that is being handled (without anyone else's details).
    shown = case.merged_into if case is not None and case.merged_into_id else case
    kinds = set(case.evaluations.values_list("kind", flat=True)) if case else set()
    rectification = getattr(case, "rectification", None) if case else None
    return render(
        request,
        "cases/portal/track.html",
        {
            "form": form,
            "case": case,
            "shown": shown,
            "error": error,
            "can_rate": case is not None
            and case.status in (Status.FINISHED, Status.VERIFIED)
            and Evaluation.Kind.REQUESTER not in kinds,
            "rated": Evaluation.Kind.REQUESTER in kinds,
            "can_follow_up": bool(rectification and rectification.done_at) and Evaluation.Kind.FOLLOW_UP not in kinds,
            "rectification": rectification,
            "can_withdraw": case is not None and case.is_open,
            "events": shown.events.all() if shown else [],
            "ratings": Rating.choices,
        },
    )
