"""Issuing and revoking API keys, and turning an Open311 submission into a case through `register_case`."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiceng.accounts.audit import log_operation
from jiceng.cases.actions import register_case
from jiceng.cases.models import Channel
from jiceng.catalog.models import Matter
from jiceng.lib.errors import DomainError

from .models import ApiKey, ServiceRequest, new_raw_key

TITLE_LENGTH = 30


class RateLimited(DomainError):
    """The key has submitted its hourly allowance."""


def issue_api_key(key: ApiKey, *, by) -> str:
    """Save a new (unsaved) key with fresh key material and return the raw key: the only time it is seen."""
    if key.pk is not None:
        raise DomainError("只能为新建的密钥生成密钥串；如密钥遗失，请停用后重新创建。")
    if ApiKey.objects.filter(name=key.name).exists():
        raise DomainError(f"名称“{key.name}”已被使用。", field="name")
    raw = new_raw_key()
    key.set_key(raw)
    try:
        with transaction.atomic():
            key.save()
    except IntegrityError:
        raise DomainError(f"名称“{key.name}”已被使用。", field="name") from None
    log_operation(by, "创建Open311密钥", key)
    return raw


def revoke_api_key(key: ApiKey, *, by) -> ApiKey:
    """Stop a key at once; the requests it submitted stay."""
    if key.active:
        key.active = False
        key.save(update_fields=["active"])
        log_operation(by, "停用Open311密钥", key)
    return key


def title_from(description: str) -> str:
    """The first ~30 characters of the description, on one line."""
    line = " ".join(description.split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1] + "…"


def _check_rate(api_key: ApiKey) -> None:
    if not api_key.hourly_limit:
        return
    since = timezone.now() - timedelta(hours=1)
    if api_key.requests.filter(created_at__gte=since).count() >= api_key.hourly_limit:
        raise RateLimited(f"该 api_key 一小时内已提交{api_key.hourly_limit}件，已达上限，请稍后再试。")


def submit_request(
    api_key: ApiKey,
    *,
    matter: Matter,
    description: str,
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    requester_name: str = "",
    requester_phone: str = "",
    email: str = "",
    account_id: str = "",
    device_id: str = "",
    media_url: str = "",
    jurisdiction_id: str = "",
    idempotency_key: str | None = None,
) -> tuple[ServiceRequest, bool]:
    """Register the case and remember where it came from. Returns (request, created).

    A retry with the same idempotency key (scoped to the API key) returns the first request, however
    often it is sent and even when two copies arrive at once; it does not count against the hourly limit.
    The township is taken from the address when a township or village name in it is unambiguous; otherwise
    the command centre sets it when it dispatches.
    """
    case_key = f"open311:{api_key.pk}:{idempotency_key}" if idempotency_key else None
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
    if case_key:
        earlier = ServiceRequest.objects.select_related("case").filter(case__idempotency_key=case_key).first()
        if earlier is not None:
            return earlier, False
    _check_rate(api_key)
    with transaction.atomic():
        case, created = register_case(
            channel=Channel.OPEN311,
            title=title_from(description),
            text=description,
            matter=matter,
            address=address,  # register_case places it: point → grid, else the names in the address
            latitude=latitude,
            longitude=longitude,
            requester_name=requester_name,
            requester_phone=requester_phone,
            idempotency_key=case_key,
        )
        if not created:  # an identical retry got there first
            return ServiceRequest.objects.select_related("case").get(case=case), False
        request = ServiceRequest.objects.create(
            case=case,
            api_key=api_key,
            email=email,
            account_id=account_id,
            device_id=device_id,
            media_url=media_url,
            jurisdiction_id=jurisdiction_id,
        )
    return request, True
