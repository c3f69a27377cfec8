"""Open311 GeoReport v2 endpoints: public reads, and submission with an api_key. No login, no CSRF token.

Each endpoint answers in the format its URL ends with (.json or .xml). Requesters' names, phones, e-mail
addresses and ID numbers never leave: they are not in any representation, and phone numbers, ID numbers
and e-mail addresses typed into free text are masked.
"""

from __future__ import annotations

import re
from functools import wraps

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from jiceng.cases.models import OPEN_STATUSES, Case, Status
from jiceng.catalog.models import MatterVersion
from jiceng.lib.errors import DomainError
from jiceng.lib.masking import mask_id_number, mask_phone

from . import actions
from .forms import IDEMPOTENCY_KEY, RequestForm, Search
from .models import ApiKey, ServiceRequest, offered_versions, published_cases
from .render import errors, respond, w3c

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-21T00:00:00+08:00"  # when this service description last changed
MAX_RESULTS = 1000
CONTACT = "如需帮助，请拨打12345政务服务便民热线，或联系本平台管理员。"
KEY_SERVICE = "提交服务请求须使用 api_key，由平台管理员创建（manage.py open311_key create 名称）后发给使用方。"

ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9]{9}(?![0-9])")
LANDLINE = re.compile(r"(?<![0-9])0[0-9]{2,3}-?[0-9]{7,8}(?![0-9])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def scrub(text: str) -> str:
    """Mask ID numbers, phone numbers and e-mail addresses that someone typed into free text."""
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    text = MOBILE.sub(lambda m: mask_phone(re.sub(r"\D", "", m.group())[-11:]), text)
    text = LANDLINE.sub(lambda m: mask_phone(m.group()), text)
    return EMAIL.sub("***@***", text)


def allow(*methods: str):
    """Answer other methods with 405 in the spec's error format."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, fmt: str, **kwargs):
            if request.method not in allowed:
                response = errors(fmt, 405, f"该接口不支持 {request.method} 方法。")
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            return view(request, *args, fmt=fmt, **kwargs)

        return wrapped

    return decorator


def _service_notice(version: MatterVersion | None) -> str:
    if version is None or not version.time_limit_days:
        return ""
    return f"按清单，本事项在派单后{version.time_limit_days}个工作日内办结。"


def _service(version: MatterVersion) -> dict:
    duty = " ".join((version.township_duty or version.county_duty).split())
    return {
        "service_code": version.matter.code,
        "service_name": version.name,
        "description": duty[:200] or f"{version.get_list_kind_display()}事项",
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(version.keyword_list),
        "group": version.matter.area.name,
    }


def _status_notes(case: Case) -> str:
    notes = [case.get_status_display()]
    if case.status == Status.REJECTED and case.rejected_reason:
        notes.append(f"理由：{case.rejected_reason}")
    if not case.is_open:
        if case.result:
            notes.append(f"办理结果：{case.get_result_display()}")
        if case.reply:
            notes.append(f"答复：{case.reply}")
    return scrub("；".join(notes))


def _request(case: Case) -> dict:
    """One case as a GeoReport request; `case` comes from `published_cases()`."""
    received = getattr(case, "open311", None)
    version = case.matter_version
    return {
        "service_request_id": case.code,
        "status": "open" if case.status in OPEN_STATUSES else "closed",
        "status_notes": _status_notes(case),
        "service_name": version.name if version else None,
        "service_code": case.matter.code if case.matter else None,
        "description": scrub(case.text),
        "agency_responsible": case.lead_unit.name if case.lead_unit else None,
        "service_notice": _service_notice(version) or None,
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(case.last_event_at or case.created_at),
        "expected_datetime": w3c(case.due_at),
        "address": case.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": case.latitude,
        "long": case.longitude,
        "media_url": (received.media_url or None) if received else None,
    }


@allow("GET")
def discovery(request, *, fmt: str):
    base = reverse("open311:discovery", kwargs={"fmt": fmt}).rsplit("/", 1)[0]
    endpoint = {
        "specification": SPECIFICATION,
        "url": request.build_absolute_uri(base),
        "changeset": CHANGESET,
        "type": "test" if settings.DEBUG else "production",
        "formats": ["text/xml", "application/json"],
    }
    data = {"changeset": CHANGESET, "contact": CONTACT, "key_service": KEY_SERVICE, "endpoints": [endpoint]}
    return respond(data, fmt, root="discovery")


@allow("GET")
def services(request, *, fmt: str):
    versions = offered_versions(timezone.localdate())
    return respond([_service(v) for v in versions], fmt, root="services")


@allow("GET")
def service_definition(request, service_code: str, *, fmt: str):
    if not offered_versions(timezone.localdate()).filter(matter__code=service_code).exists():
        return errors(fmt, 404, f"service_code“{service_code}”不存在或不受理网上报送。")
    return respond({"service_code": service_code, "attributes": []}, fmt, root="service_definition")


def _search(request, fmt: str):
    search = Search(request.GET, timezone.now())
    cases = published_cases()
    if search.ids:  # the spec: ids override every other parameter
        cases = cases.filter(code__in=search.ids)
    else:
        if search.problems:
            return errors(fmt, 400, *search.problems)
        cases = cases.filter(created_at__gte=search.start, created_at__lte=search.end)
        if search.codes:
            cases = cases.filter(matter__code__in=search.codes)
        if search.statuses == {"open"}:
            cases = cases.filter(status__in=OPEN_STATUSES)
        elif search.statuses == {"closed"}:
            cases = cases.exclude(status__in=OPEN_STATUSES)
    return respond([_request(c) for c in cases[:MAX_RESULTS]], fmt, root="service_requests")


def _submit(request, fmt: str):
    raw_key = request.POST.get("api_key", "").strip()
    if not raw_key:
        return errors(fmt, 403, "缺少 api_key：提交服务请求须使用平台发放的 api_key。")
    api_key = ApiKey.objects.for_raw_key(raw_key)
    if api_key is None:
        return errors(fmt, 403, "api_key 无效或已停用。")
    retry_key = request.headers.get("Idempotency-Key", "").strip() or None
    if retry_key and not IDEMPOTENCY_KEY.fullmatch(retry_key):
        return errors(fmt, 400, "Idempotency-Key 请求头应为1至80个可见ASCII字符。")
    form = RequestForm(request.POST)
    if not form.is_valid():
        return errors(fmt, 400, *form.problems())
    data = form.cleaned_data
    try:
        received, created = actions.submit_request(
            api_key,
            matter=data["service_code"],
            description=data["description"],
            address=form.address,
            latitude=data["lat"],
            longitude=data["long"],
            requester_name=form.requester_name,
            requester_phone=data["phone"],
            email=data["email"],
            account_id=data["account_id"],
            device_id=data["device_id"],
            media_url=data["media_url"],
            jurisdiction_id=data["jurisdiction_id"],
            idempotency_key=retry_key,
        )
    except actions.RateLimited as e:
        return errors(fmt, 429, e.message)
    except DomainError as e:
        return errors(fmt, 400, e.message)
    case = received.case
    notice = f"已登记，查询码{case.code}，由县指挥中心派单办理。{_service_notice(case.matter_version)}"
    body = [
        {
            "service_request_id": case.code,
            "token": received.token,
            "service_notice": notice,
            "account_id": received.account_id or None,
        }
    ]
    return respond(body, fmt, root="service_requests", status=201 if created else 200)


@csrf_exempt
@allow("GET", "POST")
def service_requests(request, *, fmt: str):
    """GET: search the published requests (the last 90 days by default, at most 1000). POST: submit one."""
    return _submit(request, fmt) if request.method == "POST" else _search(request, fmt)


@allow("GET")
def service_request(request, request_id: str, *, fmt: str):
    case = published_cases().filter(code=request_id.strip().upper()).first()
    if case is None:
        return errors(fmt, 404, f"找不到服务请求“{request_id}”。")
    return respond([_request(case)], fmt, root="service_requests")


@allow("GET")
def token(request, token: str, *, fmt: str):
    received = ServiceRequest.objects.select_related("case").filter(token=token).first()
    if received is None:
        return errors(fmt, 404, f"找不到令牌“{token}”。")
    return respond([{"service_request_id": received.case.code, "token": received.token}], fmt, root="service_requests")
