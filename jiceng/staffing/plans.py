"""机构改革方案: drafting, validation, preview and execution of a reorganisation plan.

A plan maps many source units onto fewer target units. Executing it is one transaction: new units
are created, quotas carried over (改革划转 entries), people moved (their seats too), plaques kept,
sources marked 已合并 into their targets. A failure anywhere leaves nothing changed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from jiceng.accounts.audit import log_operation
from jiceng.lib.errors import DomainError
from jiceng.orgs import actions as org_actions
from jiceng.orgs.models import Person, Plaque, Unit, UnitKind, UnitStatus

from . import actions
from .models import (
    PLAN_TRANSITIONS,
    EntryReason,
    Placement,
    PlanAdjustment,
    PlanEvent,
    PlanPersonOverride,
    PlanSource,
    PlanStatus,
    PlanTarget,
    QuotaEntry,
    QuotaKind,
    ReorgPlan,
)
from .seats import seats_by_key

KIND_ORDER = list(QuotaKind)


def _editable(plan: ReorgPlan) -> ReorgPlan:
    if not plan.editable:
        raise DomainError(f"方案{plan.get_status_display()}，不能再修改；如需调整请退回草稿或另拟新方案。")
    return plan


@transaction.atomic
def create_plan(*, name: str, region, effective_on: date, document_no: str = "", note: str = "", by) -> ReorgPlan:
    if not name.strip():
        raise DomainError("请填写方案名称。", field="name")
    plan = ReorgPlan.objects.create(
        name=name.strip(), region=region, effective_on=effective_on, document_no=document_no, note=note, created_by=by
    )
    PlanEvent.objects.create(plan=plan, to_status=PlanStatus.DRAFT, by=by, note="拟定方案")
    log_operation(by, "拟定改革方案", plan)
    return plan


@transaction.atomic
def update_plan(plan: ReorgPlan, *, by, **fields) -> ReorgPlan:
    """Change a draft's details; once submitted, only the 批准文号 may still be filled in (by the approver)."""
    if plan.status == PlanStatus.SUBMITTED and set(fields) <= {"document_no"}:
        allowed = ("document_no",)
    else:
        _editable(plan)
        allowed = ("name", "region", "effective_on", "document_no", "note")
    changed = [k for k in allowed if k in fields and getattr(plan, k) != fields[k]]
    for k in changed:
        setattr(plan, k, fields[k])
    if changed:
        plan.save(update_fields=changed)
        log_operation(by, "修改改革方案", plan)
    return plan


@transaction.atomic
def add_target(
    plan: ReorgPlan,
    *,
    unit: Unit | None = None,
    name: str = "",
    kind: str = "",
    parent: Unit | None = None,
    leader_chief: int | None = None,
    leader_deputy: int | None = None,
    by,
) -> PlanTarget:
    """A target is an existing unit (`unit`) or a new one (`name`, `kind`, `parent`)."""
    _editable(plan)
    if unit is not None:
        if not unit.is_active:
            raise DomainError(f"“{unit.name}”{unit.get_status_display()}，不能作为改革后单位。", field="unit")
        if plan.sources.filter(unit=unit).exists():
            raise DomainError(f"“{unit.name}”已是本方案的原单位。", field="unit")
        name, kind, parent = unit.name, unit.kind, unit.parent
    name = name.strip()
    if not name:
        raise DomainError("请填写改革后单位的名称。", field="name")
    if not kind:
        raise DomainError("请选择单位类型。", field="kind")
    if plan.targets.filter(name=name).exists():
        raise DomainError(f"方案中已有“{name}”。", field="name")
    target = PlanTarget.objects.create(
        plan=plan,
        unit=unit,
        name=name,
        kind=kind,
        parent=parent,
        leader_chief=leader_chief,
        leader_deputy=leader_deputy,
        sort=(plan.targets.count() + 1) * 10,
    )
    log_operation(by, "方案增加改革后单位", plan, detail=name)
    return target


@transaction.atomic
def remove_target(target: PlanTarget, *, by) -> None:
    _editable(target.plan)
    log_operation(by, "方案删除改革后单位", target.plan, detail=target.name)
    target.delete()


@transaction.atomic
def add_source(
    plan: ReorgPlan, unit: Unit, *, target: PlanTarget | None = None, keep_name_as_plaque: bool = False, by
) -> PlanSource:
    _editable(plan)
    if not unit.is_active:
        raise DomainError(f"“{unit.name}”{unit.get_status_display()}。", field="unit")
    if plan.targets.filter(unit=unit).exists():
        raise DomainError(f"“{unit.name}”已是本方案的改革后单位。", field="unit")
    if target is not None and target.plan_id != plan.pk:
        raise DomainError("并入单位不属于本方案。", field="target")
    source, created = PlanSource.objects.get_or_create(
        plan=plan, unit=unit, defaults={"target": target, "keep_name_as_plaque": keep_name_as_plaque}
    )
    if not created:
        raise DomainError(f"“{unit.name}”已在方案中。", field="unit")
    log_operation(by, "方案增加原单位", plan, detail=unit.name)
    return source


@transaction.atomic
def map_source(source: PlanSource, *, target: PlanTarget | None, keep_name_as_plaque: bool, by) -> PlanSource:
    _editable(source.plan)
    if target is not None and target.plan_id != source.plan_id:
        raise DomainError("并入单位不属于本方案。", field="target")
    source.target, source.keep_name_as_plaque = target, keep_name_as_plaque
    source.save(update_fields=["target", "keep_name_as_plaque"])
    log_operation(by, "方案调整并入单位", source.plan, detail=str(source))
    return source


@transaction.atomic
def remove_source(source: PlanSource, *, by) -> None:
    _editable(source.plan)
    log_operation(by, "方案删除原单位", source.plan, detail=source.unit.name)
    source.delete()


@transaction.atomic
def place_person(plan: ReorgPlan, person: Person, *, target: PlanTarget | None, by) -> None:
    """Send one person to another target than their unit's (None: back to the default)."""
    _editable(plan)
    source_units = set(plan.sources.values_list("unit_id", flat=True))
    if person.work_unit_id not in source_units and person.quota_unit_id not in source_units:
        raise DomainError(f"{person.name}不在本方案的原单位。", field="person")
    if target is None:
        PlanPersonOverride.objects.filter(plan=plan, person=person).delete()
        log_operation(by, "方案恢复人员默认转隶", plan, detail=person.name)
        return
    if target.plan_id != plan.pk:
        raise DomainError("转隶单位不属于本方案。", field="target")
    PlanPersonOverride.objects.update_or_create(plan=plan, person=person, defaults={"target": target})
    log_operation(by, "方案调整人员转隶", plan, detail=f"{person.name} → {target.name}")


@transaction.atomic
def add_adjustment(
    plan: ReorgPlan, target: PlanTarget, *, kind: str, delta: int, reason: str, document_no: str = "", by
) -> PlanAdjustment:
    _editable(plan)
    if delta == 0:
        raise DomainError("增减数不能为0。", field="delta")
    if reason == PlanAdjustment.Reason.DECREASE:
        if delta > 0:
            raise DomainError("核减应为负数。", field="delta")
        if not document_no.strip():
            raise DomainError("核减须填写批准文号。", field="document_no")
    adjustment = PlanAdjustment.objects.create(
        plan=plan, target=target, kind=kind, delta=delta, reason=reason, document_no=document_no.strip()
    )
    log_operation(by, "方案调整编制", plan, detail=str(adjustment))
    return adjustment


@transaction.atomic
def remove_adjustment(adjustment: PlanAdjustment, *, by) -> None:
    _editable(adjustment.plan)
    log_operation(by, "方案删除编制调整", adjustment.plan, detail=str(adjustment))
    adjustment.delete()


# ---- the plan's arithmetic ----------------------------------------------------------------------


@dataclass
class UnitFigures:
    name: str
    unit: Unit | None
    quotas: dict[str, int] = field(default_factory=dict)
    people: int = 0
    leaders: dict[str, int] = field(default_factory=dict)
    target: PlanTarget | None = None

    def quota(self, kind: str) -> int:
        return self.quotas.get(kind, 0)


@dataclass
class Preview:
    before: list[UnitFigures]
    after: list[UnitFigures]
    kinds: list[str]

    def totals(self, side: str) -> dict[str, int]:
        rows = self.before if side == "before" else self.after
        return {k: sum(r.quota(k) for r in rows) for k in self.kinds}

    @property
    def people_before(self) -> int:
        return sum(r.people for r in self.before)

    @property
    def people_after(self) -> int:
        return sum(r.people for r in self.after)

    @classmethod
    def from_snapshot(cls, data: dict) -> Preview:
        def rows(side):
            return [UnitFigures(r["name"], None, quotas=r["quotas"], people=r["people"]) for r in data[side]]

        return cls(rows("before"), rows("after"), data["kinds"])


def _people_in(units) -> list[Person]:
    return list(
        Person.objects.active().filter(Q(work_unit__in=units) | Q(quota_unit__in=units)).select_related("work_unit")
    )


def destinations(plan: ReorgPlan) -> dict[int, PlanTarget | None]:
    """Person id → the target they go to (override, else their quota unit's or work unit's target)."""
    sources = {s.unit_id: s.target for s in plan.sources.select_related("target")}
    overrides = {o.person_id: o.target for o in plan.person_overrides.select_related("target")}
    out = {}
    for person in _people_in(list(sources)):
        if person.pk in overrides:
            out[person.pk] = overrides[person.pk]
        elif person.quota_unit_id in sources:
            out[person.pk] = sources[person.quota_unit_id]
        else:
            out[person.pk] = sources.get(person.work_unit_id)
    return out


def preview_plan(plan: ReorgPlan, day: date | None = None) -> Preview:
    """Units, quotas per kind and people before and after the plan."""
    day = day or plan.effective_on
    sources = list(plan.sources.select_related("unit", "target"))
    targets = list(plan.targets.select_related("unit"))
    existing = [t.unit for t in targets if t.unit_id]
    involved = [s.unit for s in sources] + existing
    seats = seats_by_key(day, [u.pk for u in involved])
    kinds = [k for k in KIND_ORDER if any(key[1] == k for key in seats)] or [QuotaKind.ADMINISTRATIVE]
    people = _people_in(involved)

    def figures(unit: Unit) -> UnitFigures:
        f = UnitFigures(unit.name, unit)
        f.quotas = {k: seats[(unit.pk, k)].approved for k in kinds if (unit.pk, k) in seats}
        f.people = sum(1 for p in people if p.work_unit_id == unit.pk)
        return f

    before = [figures(u) for u in involved]
    after = {t.pk: UnitFigures(t.name, t.unit, target=t) for t in targets}
    for t in targets:
        if t.unit_id:
            after[t.pk].quotas = dict(figures(t.unit).quotas)
    for s in sources:
        if s.target_id:
            for k, n in figures(s.unit).quotas.items():
                after[s.target_id].quotas[k] = after[s.target_id].quota(k) + n
    for adj in plan.adjustments.all():
        after[adj.target_id].quotas[adj.kind] = after[adj.target_id].quota(adj.kind) + adj.delta
    for t in targets:
        for kind, limit in ((QuotaKind.LEADER_CHIEF, t.leader_chief), (QuotaKind.LEADER_DEPUTY, t.leader_deputy)):
            if limit is not None:
                after[t.pk].quotas[kind] = limit
                if kind not in kinds:
                    kinds.append(kind)
    dest = destinations(plan)
    existing_ids = {u.pk: t.pk for t, u in ((t, t.unit) for t in targets if t.unit_id)}
    for p in people:
        target = dest.get(p.pk)
        if target is not None:
            after[target.pk].people += 1
            if p.leader_rank:
                after[target.pk].leaders[p.leader_rank] = after[target.pk].leaders.get(p.leader_rank, 0) + 1
        elif p.work_unit_id in existing_ids:
            after[existing_ids[p.work_unit_id]].people += 1
    return Preview(before, list(after.values()), kinds)


def snapshot(preview: Preview) -> dict:
    """The preview as plain data, kept on the plan when it is executed (the units change afterwards)."""

    def rows(side):
        return [{"name": r.name, "quotas": r.quotas, "people": r.people} for r in side]

    return {"kinds": list(preview.kinds), "before": rows(preview.before), "after": rows(preview.after)}


def validate_plan(plan: ReorgPlan) -> list[str]:
    """Everything that stops the plan from being approved or executed, one Chinese sentence each."""
    errors: list[str] = []
    sources = list(plan.sources.select_related("unit", "target"))
    targets = list(plan.targets.select_related("unit", "parent"))
    if not sources:
        errors.append("方案中还没有原单位。")
    if not targets:
        errors.append("方案中还没有改革后单位。")
    source_ids = {s.unit_id for s in sources}
    for s in sources:
        if s.target_id is None:
            errors.append(f"原单位“{s.unit.name}”未指定并入的改革后单位。")
        if s.unit.status != UnitStatus.ACTIVE:
            errors.append(f"原单位“{s.unit.name}”{s.unit.get_status_display()}。")
        for child in s.unit.children.filter(status=UnitStatus.ACTIVE).exclude(pk__in=source_ids):
            errors.append(f"原单位“{s.unit.name}”还有下级单位“{child.name}”未纳入方案。")
    for t in targets:
        if t.unit_id is None:
            if t.parent_id is None:
                errors.append(f"新设单位“{t.name}”未指定上级单位。")
            clash = Unit.objects.active().filter(name=t.name).exclude(pk__in=source_ids).first()
            if clash:
                errors.append(f"新设单位“{t.name}”与现有单位重名（{clash.region.name}）。")
        elif t.unit.status != UnitStatus.ACTIVE:
            errors.append(f"改革后单位“{t.name}”{t.unit.get_status_display()}。")
        if not t.sources.exists() and t.unit_id is None:
            errors.append(f"新设单位“{t.name}”没有并入任何原单位。")
    dest = destinations(plan)
    unplaced = [pid for pid, target in dest.items() if target is None]
    if unplaced:
        names = "、".join(Person.objects.filter(pk__in=unplaced[:5]).values_list("name", flat=True))
        errors.append(f"有{len(unplaced)}人未确定转隶单位（{names}等）。")
    transfer_sum: dict[str, int] = defaultdict(int)
    for adj in plan.adjustments.all():
        if adj.reason == PlanAdjustment.Reason.TRANSFER:
            transfer_sum[adj.kind] += adj.delta
        elif not adj.document_no:
            errors.append(f"“{adj.target.name}”{adj.get_kind_display()}核减{-adj.delta}名未填写批准文号。")
    for kind, total in transfer_sum.items():
        if total:
            errors.append(
                f"{QuotaKind(kind).label}方案内调剂合计应为0（在保持原有人员编制数不变的前提下），当前为{total:+d}名；"
                "如需减少编制请按“核减”录入并填写文号。"
            )
    if not errors:
        preview = preview_plan(plan)
        occupied = _occupied_after(plan, dest)
        for row in preview.after:
            for kind in QuotaKind:
                approved = row.quota(kind)
                people = occupied.get((row.target.pk, kind), 0)
                if kind in (QuotaKind.LEADER_CHIEF, QuotaKind.LEADER_DEPUTY):
                    limit = row.target.leader_chief if kind == QuotaKind.LEADER_CHIEF else row.target.leader_deputy
                    approved = approved if limit is None else limit
                    rank = "chief" if kind == QuotaKind.LEADER_CHIEF else "deputy"
                    people = row.leaders.get(rank, 0) + _existing_leaders(row.target, rank)
                    if people > approved and (limit is not None or approved):
                        errors.append(f"“{row.name}”{kind.label}{approved}名，转入后有{people}人，超出职数。")
                elif people > approved:
                    errors.append(
                        f"“{row.name}”实施后{kind.label}核定{approved}名、实有{people}人，将超编{people - approved}名。"
                    )
    return errors


def _existing_leaders(target: PlanTarget, rank: str) -> int:
    if not target.unit_id:
        return 0
    return Person.objects.active().filter(quota_unit=target.unit, leader_rank=rank).count()


def _occupied_after(plan: ReorgPlan, dest: dict[int, PlanTarget | None]) -> dict[tuple[int, str], int]:
    out: dict[tuple[int, str], int] = defaultdict(int)
    # Only seats held in a source unit move; a person working there on another unit's quota keeps that seat.
    source_units = plan.sources.values("unit")
    open_seats = (
        Placement.objects.open()
        .filter(person_id__in=list(dest), unit__in=source_units)
        .values_list("person_id", "kind")
    )
    for person_id, kind in open_seats:
        target = dest.get(person_id)
        if target is not None:
            out[(target.pk, kind)] += 1
    for t in plan.targets.filter(unit__isnull=False):
        staying = Placement.objects.open().filter(unit=t.unit).exclude(person_id__in=list(dest))
        for row in staying.values("kind").annotate(n=Count("id")):
            out[(t.pk, row["kind"])] += row["n"]
    return out


# ---- lifecycle ----------------------------------------------------------------------------------


@transaction.atomic
def set_plan_status(plan: ReorgPlan, to: str, *, note: str = "", by) -> ReorgPlan:
    """The only writer of a plan's status; refuses transitions the table does not allow."""
    plan = ReorgPlan.objects.select_for_update().get(pk=plan.pk)
    if to not in PLAN_TRANSITIONS[plan.status]:
        raise DomainError(f"方案{plan.get_status_display()}，不能改为“{PlanStatus(to).label}”。")
    if to == PlanStatus.EXECUTED:
        raise DomainError("请使用“实施方案”。")
    if to in (PlanStatus.SUBMITTED, PlanStatus.APPROVED):
        errors = validate_plan(plan)
        if errors:
            raise DomainError("方案未通过校验：\n" + "\n".join(errors))
    if to == PlanStatus.APPROVED and not plan.document_no.strip():
        raise DomainError("批准前请填写方案的批准文号。", field="document_no")
    PlanEvent.objects.create(plan=plan, from_status=plan.status, to_status=to, note=note, by=by)
    plan.status = to
    plan.save(update_fields=["status"])
    log_operation(by, f"改革方案{PlanStatus(to).label}", plan, detail=note)
    return plan


@transaction.atomic
def execute_plan(plan: ReorgPlan, *, by) -> ReorgPlan:
    """Carry the approved plan out, all of it or nothing."""
    plan = ReorgPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.APPROVED:
        raise DomainError(f"方案{plan.get_status_display()}，只有已批准的方案才能实施。")
    if plan.effective_on > timezone.localdate():
        raise DomainError(f"方案的实施日期为{plan.effective_on:%Y年%m月%d日}，尚未到期，不能提前实施。")
    errors = validate_plan(plan)
    if errors:
        raise DomainError("方案未通过校验：\n" + "\n".join(errors))
    on, doc = plan.effective_on, plan.document_no
    plan.executed_preview = snapshot(preview_plan(plan))
    dest = destinations(plan)
    targets = list(plan.targets.select_related("unit", "parent"))
    for t in targets:
        if t.unit_id is None:
            t.created_unit = org_actions.create_unit(
                by=by,
                name=t.name,
                kind=t.kind or UnitKind.COMBINED,
                region=t.parent.region,
                parent=t.parent,
                established_on=on,
                document_no=doc,
            )
            t.save(update_fields=["created_unit"])
    final = {t.pk: t.final_unit for t in targets}
    sources = list(plan.sources.select_related("unit", "target"))
    source_ids = {s.unit_id for s in sources}
    # People first: each to their destination, seat and work unit.
    overridden = set(plan.person_overrides.values_list("person_id", flat=True))
    # Which source each person leaves (their work unit, else their quota unit), for the units' history.
    origins = {
        p.pk: (p.work_unit_id if p.work_unit_id in source_ids else p.quota_unit_id)
        for p in Person.objects.filter(pk__in=list(dest)).only("pk", "work_unit_id", "quota_unit_id")
    }
    for person in Person.objects.filter(pk__in=list(dest)):
        into = final[dest[person.pk].pk]
        seat = Placement.objects.select_for_update().filter(person=person, end_on__isnull=True).first()
        if seat and seat.unit_id in source_ids and seat.unit_id != into.pk:
            actions.move_placement(seat, into, on=on, document_no=doc, by=by, plan=plan)
        if person.work_unit_id in source_ids or person.pk in overridden:
            Person.objects.filter(pk=person.pk).update(work_unit=into, updated_at=timezone.now())
    # Quotas: every source's balances go to its target (改革划转), then the plan's own adjustments.
    for s in sources:
        actions.carry_over(s.unit, final[s.target_id], on=on, document_no=doc, by=by, plan=plan, people=[])
    for adj in plan.adjustments.select_related("target"):
        account = actions.get_account(final[adj.target_id], adj.kind)
        reason = EntryReason.DECREASE if adj.reason == PlanAdjustment.Reason.DECREASE else EntryReason.REFORM
        QuotaEntry.objects.create(
            account=account,
            delta=adj.delta,
            on=on,
            reason=reason,
            document_no=adj.document_no or doc,
            plan=plan,
            by=by,
            note="方案内调剂" if reason == EntryReason.REFORM else "方案核减",
        )
    for t in targets:
        for kind, limit in ((QuotaKind.LEADER_CHIEF, t.leader_chief), (QuotaKind.LEADER_DEPUTY, t.leader_deputy)):
            if limit is None:
                continue
            account = actions.get_account(final[t.pk], kind)
            current = sum(account.entries.filter(on__lte=on).values_list("delta", flat=True))
            if limit != current:
                QuotaEntry.objects.create(
                    account=account,
                    delta=limit - current,
                    on=on,
                    reason=EntryReason.APPROVE,
                    document_no=doc,
                    plan=plan,
                    by=by,
                    note="方案核定领导职数",
                )
    # Units: plaques kept, sources marked 已合并 into their targets (posts go with them).
    for s in sources:
        into = final[s.target_id]
        for plaque in Plaque.objects.filter(unit=s.unit, removed_on__isnull=True):
            org_actions.remove_plaque(plaque, on=on, document_no=doc, by=by)
            if not into.plaques.filter(name=plaque.name, removed_on__isnull=True).exists():
                org_actions.add_plaque(into, name=plaque.name, document_no=doc, since=on, by=by)
        if s.keep_name_as_plaque and not into.plaques.filter(name=s.unit.name, removed_on__isnull=True).exists():
            org_actions.add_plaque(into, name=s.unit.name, document_no=doc, since=on, by=by)
    moved_from: dict[int, int] = defaultdict(int)
    for person in Person.objects.filter(pk__in=list(dest)).only("pk"):
        origin = origins.get(person.pk)
        if origin:
            moved_from[origin] += 1
    for s in sorted(sources, key=lambda s: -len(s.unit.path)):  # children before parents
        org_actions.merge_unit(
            Unit.objects.get(pk=s.unit_id),
            into=final[s.target_id],
            on=on,
            document_no=doc,
            by=by,
            carry_staffing=False,
            moved_people=moved_from.get(s.unit_id, 0),
        )
    PlanEvent.objects.create(plan=plan, from_status=plan.status, to_status=PlanStatus.EXECUTED, by=by, note="实施方案")
    plan.status, plan.executed_at = PlanStatus.EXECUTED, timezone.now()
    plan.save(update_fields=["status", "executed_at", "executed_preview"])
    log_operation(by, "实施改革方案", plan, detail=f"{len(sources)}个原单位并入{len(targets)}个单位")
    return plan
