"""Every change to regions, units, people, posts and absences goes through these functions."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiceng.accounts.audit import log_operation
from jiceng.lib.errors import DomainError

from .models import (
    MAX_B_HOLDERS,
    PATH_DIGITS,
    Absence,
    Person,
    Plaque,
    Post,
    PostHolder,
    Unit,
    UnitEvent,
    UnitStatus,
)

UNIT_FIELDS = ("name", "short_name", "kind", "region", "parent", "credit_code", "established_on", "duties", "sort")
PERSON_FIELDS = (
    "name",
    "id_number",
    "phone",
    "staffing_kind",
    "quota_unit",
    "work_unit",
    "position",
    "leader_rank",
    "active",
)


def _labels(model, fields) -> str:
    """修改了哪些字段, in the users' words; bookkeeping fields are left out."""
    return "、".join(
        str(model._meta.get_field(f).verbose_name) for f in fields if f not in ("updated_at", "sex", "birth_date")
    )


def _full_clean(obj, exclude=None) -> None:
    """Run model validation; the form or serializer shows the messages per field."""
    obj.full_clean(exclude=exclude)


def _set_path(unit: Unit) -> None:
    unit.path = f"{unit.parent.path if unit.parent_id else '/'}{unit.pk:0{PATH_DIGITS}d}/"


def _require_active(unit: Unit, what: str) -> None:
    if not unit.is_active:
        raise DomainError(f"“{unit.name}”{unit.get_status_display()}，不能再{what}。")


def _check_parent(unit: Unit, parent: Unit | None) -> None:
    if parent is None:
        return
    if unit.pk and (parent.pk == unit.pk or parent.path.startswith(unit.path)):
        raise DomainError("上级单位不能是本单位或其下级单位。", field="parent")
    if not parent.is_active:
        raise DomainError(f"上级单位“{parent.name}”{parent.get_status_display()}，不能再设下级。", field="parent")


@transaction.atomic
def create_unit(*, by, document_no: str = "", on: date | None = None, **fields) -> Unit:
    unit = Unit(**{k: v for k, v in fields.items() if k in UNIT_FIELDS})
    unit.credit_code = unit.credit_code or None
    _check_parent(unit, unit.parent)
    _full_clean(unit, exclude=["path"])
    unit.save()
    _set_path(unit)
    unit.save(update_fields=["path"])
    UnitEvent.objects.create(
        unit=unit,
        kind=UnitEvent.Kind.ESTABLISHED,
        on=on or unit.established_on or timezone.localdate(),
        document_no=document_no,
        by=by if getattr(by, "pk", None) else None,
        note=f"设立，类型：{unit.get_kind_display()}",
    )
    log_operation(by, "新增单位", unit)
    return unit


@transaction.atomic
def update_unit(unit: Unit, *, by, document_no: str = "", **fields) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _require_active(unit, "修改")
    old = {k: getattr(unit, k) for k in UNIT_FIELDS}
    for k, v in fields.items():
        if k in UNIT_FIELDS:
            setattr(unit, k, v)
    unit.credit_code = unit.credit_code or None
    if unit.parent_id != (old["parent"].pk if old["parent"] else None):
        _check_parent(unit, unit.parent)
    _full_clean(unit, exclude=["path"])
    changed = [k for k in UNIT_FIELDS if getattr(unit, k) != old[k]]
    if not changed:
        return unit
    unit.save(update_fields=changed)
    today = timezone.localdate()
    if "parent" in changed:
        old_path = unit.path
        _set_path(unit)
        unit.save(update_fields=["path"])
        for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
            child.path = unit.path + child.path[len(old_path) :]
            child.save(update_fields=["path"])
        UnitEvent.objects.create(
            unit=unit,
            kind=UnitEvent.Kind.MOVED,
            on=today,
            document_no=document_no,
            by=by,
            related_unit=unit.parent,
            note=f"隶属由“{old['parent'] or '无'}”调整为“{unit.parent or '无'}”",
        )
    if "name" in changed:
        UnitEvent.objects.create(
            unit=unit,
            kind=UnitEvent.Kind.RENAMED,
            on=today,
            document_no=document_no,
            by=by,
            note=f"由“{old['name']}”更名为“{unit.name}”",
        )
    others = [k for k in changed if k not in ("name", "parent")]
    if others:
        UnitEvent.objects.create(
            unit=unit,
            kind=UnitEvent.Kind.UPDATED,
            on=today,
            document_no=document_no,
            by=by,
            note=f"修改：{_labels(Unit, others)}",
        )
    log_operation(by, "修改单位", unit, detail=_labels(Unit, changed))
    return unit


@transaction.atomic
def add_plaque(unit: Unit, *, name: str, document_no: str = "", since: date | None = None, by) -> Plaque:
    _require_active(unit, "加挂牌子")
    name = name.strip()
    if not name:
        raise DomainError("请填写牌子名称。", field="name")
    if unit.plaques.filter(name=name, removed_on__isnull=True).exists():
        raise DomainError(f"“{unit.name}”已加挂“{name}”。", field="name")
    since = since or timezone.localdate()
    plaque = Plaque.objects.create(unit=unit, name=name, document_no=document_no, since=since)
    UnitEvent.objects.create(
        unit=unit, kind=UnitEvent.Kind.PLAQUE_ADDED, on=since, document_no=document_no, by=by, note=f"加挂“{name}”牌子"
    )
    log_operation(by, "加挂牌子", unit, detail=name)
    return plaque


@transaction.atomic
def remove_plaque(plaque: Plaque, *, on: date | None = None, document_no: str = "", by) -> Plaque:
    if plaque.removed_on:
        raise DomainError(f"“{plaque.name}”已于{plaque.removed_on}摘牌。")
    plaque.removed_on = on or timezone.localdate()
    plaque.save(update_fields=["removed_on"])
    UnitEvent.objects.create(
        unit=plaque.unit,
        kind=UnitEvent.Kind.PLAQUE_REMOVED,
        on=plaque.removed_on,
        document_no=document_no,
        by=by,
        note=f"摘除“{plaque.name}”牌子",
    )
    log_operation(by, "摘除牌子", plaque.unit, detail=plaque.name)
    return plaque


def _end_unit(unit: Unit, status: str, *, on: date, merged_into: Unit | None) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if not unit.is_active:
        raise DomainError(f"“{unit.name}”{unit.get_status_display()}。")
    if unit.children.filter(status=UnitStatus.ACTIVE).exists():
        names = "、".join(unit.children.filter(status=UnitStatus.ACTIVE).values_list("name", flat=True)[:5])
        raise DomainError(f"“{unit.name}”还有在用的下级单位（{names}），请先调整或一并处理。")
    if unit.work_people.filter(active=True).exists() or unit.quota_people.filter(active=True).exists():
        if merged_into is None:
            raise DomainError(f"“{unit.name}”还有在职人员，撤销前请先将人员转出。")
    unit.status = status
    unit.ended_on = on
    unit.merged_into = merged_into
    unit.save(update_fields=["status", "ended_on", "merged_into"])
    return unit


@transaction.atomic
def merge_unit(
    unit: Unit,
    *,
    into: Unit,
    on: date,
    document_no: str,
    by,
    move_people: bool = True,
    carry_staffing: bool = True,
    moved_people: int | None = None,
) -> Unit:
    """Mark `unit` 已合并 into `into`; its people and posts move with it unless told otherwise.

    `carry_staffing=False` when a reorganisation plan has already moved the quotas and seats itself;
    it then says in `moved_people` how many people it moved, for the history.
    """
    if into.pk == unit.pk:
        raise DomainError("不能并入本单位。", field="into")
    if not into.is_active:
        raise DomainError(f"“{into.name}”{into.get_status_display()}，不能作为并入单位。", field="into")
    from jiceng.staffing.actions import carry_over  # staffing builds on orgs; the call goes one way only

    unit = _end_unit(unit, UnitStatus.MERGED, on=on, merged_into=into)
    moved = 0
    if move_people:
        if carry_staffing:
            carry_over(unit, into, on=on, document_no=document_no, by=by)
        moved = Person.objects.filter(work_unit=unit).update(work_unit=into)
        Person.objects.filter(quota_unit=unit).update(quota_unit=into)
        for post in unit.posts.all():
            if into.posts.filter(name=post.name).exists():
                post.name = f"{post.name}（原{unit.name}）"
            post.unit = into
            post.save(update_fields=["unit", "name"])
    if moved_people is not None:
        moved = moved_people
    UnitEvent.objects.create(
        unit=unit,
        kind=UnitEvent.Kind.ABSORBED,
        on=on,
        document_no=document_no,
        by=by,
        related_unit=into,
        note=f"并入“{into.name}”，转隶人员{moved}人",
    )
    UnitEvent.objects.create(
        unit=into,
        kind=UnitEvent.Kind.MERGED,
        on=on,
        document_no=document_no,
        by=by,
        related_unit=unit,
        note=f"“{unit.name}”并入本单位，转隶人员{moved}人",
    )
    log_operation(by, "合并单位", unit, detail=f"并入{into.name}，{document_no}")
    return unit


@transaction.atomic
def revoke_unit(unit: Unit, *, on: date, document_no: str, by) -> Unit:
    unit = _end_unit(unit, UnitStatus.REVOKED, on=on, merged_into=None)
    closed = unit.posts.filter(active=True).update(active=False)
    UnitEvent.objects.create(
        unit=unit,
        kind=UnitEvent.Kind.REVOKED,
        on=on,
        document_no=document_no,
        by=by,
        note=f"停用岗位{closed}个" if closed else "",
    )
    log_operation(by, "撤销单位", unit, detail=document_no)
    return unit


STAFFING_FIELDS = {"quota_unit", "staffing_kind", "active"}


def _save_person(person: Person, *, by, action: str, changed: list[str] | None = None) -> Person:
    from jiceng.staffing.actions import sync_placement  # staffing builds on orgs; the call goes one way only

    _full_clean(person)
    try:
        with transaction.atomic():
            person.save(update_fields=changed) if changed is not None else person.save()
            if changed is None or STAFFING_FIELDS & set(changed):
                sync_placement(person, by=by)
    except IntegrityError:
        raise DomainError("该身份证号已登记，请勿重复录入。", field="id_number") from None
    log_operation(by, action, person, detail=_labels(Person, changed or []))
    return person


@transaction.atomic
def create_person(*, by, **fields) -> Person:
    person = Person(**{k: v for k, v in fields.items() if k in PERSON_FIELDS})
    if Person.objects.filter(id_number=(person.id_number or "").strip().upper()).exists():
        raise DomainError("该身份证号已登记，请勿重复录入。", field="id_number")
    return _save_person(person, by=by, action="新增人员")


@transaction.atomic
def update_person(person: Person, *, by, **fields) -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    old = {k: getattr(person, k) for k in PERSON_FIELDS}
    for k, v in fields.items():
        if k in PERSON_FIELDS:
            setattr(person, k, v)
    person.clean()  # normalises the ID number before comparing
    changed = [k for k in PERSON_FIELDS if getattr(person, k) != old[k]]
    if not changed:
        return person
    if "id_number" in changed:
        changed += ["sex", "birth_date"]
    return _save_person(person, by=by, action="修改人员", changed=changed + ["updated_at"])


def reveal_person_pii(person: Person, *, field: str, by) -> str:
    """Return the full 身份证号 or 手机号 of a person and leave a trace of who saw it."""
    labels = {"id_number": "查看完整身份证号", "phone": "查看完整手机号"}
    if field not in labels:
        raise DomainError("只能查看身份证号或手机号。")
    log_operation(by, labels[field], person)
    return getattr(person, field)


@transaction.atomic
def create_post(unit: Unit, *, name: str, duties: str = "", sort: int = 100, takes_cases: bool = False, by) -> Post:
    name = name.strip()
    if not name:
        raise DomainError("请填写岗位名称。", field="name")
    if not unit.is_active:
        raise DomainError(f"“{unit.name}”{unit.get_status_display()}，不能新设岗位。")
    if unit.posts.filter(name=name).exists():
        raise DomainError(f"“{unit.name}”已有“{name}”岗位。", field="name")
    post = Post.objects.create(unit=unit, name=name, duties=duties, sort=sort, takes_cases=takes_cases)
    log_operation(by, "新增岗位", post)
    return post


@transaction.atomic
def update_post(post: Post, *, name: str, duties: str, active: bool = True, takes_cases: bool = False, by) -> Post:
    name = name.strip()
    if not name:
        raise DomainError("请填写岗位名称。", field="name")
    if post.unit.posts.filter(name=name).exclude(pk=post.pk).exists():
        raise DomainError(f"“{post.unit.name}”已有“{name}”岗位。", field="name")
    post.name, post.duties, post.active, post.takes_cases = name, duties, active, takes_cases
    post.save(update_fields=["name", "duties", "active", "takes_cases"])
    log_operation(by, "修改岗位", post)
    return post


@transaction.atomic
def set_post_holders(post: Post, *, a: Person | None, bs: list[Person], by) -> list[PostHolder]:
    """Replace the holders of a post: one A holder and up to two B holders in stand-in order."""
    bs = [b for b in bs if b is not None]
    if len(bs) > MAX_B_HOLDERS:
        raise DomainError(f"B岗最多设置{MAX_B_HOLDERS}人。", field="bs")
    people = ([a] if a else []) + bs
    if len({p.pk for p in people}) != len(people):
        raise DomainError("同一人不能在同一岗位既任A岗又任B岗，或重复担任B岗。", field="bs")
    inactive = [p.name for p in people if not p.active]
    if inactive:
        raise DomainError(f"{'、'.join(inactive)}已不在职，不能设为岗位人员。")
    post = Post.objects.select_for_update().get(pk=post.pk)
    post.holders.all().delete()
    holders = []
    if a:
        holders.append(PostHolder.objects.create(post=post, person=a, role=PostHolder.Role.A, order=1))
    for i, b in enumerate(bs, start=1):
        holders.append(PostHolder.objects.create(post=post, person=b, role=PostHolder.Role.B, order=i))
    desc = f"A岗：{a.name if a else '空缺'}；B岗：{'、'.join(b.name for b in bs) or '无'}"
    log_operation(by, "设置AB岗", post, detail=desc)
    return holders


@transaction.atomic
def record_absence(person: Person, *, kind: str, start_date: date, end_date: date, note: str = "", by) -> Absence:
    absence = Absence(person=person, kind=kind, start_date=start_date, end_date=end_date, note=note, created_by=by)
    try:
        absence.full_clean(exclude=["created_by"])
    except ValidationError:
        raise
    clash = Absence.objects.filter(person=person).overlapping(start_date, end_date).first()
    if clash:
        raise DomainError(f"{person.name}在此期间已有登记：{clash.describe}。", field="start_date")
    absence.save()
    log_operation(by, "登记请假外出", person, detail=f"{absence.get_kind_display()} {start_date}至{end_date}")
    return absence


@transaction.atomic
def cancel_absence(absence: Absence, *, by) -> None:
    log_operation(by, "撤销请假外出", absence.person, detail=str(absence))
    absence.delete()
