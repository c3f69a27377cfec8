"""The parameters of POST requests and GET requests, checked with messages that name the parameter."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from jiceng.lib.validators import check_mobile

from .models import offered_versions

SEARCH_WINDOW = timedelta(days=90)
OTHER_PHONE = re.compile(r"[0-9+\-() ]{5,20}")
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,80}")  # printable ASCII; the case keeps it with the key's id


class RequestForm(forms.Form):
    """POST requests: the spec's form fields. `attribute[…]` is ignored (no service has metadata)."""

    service_code = forms.CharField(
        max_length=30, error_messages={"required": "缺少 service_code（服务代码，见 services 接口）。"}
    )
    description = forms.CharField(
        max_length=4000,
        error_messages={
            "required": "缺少 description：请描述反映的问题。",
            "max_length": "description 不能超过4000字。",
        },
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    long = forms.FloatField(required=False, min_value=-180, max_value=180)
    address_string = forms.CharField(
        required=False, max_length=200, error_messages={"max_length": "address_string 不能超过200字。"}
    )
    address_id = forms.CharField(required=False, max_length=100)
    first_name = forms.CharField(required=False, max_length=25)
    last_name = forms.CharField(required=False, max_length=25)
    phone = forms.CharField(required=False, max_length=20)
    email = forms.EmailField(required=False, error_messages={"invalid": "email 格式不正确。"})
    device_id = forms.CharField(required=False, max_length=100)
    account_id = forms.CharField(required=False, max_length=100)
    media_url = forms.URLField(
        required=False, max_length=500, assume_scheme="https", error_messages={"invalid": "media_url 不是有效的网址。"}
    )
    jurisdiction_id = forms.CharField(required=False, max_length=100)

    def clean_service_code(self):
        code = self.cleaned_data["service_code"]
        version = offered_versions(timezone.localdate()).filter(matter__code=code).first()
        if version is None:
            raise ValidationError(f"service_code“{code}”不存在或不受理网上报送（可用的代码见 services 接口）。")
        return version.matter

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return ""
        if phone.startswith(("1", "+86")):
            try:
                return check_mobile(phone)
            except ValidationError:
                raise ValidationError(f"phone“{phone}”不是有效的手机号（应为以1开头的11位数字）。") from None
        if not OTHER_PHONE.fullmatch(phone):
            raise ValidationError(f"phone“{phone}”不是有效的电话号码。")
        return phone

    def clean(self):
        data = super().clean()
        if {"lat", "long", "address_string", "address_id"} & set(self.errors):
            return data  # already reported; a second message about the location would only confuse
        has_lat, has_long = data.get("lat") is not None, data.get("long") is not None
        if has_lat != has_long:
            raise ValidationError("lat 和 long 须同时提供。")
        if not (has_lat or data.get("address_string") or data.get("address_id")):
            raise ValidationError("缺少位置：请提供 lat 和 long，或 address_string。")
        return data

    @property
    def address(self) -> str:
        data = self.cleaned_data
        return data["address_string"] or (f"地址编号：{data['address_id']}" if data["address_id"] else "")

    @property
    def requester_name(self) -> str:
        # Chinese order: family name (last_name) first, without a space.
        return f"{self.cleaned_data['last_name']}{self.cleaned_data['first_name']}".strip()

    def problems(self) -> list[str]:
        """Each error as one sentence that names its parameter."""
        out = []
        for field, messages in self.errors.items():
            for message in messages:
                if field == "__all__" or field in message:
                    out.append(message)
                else:
                    out.append(f"{field}：{message}")
        return out


def _moment(raw: str, name: str, *, end: bool) -> datetime:
    """A W3C date-time (naive ones are Beijing time); a bare date means that whole day."""
    try:
        day = parse_date(raw)
        if day is not None:
            value = datetime.combine(day + timedelta(days=1) if end else day, time.min)
        else:
            value = parse_datetime(raw)
    except ValueError:  # well-formed but impossible, like 2026-02-30
        value = None
    if value is None:
        raise ValidationError(f"{name}“{raw}”格式不正确，应为 W3C 日期时间，如 2026-09-01T00:00:00+08:00。")
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _words(raw: str) -> list[str]:
    return [w.strip() for w in raw.split(",") if w.strip()]


class Search:
    """GET requests: ids (which override everything else), service codes, a date range and open/closed."""

    def __init__(self, params, now: datetime):
        self.problems: list[str] = []
        self.ids = [w.upper() for w in _words(params.get("service_request_id", ""))]
        self.codes = _words(params.get("service_code", ""))
        self.statuses = {w.lower() for w in _words(params.get("status", ""))}
        wrong = self.statuses - {"open", "closed"}
        if wrong:
            self.problems.append(f"status“{'，'.join(sorted(wrong))}”无效，只能是 open 或 closed。")
        self.start = self.end = None
        try:
            if params.get("start_date"):
                self.start = _moment(params["start_date"], "start_date", end=False)
            if params.get("end_date"):
                self.end = _moment(params["end_date"], "end_date", end=True)
        except ValidationError as e:
            self.problems.append(e.messages[0])
            return
        if self.start is None and self.end is None:
            self.start, self.end = now - SEARCH_WINDOW, now
        elif self.start is None:
            self.start = self.end - SEARCH_WINDOW
        elif self.end is None:
            self.end = self.start + SEARCH_WINDOW
        if self.end < self.start:
            self.problems.append("end_date 不能早于 start_date。")
        elif self.end - self.start > SEARCH_WINDOW:
            self.problems.append("start_date 与 end_date 相隔不能超过90天。")
