"""Every change to the catalog goes through these functions; each one refreshes the resolution index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from jiceng.accounts.audit import log_operation
from jiceng.lib.errors import DomainError
from jiceng.orgs.models import Region, Unit

from .models import (
    AdmissionRequest,
    Area,
    CatalogUnit,
    DelegatedPower,
    Delegation,
    DelegationStatus,
    Level,
    ListKind,
    Matter,
    MatterVersion,
    Responsibility,
    RoleBinding,
)
from .resolve import invalidate

VERSION_FIELDS = (
    "name",
    "list_kind",
    "service_type",
    "legal_basis",
    "keywords",
    "township_duty",
    "county_duty",
    "procedure",
    "standards",
    "response_days",
    "time_limit_days",
    "statutory_days",
    "committed_days",
    "materials",
    "location",
    "window",
    "fees",
    "once_done",
    "no_visit",
)


@dataclass
class Duty:
    catalog_unit: CatalogUnit
    is_lead: bool
    duty: str = ""


def _changed():
    transaction.on_commit(invalidate)


def _check_version(fields: dict, duties: list[Duty]) -> None:
    if not (fields.get("name") or "").strip():
        raise DomainError("请填写事项名称。", field="name")
    if fields.get("list_kind") not in ListKind.values:
        raise DomainError("清单类别无效。", field="list_kind")
    if fields["list_kind"] == ListKind.SERVICE and not fields.get("service_type"):
        raise DomainError("政务服务事项须选择事项类型（行政许可、行政确认……）。", field="service_type")
    for name in ("response_days", "time_limit_days", "statutory_days", "committed_days"):
        value = fields.get(name)
        if value is not None and value < 0:
            raise DomainError("时限不能为负数。", field=name)
    if fields.get("statutory_days") is not None and fields.get("committed_days") is not None:
        if fields["committed_days"] > fields["statutory_days"]:
            raise DomainError("承诺时限不能长于法定时限。", field="committed_days")
    leads = [d for d in duties if d.is_lead]
    if len(leads) != 1:
        raise DomainError("每个事项须有且只有一个主体责任单位。", field="lead")
    seen = set()
    for d in duties:
        if d.catalog_unit.pk in seen:
            raise DomainError(f"“{d.catalog_unit.name}”重复列入。", field="cooperating")
        seen.add(d.catalog_unit.pk)


@transaction.atomic
def save_matter(
    *, code: str, area: Area, fields: dict, duties: list[Duty], effective_from: date, document_no: str = "", by
) -> MatterVersion:
    """Create a matter, or give an existing one a new version from `effective_from` (the old one ends then)."""
    code = code.strip()
    if not code:
        raise DomainError("请填写事项编码。", field="code")
    _check_version(fields, duties)
    matter, created = Matter.objects.select_for_update().get_or_create(code=code, defaults={"area": area})
    if not created:
        latest = matter.versions.order_by("-effective_from").first()
        if latest and effective_from <= latest.effective_from:
            raise DomainError(
                f"新版本的生效日期须晚于现行版本（{latest.effective_from:%Y年%m月%d日}起）。", field="effective_from"
            )
        if latest and (latest.effective_to is None or latest.effective_to > effective_from):
            latest.effective_to = effective_from
            latest.save(update_fields=["effective_to", "updated_at"])
        if matter.area_id != area.pk:
            matter.area = area
            matter.save(update_fields=["area"])
    version = MatterVersion.objects.create(
        matter=matter,
        effective_from=effective_from,
        document_no=document_no,
        created_by=by,
        **{k: fields.get(k) for k in VERSION_FIELDS if k in fields},
    )
    Responsibility.objects.bulk_create(
        Responsibility(version=version, catalog_unit=d.catalog_unit, is_lead=d.is_lead, duty=d.duty, sort=i)
        for i, d in enumerate(duties)
    )
    log_operation(by, "新增事项" if created else "修订事项", matter, detail=f"{effective_from} {document_no}")
    _changed()
    return version


@transaction.atomic
def repeal_matter(matter: Matter, *, on: date, document_no: str, by) -> MatterVersion:
    version = matter.versions.in_force(on).first()
    if version is None:
        raise DomainError("该事项在此日期没有现行版本。", field="on")
    version.effective_to = on
    version.save(update_fields=["effective_to", "updated_at"])
    # Versions already entered for later dates never take effect.
    for later in matter.versions.filter(effective_from__gt=on):
        later.effective_to = later.effective_from
        later.save(update_fields=["effective_to", "updated_at"])
    log_operation(by, "废止事项", matter, detail=f"{on} {document_no}")
    _changed()
    return version


@transaction.atomic
def bind_role(role: CatalogUnit, township: Region, unit: Unit, *, by) -> RoleBinding:
    if role.level != Level.TOWNSHIP:
        raise DomainError("只有乡镇级单位需要按乡镇对应。", field="role")
    if township.level != 4:
        raise DomainError("请选择乡镇（街道）。", field="township")
    if not unit.region.code.startswith(township.code[:9]):
        raise DomainError(f"“{unit.name}”不属于{township.name}。", field="unit")
    binding, _ = RoleBinding.objects.update_or_create(role=role, township=township, defaults={"unit": unit})
    log_operation(by, "设置乡镇单位对应", township, detail=f"{role.name} → {unit.name}")
    _changed()
    return binding


@transaction.atomic
def set_delegation(
    power: DelegatedPower, township: Region, *, status: str, on: date, document_no: str = "", note: str = "", by
) -> Delegation:
    """Record a township's 承接/暂缓/收回 of a delegated power from `on` (append-only)."""
    if status not in DelegationStatus.values:
        raise DomainError("承接状态无效。", field="status")
    if township.level != 4:
        raise DomainError("请选择乡镇（街道）。", field="township")
    if status in (DelegationStatus.ACCEPTED, DelegationStatus.RECLAIMED) and not document_no.strip():
        raise DomainError("承接或收回须填写文号。", field="document_no")
    if on < power.offered_on:
        raise DomainError(f"日期不能早于赋权日期（{power.offered_on:%Y年%m月%d日}）。", field="on")
    last = Delegation.objects.filter(power=power, township=township).order_by("-on", "-id").first()
    if last and on < last.on:
        raise DomainError(f"日期不能早于上一次记录（{last.on:%Y年%m月%d日}）。", field="on")
    if last and last.status == DelegationStatus.ACCEPTED and not document_no.strip():
        raise DomainError("已承接的事项改为暂缓或收回，须填写文号。", field="document_no")
    if last and last.status == status:
        raise DomainError(f"{township.name}对该事项已是“{last.get_status_display()}”。", field="status")
    row = Delegation.objects.create(
        power=power, township=township, status=status, on=on, document_no=document_no, note=note, by=by
    )
    log_operation(by, f"赋权事项{row.get_status_display()}", township, detail=f"{power.code} {power.name}")
    _changed()
    return row


@transaction.atomic
def submit_admission(
    *, department: Unit, title: str, description: str, reason: str, area: Area | None = None, by
) -> AdmissionRequest:
    if not title.strip() or not description.strip() or not reason.strip():
        raise DomainError("请填写事项名称、拟交由乡镇承担的工作和理由依据。")
    request = AdmissionRequest.objects.create(
        department=department,
        title=title.strip(),
        description=description,
        reason=reason,
        area=area,
        submitted_by=by,
    )
    log_operation(by, "提出清单外事项准入申请", request)
    return request


@transaction.atomic
def decide_admission(
    request: AdmissionRequest, *, approve: bool, note: str, matter: Matter | None = None, by
) -> AdmissionRequest:
    request = AdmissionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != AdmissionRequest.Status.PENDING:
        raise DomainError(f"该申请{request.get_status_display()}，不能再审核。")
    if not note.strip():
        raise DomainError("请填写审核意见。", field="note")
    request.status = AdmissionRequest.Status.APPROVED if approve else AdmissionRequest.Status.REFUSED
    request.decision_note, request.decided_by, request.decided_at = note.strip(), by, timezone.now()
    request.matter = matter if approve else None
    request.save(update_fields=["status", "decision_note", "decided_by", "decided_at", "matter"])
    log_operation(by, "准入清单外事项" if approve else "不予准入清单外事项", request, detail=note)
    return request
