"""Import of an existing 编制台账 and 花名册 from Excel, all or nothing; templates and the report export.

Every row of both sheets is checked before anything is written, and the checks and the writes run in
one transaction, so one bad row leaves the platform exactly as it was. Each problem is reported once,
with its sheet, Excel row number and column, in the users' words.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiceng.accounts.audit import log_operation
from jiceng.lib.errors import DomainError
from jiceng.lib.importing import ImportResult, RowError
from jiceng.lib.importing import Rollback as _Rollback
from jiceng.lib.importing import cell_text as _text
from jiceng.lib.importing import whole_number as _count
from jiceng.lib.validators import IdNumber, parse_id_number
from jiceng.orgs import actions as org_actions
from jiceng.orgs.models import Person, Region, StaffingKind, Unit, UnitKind

from . import actions
from .excel_reading import (
    BATCH,
    LEDGER,
    LEDGER_COLUMNS,
    LEDGER_NOTE,
    QUOTA_KINDS,
    QUOTA_KINDS_TEXT,
    ROSTER,
    ROSTER_COLUMNS,
    ROSTER_DOCUMENT,
    STAFFING_KINDS,
    STAFFING_KINDS_TEXT,
    UNIT_KINDS,
    UNIT_KINDS_TEXT,
    Progress,
    Rows,
    _check_rows,
    _date,
    _fold,
    _read_sheet,
    _status,
)
from .models import QUOTA_OF_STAFFING, EntryKind, EntryReason, Placement, QuotaKind
from .seats import Key, approved_by_key, seats_by_key

__all__ = ["ImportResult", "RowError", "import_staffing"]


def import_staffing(*, ledger=None, roster=None, dry_run: bool, by, progress: Progress | None = None) -> ImportResult:
    """Check and import a 编制台账 and/or a 花名册 (paths or uploaded files): the ledger first, then the roster.

    Nothing is written when any row has an error, or with `dry_run` (the counts are still those of a real run).
    """
    result = ImportResult()
    report = progress or (lambda done, total, stage: None)
    if ledger is None and roster is None:
        result.errors.append(RowError("导入", None, "", "请提供编制台账或花名册文件"))
        return result
    today = timezone.localdate()
    by = by if getattr(by, "pk", None) else None
    # Parsing the files touches no table, so it is done before the transaction takes SQLite's write lock.
    ledger_rows = _read_sheet(ledger, LEDGER, LEDGER_COLUMNS, result.errors, report) if ledger is not None else None
    roster_rows = _read_sheet(roster, ROSTER, ROSTER_COLUMNS, result.errors, report) if roster is not None else None
    try:
        with transaction.atomic():
            ledger_check = _LedgerCheck(result, today)
            if ledger_rows is not None:
                ledger_check.check_all(ledger_rows, report)
            roster_check = _RosterCheck(result, today, ledger_check.planned)
            if roster_rows is not None:
                roster_check.check_all(roster_rows, report)
            if result.errors:
                raise _Rollback
            touched = _apply_ledger(ledger_check, result, today, by) if ledger_rows is not None else {}
            if result.errors:
                raise _Rollback
            seated = _apply_roster(roster_check.rows, result, by, report) if roster_rows is not None else set()
            if result.errors:
                raise _Rollback
            _warn_overstaffing(result, touched, seated, today)
            if dry_run:
                raise _Rollback
    except _Rollback:
        return result
    result.committed = True
    return result


@dataclass
class _NewUnit:
    """A unit the ledger names that the platform does not have yet: created when the import is applied."""

    name: str
    region: Region
    kind: str
    parent: Unit
    row: int
    document_no: str
    unit: Unit | None = None

    @property
    def region_id(self) -> int:
        return self.region.pk


@dataclass
class _LedgerRow:
    row: int
    unit: Unit | _NewUnit
    kind: str
    amount: int
    document_no: str


class _LedgerCheck:
    def __init__(self, result: ImportResult, today: date):
        self.result, self.today = result, today
        self.rows: list[_LedgerRow] = []
        self.planned: dict[tuple[int, str], _NewUnit] = {}
        self.regions = list(Region.objects.all())
        self.region_by_code = {r.code: r for r in self.regions}
        self.regions_by_name: dict[str, list[Region]] = defaultdict(list)
        self.children: dict[int, list[int]] = defaultdict(list)
        for r in self.regions:
            self.regions_by_name[r.name].append(r)
            self.children[r.parent_id].append(r.pk)
        self.subtrees: dict[int, set[int]] = {}
        self.units_by_name: dict[str, list[Unit]] = defaultdict(list)
        self.leadership: dict[int, Unit] = {}
        for unit in Unit.objects.order_by("sort", "id"):
            self.units_by_name[unit.name].append(unit)
            if unit.is_active and unit.kind == UnitKind.LEADERSHIP:
                self.leadership.setdefault(unit.region_id, unit)
        self.seen: dict[tuple, int] = {}
        self.kind_warned: set[int] = set()

    def check_all(self, rows: Rows, progress: Progress) -> None:
        _check_rows(rows, self.check, f"检查{LEDGER}", progress)
        self.result.counts.update({"台账行数": len(rows), "新建单位": 0, "核定记录": 0})

    def subtree(self, region: Region) -> set[int]:
        if region.pk not in self.subtrees:
            out, stack = set(), [region.pk]
            while stack:
                pk = stack.pop()
                out.add(pk)
                stack.extend(self.children[pk])
            self.subtrees[region.pk] = out
        return self.subtrees[region.pk]

    def check(self, number: int, cells: dict) -> None:
        errors_before = len(self.result.errors)

        def error(column: str, message: str) -> None:
            self.result.errors.append(RowError(LEDGER, number, column, message))

        name = _text(cells["单位名称"])
        if not name:
            error("单位名称", "请填写单位名称")
        elif len(name) > 100:
            error("单位名称", f"单位名称不能超过100字，当前为{len(name)}字")
        region = self.region(_text(cells["所属区划"]), error)
        unit_kind_text = _text(cells["单位类型"])
        unit_kind = UNIT_KINDS.get(_fold(unit_kind_text))
        if not unit_kind_text:
            error("单位类型", "请填写单位类型")
        elif unit_kind is None:
            error("单位类型", f"单位类型“{unit_kind_text}”不正确，应为：{UNIT_KINDS_TEXT}")
        kind_text = _text(cells["编制类型"])
        kind = QUOTA_KINDS.get(_fold(kind_text))
        if not kind_text:
            error("编制类型", "请填写编制类型")
        elif kind is None:
            error("编制类型", f"编制类型“{kind_text}”不正确，应为：{QUOTA_KINDS_TEXT}")
        amount = _count(cells["核定数"])
        if not _text(cells["核定数"]):
            error("核定数", "请填写核定数")
        elif amount is None:
            error("核定数", f"核定数应为不小于0的整数，填写的是“{_text(cells['核定数'])}”")
        document_no = _text(cells["文号"])
        if not document_no:
            error("文号", "请填写文号")
        elif len(document_no) > 100:
            error("文号", f"文号不能超过100字，当前为{len(document_no)}字")
        unit = self.unit(number, name, region, unit_kind, document_no, error) if name and region and unit_kind else None
        if unit is None or kind is None:
            return
        key = (("new", unit.region_id, unit.name) if isinstance(unit, _NewUnit) else ("unit", unit.pk), kind)
        if key in self.seen:
            error("编制类型", f"与第{self.seen[key]}行重复：同一单位的{QuotaKind(kind).label}只能有一行")
            return
        self.seen[key] = number
        if len(self.result.errors) == errors_before:
            self.rows.append(_LedgerRow(number, unit, kind, amount, document_no))

    def region(self, text: str, error) -> Region | None:
        if not text:
            error("所属区划", "请填写所属区划（区划名称或12位区划代码）")
            return None
        if re.fullmatch(r"\d{12}", text):
            region = self.region_by_code.get(text)
            if region is None:
                error("所属区划", f"找不到区划代码“{text}”")
            return region
        found = self.regions_by_name.get(text, [])
        if len(found) > 1:
            codes = "、".join(r.code for r in found)
            error("所属区划", f"有{len(found)}个区划名为“{text}”（{codes}），请改填12位区划代码")
            return None
        if not found:
            error("所属区划", f"找不到区划“{text}”，请填写平台中的区划名称或12位区划代码")
            return None
        return found[0]

    def unit(
        self, number: int, name: str, region: Region, kind: str, document_no: str, error
    ) -> Unit | _NewUnit | None:
        """The unit of that name in the region or under it; a new one is planned when there is none."""
        within = self.subtree(region)
        candidates = [u for u in self.units_by_name.get(name, []) if u.region_id in within]
        active = [u for u in candidates if u.is_active]
        planned = [u for u in self.planned.values() if u.name == name and u.region_id in within]
        if len(active) + len(planned) > 1:
            error(
                "单位名称",
                f"区划“{region.name}”下有{len(active) + len(planned)}个名为“{name}”的单位，"
                "请先在平台中修改名称使其唯一",
            )
            return None
        if active:
            unit = active[0]
            if unit.kind != kind and unit.pk not in self.kind_warned:
                self.kind_warned.add(unit.pk)
                self.result.warnings.append(
                    RowError(
                        LEDGER,
                        number,
                        "单位类型",
                        f"“{name}”在平台中的单位类型为“{unit.get_kind_display()}”，与填写的“{UnitKind(kind).label}”不同，未修改单位类型",
                    )
                )
            return unit
        if planned:
            if planned[0].kind != kind:
                error("单位类型", f"与第{planned[0].row}行同一新建单位的单位类型不一致")
                return None
            return planned[0]
        if candidates:
            error("单位名称", f"单位“{name}”{_status(candidates[0])}，不能再核定编制")
            return None
        parent = self.leadership.get(region.pk)
        if parent is None:
            error("所属区划", f"所属区划“{region.name}”下没有党委政府单位，无法新建单位，请先在平台中建立")
            return None
        new = _NewUnit(name, region, kind, parent, number, document_no)
        self.planned[(region.pk, name)] = new
        return new


def _apply_ledger(check: _LedgerCheck, result: ImportResult, today: date, by) -> dict[Key, int]:
    """Create the planned units, then bring each balance to its 核定数. Returns (unit, kind) → ledger row."""
    for new in check.planned.values():
        try:
            new.unit = org_actions.create_unit(
                by=by,
                name=new.name,
                kind=new.kind,
                region=new.region,
                parent=new.parent,
                document_no=new.document_no,
                on=today,
            )
        except (ValidationError, DomainError) as e:
            message = e.message if isinstance(e, DomainError) else "；".join(e.messages)
            result.errors.append(RowError(LEDGER, new.row, "单位名称", f"无法新建单位：{message}"))
    if result.errors:
        return {}
    units = {row.row: row.unit.unit if isinstance(row.unit, _NewUnit) else row.unit for row in check.rows}
    balances = approved_by_key(today, [u.pk for u in units.values()])
    touched: dict[Key, int] = {}
    entries = 0
    for row in check.rows:
        unit = units[row.row]
        touched[(unit.pk, row.kind)] = row.row
        delta = row.amount - balances.get((unit.pk, row.kind), 0)
        if delta == 0:
            continue
        try:
            actions.record_entry(
                actions.get_account(unit, row.kind),
                delta=delta,
                reason=EntryReason.APPROVE,
                on=today,
                document_no=row.document_no,
                note=LEDGER_NOTE,
                # The ledger records what was approved; fewer seats than people is a fact, warned about below.
                allow_overstaffing=True,
                by=by,
            )
        except DomainError as e:
            result.errors.append(RowError(LEDGER, row.row, "核定数", e.message))
            continue
        entries += 1
    result.counts["新建单位"] = len(check.planned)
    result.counts["核定记录"] = entries
    log_operation(
        by, "导入编制台账", f"{len(check.rows)}行", detail=f"新建单位{len(check.planned)}个，核定记录{entries}条"
    )
    return touched


@dataclass
class _RosterRow:
    row: int
    name: str
    id_number: IdNumber
    staffing_kind: str
    quota_unit: Unit | _NewUnit | None
    work_unit: Unit | _NewUnit
    start_on: date | None


class _RosterCheck:
    def __init__(self, result: ImportResult, today: date, planned: dict[tuple[int, str], _NewUnit]):
        self.result, self.today = result, today
        self.rows: list[_RosterRow] = []
        self.units: dict[str, list[Unit | _NewUnit]] = defaultdict(list)
        self.ended: dict[str, Unit] = {}
        for unit in Unit.objects.only("pk", "name", "status"):
            if unit.is_active:
                self.units[unit.name].append(unit)
            else:
                self.ended[unit.name] = unit
        for new in planned.values():
            self.units[new.name].append(new)
        self.existing = {
            number: (unit, active)
            for number, unit, active in Person.objects.values_list("id_number", "work_unit__name", "active")
        }
        self.seen: dict[str, int] = {}

    def check_all(self, rows: Rows, progress: Progress) -> None:
        _check_rows(rows, self.check, f"检查{ROSTER}", progress)
        self.result.counts.update({"花名册行数": len(rows), "新增人员": 0, "在编记录": 0})

    def check(self, number: int, cells: dict) -> None:
        errors_before = len(self.result.errors)

        def error(column: str, message: str) -> None:
            self.result.errors.append(RowError(ROSTER, number, column, message))

        name = _text(cells["姓名"])
        if not name:
            error("姓名", "请填写姓名")
        elif len(name) > 50:
            error("姓名", f"姓名不能超过50字，当前为{len(name)}字")
        id_number = self.id_number(number, cells["身份证号"], error)
        kind_text = _text(cells["编制类型"])
        kind = STAFFING_KINDS.get(_fold(kind_text))
        if not kind_text:
            error("编制类型", "请填写编制类型")
        elif kind is None:
            error("编制类型", f"编制类型“{kind_text}”不正确，应为：{STAFFING_KINDS_TEXT}")
        quota_name = _text(cells["编制所在单位"])
        quota_unit = start_on = None
        if kind == StaffingKind.CONTRACT and quota_name:
            error("编制所在单位", "编外聘用人员不占编制，编制所在单位应为空")
        elif kind and kind != StaffingKind.CONTRACT:
            if quota_name:
                quota_unit = self.unit(quota_name, "编制所在单位", error)
            else:
                error("编制所在单位", "在编人员须填写编制所在单位")
            start_on = self.start_on(cells["进编日期"], id_number, error)
        work_name = _text(cells["工作单位"])
        work_unit = None
        if work_name:
            work_unit = self.unit(work_name, "工作单位", error)
        else:
            error("工作单位", "请填写工作单位")
        if len(self.result.errors) == errors_before:
            self.rows.append(_RosterRow(number, name, id_number, kind, quota_unit, work_unit, start_on))

    def id_number(self, number: int, raw, error) -> IdNumber | None:
        if isinstance(raw, float):
            error("身份证号", "身份证号被Excel存成了数字，后几位可能已经丢失。请把该列设为文本格式后重新填写号码")
            return None
        try:
            parsed = parse_id_number(_text(raw), today=self.today)
        except ValidationError as e:
            error("身份证号", e.messages[0])
            return None
        if parsed.value in self.seen:
            error("身份证号", f"与第{self.seen[parsed.value]}行重复")
            return None
        self.seen[parsed.value] = number
        if parsed.value in self.existing:
            unit, active = self.existing[parsed.value]
            where = f"现在{unit}" if active else f"原在{unit}，已不在职"
            error("身份证号", f"该身份证号已登记（{where}），不能重复导入")
            return None
        return parsed

    def unit(self, name: str, column: str, error) -> Unit | _NewUnit | None:
        found = self.units.get(name, [])
        if len(found) == 1:
            return found[0]
        if found:
            error(column, f"有{len(found)}个在用单位名为“{name}”，无法确定是哪一个，请先在平台中修改名称使其唯一")
        elif name in self.ended:
            error(column, f"单位“{name}”{_status(self.ended[name])}，请填写现在的单位")
        else:
            error(column, f"找不到单位“{name}”")
        return None

    def start_on(self, raw, id_number: IdNumber | None, error) -> date | None:
        if not _text(raw):
            error("进编日期", "在编人员须填写进编日期")
            return None
        try:
            day = _date(raw)
        except ValueError as e:
            error("进编日期", f"进编日期{e}")
            return None
        if day > self.today:
            error("进编日期", f"进编日期{day:%Y-%m-%d}晚于今天，不能填写将来的日期")
            return None
        if id_number and day < id_number.birth_date:
            error("进编日期", f"进编日期{day:%Y-%m-%d}早于出生日期{id_number.birth_date:%Y-%m-%d}")
            return None
        return day


def _unit_id(ref: Unit | _NewUnit | None) -> int | None:
    if ref is None:
        return None
    return ref.unit.pk if isinstance(ref, _NewUnit) else ref.pk


def _apply_roster(rows: list[_RosterRow], result: ImportResult, by, progress: Progress) -> set[Key]:
    """Write every person and seat in a few bulk inserts. Returns the (unit, kind) keys that gained people."""
    people = [
        Person(
            name=r.name,
            id_number=r.id_number.value,
            sex=r.id_number.sex,
            birth_date=r.id_number.birth_date,
            staffing_kind=r.staffing_kind,
            quota_unit_id=_unit_id(r.quota_unit),
            work_unit_id=_unit_id(r.work_unit),
            active=True,
        )
        for r in rows
    ]
    total = len(people)
    try:
        for start in range(0, total, BATCH):
            Person.objects.bulk_create(people[start : start + BATCH])
            progress(min(start + BATCH, total), total, "写入人员")
    except IntegrityError:
        result.errors.append(RowError(ROSTER, None, "身份证号", "导入期间有身份证号已被他人登记，请重新导入"))
        return set()
    if people and people[0].pk is None:  # databases that do not return the new keys
        ids = dict(Person.objects.filter(id_number__in=[p.id_number for p in people]).values_list("id_number", "pk"))
        for p in people:
            p.pk = ids[p.id_number]
    placements = [
        Placement(
            person=person,
            unit_id=person.quota_unit_id,
            kind=QUOTA_OF_STAFFING[person.staffing_kind],
            start_on=r.start_on,
            entry_kind=EntryKind.INITIAL,
            document_no=ROSTER_DOCUMENT,
            by=by,
        )
        for person, r in zip(people, rows, strict=True)
        if person.staffing_kind in QUOTA_OF_STAFFING
    ]
    for start in range(0, len(placements), BATCH):
        Placement.objects.bulk_create(placements[start : start + BATCH])
        progress(min(start + BATCH, len(placements)), len(placements), "写入在编记录")
    result.counts["新增人员"] = total
    result.counts["在编记录"] = len(placements)
    log_operation(
        by, "导入花名册", f"{total}人", detail=f"在编{len(placements)}人，编外聘用{total - len(placements)}人"
    )
    return {(p.unit_id, p.kind) for p in placements}


def _warn_overstaffing(result: ImportResult, ledger_rows: dict[Key, int], seated: set[Key], today: date) -> None:
    """One warning per unit and kind the import touched that ends up with more people than seats."""
    keys = set(ledger_rows) | seated
    if not keys:
        return
    unit_ids = {k[0] for k in keys}
    seats = seats_by_key(today, list(unit_ids))
    names = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    for key in sorted(keys, key=lambda k: (k not in ledger_rows, ledger_rows.get(k, 0), names[k[0]], k[1])):
        s = seats.get(key)
        if s is None or s.over == 0:
            continue
        message = (
            f"{names[key[0]]}{QuotaKind(key[1]).label}核定{s.approved}名，实有{s.occupied}人，导入后超编{s.over}名"
        )
        if key in ledger_rows:
            result.warnings.append(RowError(LEDGER, ledger_rows[key], "核定数", message))
        else:
            result.warnings.append(RowError(ROSTER, None, "编制所在单位", message))
