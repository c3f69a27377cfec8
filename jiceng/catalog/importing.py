"""Import of the duty catalog (领域, 清单单位, 事项) from three CSV files or one workbook, all or nothing; the export.

The format is that of the shared catalog: areas.csv, units.csv and matters.csv (or the sheets areas,
units and matters of one .xlsx, with the same header row). Every row is checked before anything is
written, and the checks and the writes run in one transaction, so one bad row leaves the catalog
exactly as it was. A matter gets a new version only when its row differs from the version in force on
the effective date, so importing the same files again changes nothing. The export writes the same
three files back from the versions in force on a day.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from openpyxl import load_workbook

from jiceng.accounts.audit import log_operation
from jiceng.lib.errors import DomainError
from jiceng.lib.importing import ImportResult as _SheetImportResult
from jiceng.lib.importing import Rollback as _Rollback
from jiceng.lib.importing import RowError
from jiceng.lib.importing import cell_text as _text
from jiceng.orgs.models import Region, Unit, UnitStatus

from . import actions
from .models import Area, CatalogUnit, Level, ListKind, Matter, MatterVersion, Responsibility, RoleBinding
from .resolve import invalidate

__all__ = ["ImportResult", "RowError", "export_catalog", "import_catalog"]

AREAS, UNITS, MATTERS = "areas", "units", "matters"

COLUMNS = {
    AREAS: ("area_code", "area_name"),
    UNITS: ("unit_code", "unit_name", "level", "kind"),
    MATTERS: (
        "matter_code",
        "area_code",
        "matter_name",
        "list_kind",
        "lead_unit_code",
        "cooperating_unit_codes",
        "township_duty",
        "county_duty",
        "time_limit_days",
        "keywords",
    ),
}

REQUIRED = {
    AREAS: COLUMNS[AREAS],
    UNITS: COLUMNS[UNITS],
    MATTERS: ("matter_code", "area_code", "matter_name", "list_kind", "lead_unit_code"),
}

LABELS = {
    "area_code": "领域代码",
    "area_name": "领域名称",
    "unit_code": "单位代码",
    "unit_name": "单位名称",
    "level": "层级",
    "kind": "单位类别",
    "matter_code": "事项编码",
    "matter_name": "事项名称",
    "list_kind": "清单类别",
    "lead_unit_code": "主体责任单位代码",
    "cooperating_unit_codes": "配合单位代码",
    "township_duty": "乡镇职责",
    "county_duty": "县级部门职责",
    "time_limit_days": "办理时限",
    "keywords": "关键词",
}

MAX_LENGTHS = {
    "area_code": Area._meta.get_field("code").max_length,
    "area_name": Area._meta.get_field("name").max_length,
    "unit_code": CatalogUnit._meta.get_field("code").max_length,
    "unit_name": CatalogUnit._meta.get_field("name").max_length,
    "kind": CatalogUnit._meta.get_field("kind").max_length,
    "matter_code": Matter._meta.get_field("code").max_length,
    "matter_name": MatterVersion._meta.get_field("name").max_length,
    "keywords": MatterVersion._meta.get_field("keywords").max_length,
}

MAX_TIME_LIMIT = 999

LEVELS = {"county": Level.COUNTY, "township": Level.TOWNSHIP} | {k.label: k.value for k in Level}

LIST_KINDS = {k.value: k.value for k in ListKind} | {k.label: k.value for k in ListKind}

LIST_KINDS_TEXT = "、".join(ListKind.values)

# The columns of matters.csv that a version stores as they are; the other version fields are kept from
# the version in force when a row changes.
FILE_FIELDS = ("name", "list_kind", "township_duty", "county_duty", "time_limit_days", "keywords")

# Which column a DomainError from save_matter is about.
COLUMN_OF_FIELD = {
    "name": "matter_name",
    "list_kind": "list_kind",
    "service_type": "list_kind",
    "time_limit_days": "time_limit_days",
    "lead": "lead_unit_code",
    "cooperating": "cooperating_unit_codes",
}

PROGRESS_EVERY = 50

Progress = Callable[[int, int, str], None]

Table = list[tuple[int, dict[str, str]]]  # (row number with the header as row 1, {column: text})


@dataclass
class ImportResult(_SheetImportResult):
    missing_roles: dict[str, list[str]] = field(default_factory=dict)  # township name → role names


@dataclass
class _AreaRow:
    number: int
    code: str
    name: str


@dataclass
class _UnitRow:
    number: int
    code: str
    name: str
    level: str
    kind: str


@dataclass
class _MatterRow:
    number: int
    code: str
    area_code: str
    name: str
    list_kind: str
    lead: str
    cooperating: list[str]
    township_duty: str
    county_duty: str
    time_limit_days: int | None
    keywords: str

    @property
    def cells(self) -> tuple[str, ...]:
        """The row as export_catalog writes it, to tell whether the version in force already says this."""
        return (
            self.code,
            self.area_code,
            self.name,
            self.list_kind,
            self.lead,
            ";".join(self.cooperating),
            self.township_duty,
            self.county_duty,
            "" if self.time_limit_days is None else str(self.time_limit_days),
            self.keywords,
        )

    @property
    def fields(self) -> dict:
        return {
            "name": self.name,
            "list_kind": self.list_kind,
            "township_duty": self.township_duty,
            "county_duty": self.county_duty,
            "time_limit_days": self.time_limit_days,
            "keywords": self.keywords,
        }


def import_catalog(
    source,
    *,
    dry_run: bool,
    effective_from: date | None = None,
    document_no: str = "",
    by=None,
    progress: Progress | None = None,
) -> ImportResult:
    """Check and import a catalog: a directory of areas.csv, units.csv and matters.csv, or an .xlsx (path or upload).

    Areas and catalog units are created or updated by code; county units are matched to the platform's
    active unit of the same name, township roles to each township's units by name. A matter whose row
    differs from its version in force on `effective_from` (default today) gets a new version from that day.
    Nothing is written when any row has an error, or with `dry_run` (the counts are those of a real run).
    """
    result = ImportResult()
    report = progress or (lambda done, total, stage: None)
    day = effective_from or timezone.localdate()
    by = by if getattr(by, "pk", None) else None
    document_no = document_no.strip()
    if len(document_no) > MatterVersion._meta.get_field("document_no").max_length:
        result.errors.append(RowError("导入", None, "", "文号不能超过100字"))
        return result
    # Reading the files touches no table, so it is done before the transaction takes SQLite's write lock.
    tables = _read(source, result.errors)
    if result.errors:
        return result
    report(0, 0, "检查")
    try:
        with transaction.atomic():
            check = _Check(result, tables)
            check.run()
            if result.errors:
                raise _Rollback
            _apply_areas(check.areas, result)
            _apply_units(check.units, result, tables[UNITS][0])
            _bind_roles(result, tables[UNITS][0], by)
            _apply_matters(
                check.matters, result, tables[MATTERS][0], day=day, document_no=document_no, by=by, progress=report
            )
            if result.errors:
                raise _Rollback
            counts = result.counts
            log_operation(
                by,
                "导入事项清单",
                f"{len(check.matters)}个事项",
                detail=f"{day} {document_no} 新增{counts['新增事项']}个，修订{counts['修订事项']}个，"
                f"未变化{counts['未变化事项']}个",
            )
            transaction.on_commit(invalidate)
            if dry_run:
                raise _Rollback
    except _Rollback:
        return result
    result.committed = True
    return result


# Reading


def _read(source, errors: list[RowError]) -> dict[str, tuple[str, Table]]:
    """{areas/units/matters: (file or sheet name for messages, rows)}; problems go to `errors`."""
    if hasattr(source, "read"):
        return _read_workbook(source, errors)
    path = Path(source)
    if path.is_dir():
        return _read_directory(path, errors)
    if path.is_file() and path.suffix.lower() == ".xlsx":
        return _read_workbook(path, errors)
    if not path.exists():
        errors.append(RowError("导入", None, "", f"找不到“{path}”"))
    else:
        errors.append(RowError("导入", None, "", "请提供包含 areas.csv、units.csv、matters.csv 的目录，或 .xlsx 文件"))
    return {}


def _read_directory(directory: Path, errors: list[RowError]) -> dict[str, tuple[str, Table]]:
    tables = {}
    for kind in COLUMNS:
        label = f"{kind}.csv"
        try:
            # utf-8-sig: files saved by Excel as "CSV UTF-8" start with a BOM.
            with open(directory / label, encoding="utf-8-sig", newline="") as f:
                records = list(csv.reader(f))
        except FileNotFoundError:
            errors.append(RowError(label, None, "", f"目录中没有文件{label}"))
            continue
        except UnicodeDecodeError:
            errors.append(RowError(label, None, "", "文件不是UTF-8编码，请另存为“CSV UTF-8（逗号分隔）”格式"))
            continue
        except csv.Error as e:
            errors.append(RowError(label, None, "", f"文件不是有效的CSV文件（{e}）"))
            continue
        rows = _table(label, kind, records, errors)
        if rows is not None:
            tables[kind] = (label, rows)
    return tables


def _read_workbook(source, errors: list[RowError]) -> dict[str, tuple[str, Table]]:
    try:
        book = load_workbook(str(source) if isinstance(source, Path) else source, read_only=True, data_only=True)
    except Exception:  # openpyxl raises a different exception for each way a file can fail to be an xlsx
        errors.append(RowError("导入", None, "", "文件不是有效的 Excel（.xlsx）文件"))
        return {}
    tables = {}
    try:
        sheets = {name.strip().lower(): name for name in book.sheetnames}
        for kind in COLUMNS:
            if kind not in sheets:
                errors.append(
                    RowError(kind, None, "", f"找不到工作表“{kind}”（文件中的工作表：{'、'.join(book.sheetnames)}）")
                )
                continue
            sheet = book[sheets[kind]]
            sheet.reset_dimensions()  # some programs write a wrong used range; read every row that is there
            rows = _table(kind, kind, sheet.iter_rows(values_only=True), errors)
            if rows is not None:
                tables[kind] = (kind, rows)
    finally:
        book.close()
    return tables


def _table(label: str, kind: str, records: Iterable, errors: list[RowError]) -> Table | None:
    """The non-blank rows below the header row (row 1), or None when the header is wrong."""
    columns = COLUMNS[kind]
    records = iter(records)
    header = [_text(v) for v in next(records, None) or ()]
    while header and not header[-1]:
        header.pop()
    expected = f"（表头应为：{','.join(columns)}）"
    if not header:
        errors.append(RowError(label, 1, "", f"第1行应为表头{expected}"))
        return None
    missing = [c for c in columns if c not in header]
    unknown = [h for h in header if h and h not in columns]
    repeated = sorted({h for h in header if h in columns and header.count(h) > 1}, key=columns.index)
    if missing:
        errors.append(RowError(label, 1, "", f"缺少列：{'、'.join(missing)}{expected}"))
    if unknown:
        errors.append(RowError(label, 1, "", f"未知的列：{'、'.join(unknown)}{expected}"))
    if repeated:
        errors.append(RowError(label, 1, "", f"列重复：{'、'.join(repeated)}"))
    if missing or unknown or repeated:
        return None
    index = {c: header.index(c) for c in columns}
    rows: Table = []
    for number, values in enumerate(records, start=2):
        texts = [_text(v) for v in values]
        if any(texts):
            rows.append((number, {c: texts[i] if i < len(texts) else "" for c, i in index.items()}))
    return rows


def _count(text: str) -> int | None:
    """A non-negative whole number; Excel gives 3.0 for 3, already folded to "3" by _text."""
    match = re.fullmatch(r"(\d+)(\.0*)?", text)
    return int(match.group(1)) if match else None


def _codes(text: str) -> list[str]:
    return [c.strip() for c in re.split(r"[;；]", text) if c.strip()]


# Checking


class _Check:
    """Every row of the three tables checked against each other and the catalog as it is."""

    def __init__(self, result: ImportResult, tables: dict[str, tuple[str, Table]]):
        self.result, self.tables = result, tables
        self.areas: list[_AreaRow] = []
        self.units: list[_UnitRow] = []
        self.matters: list[_MatterRow] = []
        self.area_codes = set(Area.objects.values_list("code", flat=True))
        self.unit_levels = dict(CatalogUnit.objects.values_list("code", "level"))

    def run(self) -> None:
        for kind, check in ((AREAS, self.area), (UNITS, self.unit), (MATTERS, self.matter)):
            label, rows = self.tables[kind]
            seen: dict[str, int] = {}
            for number, cells in rows:
                check(number, cells, self.errors_for(label, number), seen)

    def errors_for(self, label: str, number: int):
        def error(column: str, message: str) -> None:
            self.result.errors.append(RowError(label, number, column, message))

        return error

    def texts(self, cells: dict, required: tuple[str, ...], error) -> bool:
        """Report empty required values and values too long for their field; True when there were none."""
        ok = True
        for column, value in cells.items():
            if not value and column in required:
                error(column, f"请填写{LABELS[column]}")
                ok = False
            elif column in MAX_LENGTHS and len(value) > MAX_LENGTHS[column]:
                error(column, f"{LABELS[column]}不能超过{MAX_LENGTHS[column]}字，当前为{len(value)}字")
                ok = False
        return ok

    def unique(self, column: str, code: str, number: int, seen: dict[str, int], error) -> bool:
        if code in seen:
            error(column, f"{LABELS[column]}“{code}”与第{seen[code]}行重复")
            return False
        seen[code] = number
        return True

    def area(self, number: int, cells: dict, error, seen: dict[str, int]) -> None:
        ok = self.texts(cells, REQUIRED[AREAS], error)
        code = cells["area_code"]
        if code:
            # Known even when the row has an error, so that matters do not repeat the problem.
            self.area_codes.add(code)
            ok = self.unique("area_code", code, number, seen, error) and ok
        if ok:
            self.areas.append(_AreaRow(number, code, cells["area_name"]))

    def unit(self, number: int, cells: dict, error, seen: dict[str, int]) -> None:
        ok = self.texts(cells, REQUIRED[UNITS], error)
        code = cells["unit_code"]
        level = LEVELS.get(cells["level"])
        if cells["level"] and level is None:
            error("level", f"层级应为 county（县级）或 township（乡镇级），填写的是“{cells['level']}”")
            ok = False
        if code:
            self.unit_levels[code] = level or self.unit_levels.get(code, "")
            ok = self.unique("unit_code", code, number, seen, error) and ok
        if ok:
            self.units.append(_UnitRow(number, code, cells["unit_name"], level, cells["kind"]))

    def matter(self, number: int, cells: dict, error, seen: dict[str, int]) -> None:
        ok = self.texts(cells, REQUIRED[MATTERS], error)
        code = cells["matter_code"]
        if code:
            ok = self.unique("matter_code", code, number, seen, error) and ok
        area_code = cells["area_code"]
        if area_code and area_code not in self.area_codes:
            error("area_code", f"领域代码“{area_code}”不存在")
            ok = False
        list_kind = LIST_KINDS.get(cells["list_kind"])
        if cells["list_kind"] and list_kind is None:
            error("list_kind", f"清单类别“{cells['list_kind']}”不正确，应为：{LIST_KINDS_TEXT}")
            ok = False
        lead = cells["lead_unit_code"]
        if lead and lead not in self.unit_levels:
            error("lead_unit_code", f"单位代码“{lead}”不存在")
            ok = False
        cooperating = _codes(cells["cooperating_unit_codes"])
        listed: set[str] = set()
        for unit_code in cooperating:
            if unit_code not in self.unit_levels:
                error("cooperating_unit_codes", f"单位代码“{unit_code}”不存在")
                ok = False
            elif unit_code == lead:
                error("cooperating_unit_codes", f"主体责任单位“{lead}”不能同时列为配合单位")
                ok = False
            elif unit_code in listed:
                error("cooperating_unit_codes", f"配合单位“{unit_code}”重复列入")
                ok = False
            listed.add(unit_code)
        time_limit = None
        if cells["time_limit_days"]:
            time_limit = _count(cells["time_limit_days"])
            if time_limit is None:
                error("time_limit_days", f"办理时限应为不小于0的整数，填写的是“{cells['time_limit_days']}”")
                ok = False
            elif time_limit > MAX_TIME_LIMIT:
                error("time_limit_days", f"办理时限不能超过{MAX_TIME_LIMIT}个工作日，填写的是“{time_limit}”")
                ok = False
        if ok:
            self.matters.append(
                _MatterRow(
                    number=number,
                    code=code,
                    area_code=area_code,
                    name=cells["matter_name"],
                    list_kind=list_kind,
                    lead=lead,
                    cooperating=cooperating,
                    township_duty=cells["township_duty"],
                    county_duty=cells["county_duty"],
                    time_limit_days=time_limit,
                    keywords=cells["keywords"],
                )
            )


# Applying


def _apply_areas(rows: list[_AreaRow], result: ImportResult) -> None:
    existing = {a.code: a for a in Area.objects.all()}
    sort = {code: i for i, code in enumerate(sorted(r.code for r in rows), start=1)}
    new, changed = [], []
    for row in rows:
        area = existing.get(row.code)
        if area is None:
            new.append(Area(code=row.code, name=row.name, sort=sort[row.code]))
        elif (area.name, area.sort) != (row.name, sort[row.code]):
            area.name, area.sort = row.name, sort[row.code]
            changed.append(area)
    Area.objects.bulk_create(new)
    Area.objects.bulk_update(changed, ["name", "sort"])
    result.counts.update({"领域": len(rows), "新增领域": len(new), "更新领域": len(changed)})


def _active_units_by_name() -> dict[str, list[Unit]]:
    by_name: dict[str, list[Unit]] = defaultdict(list)
    for unit in Unit.objects.active().select_related("region").order_by("sort", "id"):
        by_name[unit.name].append(unit)
    return by_name


def _apply_units(rows: list[_UnitRow], result: ImportResult, label: str) -> None:
    """Create or update the catalog units; each county unit is matched to the active platform unit of its name."""
    existing = {c.code: c for c in CatalogUnit.objects.all()}
    by_name = _active_units_by_name()
    active_ids = {u.pk for units in by_name.values() for u in units}
    now = timezone.now()
    new, changed = [], []
    for row in rows:
        catalog_unit = existing.get(row.code)
        unit_id = catalog_unit.unit_id if catalog_unit else None
        if row.level == Level.COUNTY:
            unit_id = _county_unit(row, unit_id, by_name, active_ids, result, label)
        else:
            unit_id = None
        values = {"name": row.name, "level": row.level, "kind": row.kind, "unit_id": unit_id}
        if catalog_unit is None:
            new.append(CatalogUnit(code=row.code, **values))
        elif any(getattr(catalog_unit, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(catalog_unit, k, v)
            # bulk_update skips auto_now, and the resolution index notices changes by updated_at.
            catalog_unit.updated_at = now
            changed.append(catalog_unit)
    CatalogUnit.objects.bulk_create(new)
    CatalogUnit.objects.bulk_update(changed, ["name", "level", "kind", "unit", "updated_at"])
    result.counts.update({"清单单位": len(rows), "新增清单单位": len(new), "更新清单单位": len(changed)})


def _county_unit(
    row: _UnitRow, current_id: int | None, by_name: dict[str, list[Unit]], active_ids: set[int], result, label: str
) -> int | None:
    """The platform unit named exactly like the county unit; a unit set by hand stays when none is found."""
    found = by_name.get(row.name, [])
    if len(found) > 1:
        # The county's own units before same-named ones in townships.
        found = [u for u in found if u.region.level <= 3] or found
    if len(found) == 1:
        return found[0].pk
    if current_id in active_ids:
        return current_id
    if found:
        message = f"平台中有{len(found)}个名为“{row.name}”的在用单位，县级单位未对应，请手工指定"
    else:
        message = f"平台中没有名为“{row.name}”的在用单位，县级单位未对应"
    result.warnings.append(RowError(label, row.number, "unit_name", message))
    return None


def _role_names(role: str) -> list[str]:
    """The names a township's unit playing the role may end with: 综治中心（网格化服务管理中心） also as 综治中心,
    乡镇卫生院 also as 卫生院 (乡镇 stands for the township's own name)."""
    names = [role, re.sub(r"[（(].*?[）)]", "", role).strip()]
    names += [n[2:] for n in names if n.startswith("乡镇") and len(n) > 2]
    return list(dict.fromkeys(n for n in names if n))


def _role_unit(role: CatalogUnit, township: Region, units: list[Unit]) -> tuple[Unit | None, list[Unit]]:
    """(the unit playing the role in the township, or None with the candidates when several could)."""
    names = _role_names(role.name)
    for name in names:
        exact = [u for u in units if u.name == township.name + name]
        if len(exact) == 1:
            return exact[0], []
        if exact:
            return None, exact
    for name in names:
        ending = [u for u in units if u.name.endswith(name)]
        if len(ending) > 1:
            # The township's own offices before units of its villages.
            ending = [u for u in ending if u.region_id == township.pk] or ending
        if len(ending) == 1:
            return ending[0], []
        if ending:
            return None, ending
    return None, []


def _bind_roles(result: ImportResult, label: str, by) -> None:
    """Find each township's unit for every township role that has none yet; report the townships that lack roles.

    A binding to a unit that is active (or merged into an active one, which the resolution follows) is kept:
    it may have been set by hand.
    """
    roles = list(CatalogUnit.objects.filter(level=Level.TOWNSHIP).order_by("code"))
    townships = list(Region.objects.townships().order_by("code"))
    statuses = {
        pk: (status, merged_into) for pk, status, merged_into in Unit.objects.values_list("pk", "status", "merged_into")
    }

    def usable(unit_id: int | None) -> bool:
        for _ in range(10):
            if unit_id not in statuses:
                return False
            status, merged_into = statuses[unit_id]
            if status == UnitStatus.ACTIVE:
                return True
            if status != UnitStatus.MERGED:
                return False
            unit_id = merged_into
        return False

    # A unit belongs to a township when its region is the township or under it, as bind_role checks it.
    units_by_township: dict[str, list[Unit]] = defaultdict(list)
    for unit in Unit.objects.active().filter(region__level__gte=4).select_related("region").order_by("sort", "id"):
        units_by_township[unit.region.code[:9]].append(unit)
    bindings = {(b.role_id, b.township_id): b.unit_id for b in RoleBinding.objects.all()}
    bound = 0
    for township in townships:
        missing = []
        for role in roles:
            if usable(bindings.get((role.pk, township.pk))):
                continue
            unit, candidates = _role_unit(role, township, units_by_township[township.code[:9]])
            if unit is None:
                missing.append(role.name)
                if candidates:
                    names = "、".join(u.name for u in candidates)
                    result.warnings.append(
                        RowError(
                            label,
                            None,
                            "",
                            f"{township.name}有{len(candidates)}个单位可能是“{role.name}”（{names}），未自动对应，请手工指定",
                        )
                    )
                continue
            try:
                actions.bind_role(role, township, unit, by=by)
            except DomainError as e:
                missing.append(role.name)
                result.warnings.append(RowError(label, None, "", f"{township.name}“{role.name}”未对应：{e.message}"))
                continue
            bound += 1
        if missing:
            result.missing_roles[township.name] = missing
            result.warnings.append(
                RowError(
                    label,
                    None,
                    "",
                    f"{township.name}有{len(missing)}个乡镇级单位没有对应的在用单位：{'、'.join(missing)}",
                )
            )
    result.counts["新建乡镇单位对应"] = bound


def _in_force(versions: list[MatterVersion], day: date) -> MatterVersion | None:
    return next(
        (v for v in versions if v.effective_from <= day and (v.effective_to is None or v.effective_to > day)), None
    )


def _with_duties():
    return Prefetch("responsibilities", queryset=Responsibility.objects.select_related("catalog_unit"))


def _apply_matters(
    rows: list[_MatterRow], result: ImportResult, label: str, *, day: date, document_no: str, by, progress: Progress
) -> None:
    areas = {a.code: a for a in Area.objects.all()}
    catalog_units = {c.code: c for c in CatalogUnit.objects.all()}
    matters = {m.code: m for m in Matter.objects.filter(code__in=[r.code for r in rows]).select_related("area")}
    history: dict[int, list[MatterVersion]] = defaultdict(list)
    for version in MatterVersion.objects.filter(matter__in=list(matters.values())).prefetch_related(_with_duties()):
        history[version.matter_id].append(version)
    counts = {"事项": len(rows), "新增事项": 0, "修订事项": 0, "未变化事项": 0}
    for done, row in enumerate(rows, start=1):
        if done % PROGRESS_EVERY == 0 or done == len(rows):
            progress(done, len(rows), "导入事项")

        def error(column: str, message: str, row=row) -> None:
            result.errors.append(RowError(label, row.number, column, message))

        matter = matters.get(row.code)
        versions = history[matter.pk] if matter else []
        current = _in_force(versions, day)
        if current is not None and _matter_cells(matter.code, matter.area.code, current) == row.cells:
            counts["未变化事项"] += 1
            continue
        latest = max(versions, key=lambda v: v.effective_from, default=None)
        if latest is not None and latest.effective_from == day:
            error(
                "matter_code",
                f"该事项在{day:%Y年%m月%d日}已有版本，与文件内容不同；同一天只能有一个版本，请改用其他生效日期",
            )
            continue
        if latest is not None and latest.effective_from > day:
            error(
                "matter_code",
                f"该事项已有{latest.effective_from:%Y年%m月%d日}起的版本，新版本的生效日期须晚于该日期",
            )
            continue
        # Fields the file does not carry (设定依据, 程序环节, 政务服务 details …) stay as they were.
        base = current or latest
        fields = {k: getattr(base, k) for k in actions.VERSION_FIELDS if k not in FILE_FIELDS} if base else {}
        fields.update(row.fields)
        try:
            actions.save_matter(
                code=row.code,
                area=areas[row.area_code],
                fields=fields,
                duties=_duties(row, catalog_units),
                effective_from=day,
                document_no=document_no,
                by=by,
            )
        except DomainError as e:
            error(COLUMN_OF_FIELD.get(e.field, "matter_code"), e.message)
            continue
        counts["修订事项" if matter else "新增事项"] += 1
    result.counts.update(counts)


def _duties(row: _MatterRow, catalog_units: dict[str, CatalogUnit]) -> list[actions.Duty]:
    """The lead carries the duty of its level; township units cooperate with the township duty; county units
    guide a township-led matter with the county duty, and otherwise support the county lead."""
    lead = catalog_units[row.lead]
    lead_is_county = lead.level == Level.COUNTY
    duties = [actions.Duty(lead, True, row.county_duty if lead_is_county else row.township_duty)]
    for code in row.cooperating:
        unit = catalog_units[code]
        if unit.level == Level.TOWNSHIP:
            duty = row.township_duty
        elif lead_is_county:
            duty = f"配合{lead.name}做好本事项相关工作"
        else:
            duty = row.county_duty
        duties.append(actions.Duty(unit, False, duty))
    return duties


# Export


def _matter_cells(code: str, area_code: str, version: MatterVersion) -> tuple[str, ...]:
    """One matters.csv row from a version whose responsibilities are prefetched (lead first, then by sort)."""
    duties = list(version.responsibilities.all())
    lead = next((r.catalog_unit.code for r in duties if r.is_lead), "")
    cooperating = [r.catalog_unit.code for r in duties if not r.is_lead]
    return (
        code,
        area_code,
        version.name,
        version.list_kind,
        lead,
        ";".join(cooperating),
        version.township_duty,
        version.county_duty,
        "" if version.time_limit_days is None else str(version.time_limit_days),
        version.keywords,
    )


def _write_csv(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    # The shared files are UTF-8 without a BOM with CRLF line ends, which is what csv.writer writes.
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def export_catalog(directory, *, day: date | None = None) -> dict[str, int]:
    """Write areas.csv, units.csv and matters.csv (the matters in force on `day`, default today) into `directory`.

    Returns the number of rows written to each file.
    """
    day = day or timezone.localdate()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    areas = [(a.code, a.name) for a in Area.objects.order_by("code")]
    units = [(c.code, c.name, c.level, c.kind) for c in CatalogUnit.objects.order_by("code")]
    matters, seen = [], set()
    versions = (
        MatterVersion.objects.in_force(day)
        .select_related("matter__area")
        .prefetch_related(_with_duties())
        .order_by("matter__code", "-effective_from")
    )
    for version in versions:
        if version.matter_id not in seen:
            seen.add(version.matter_id)
            matters.append(_matter_cells(version.matter.code, version.matter.area.code, version))
    _write_csv(directory / "areas.csv", COLUMNS[AREAS], areas)
    _write_csv(directory / "units.csv", COLUMNS[UNITS], units)
    _write_csv(directory / "matters.csv", COLUMNS[MATTERS], matters)
    return {"areas.csv": len(areas), "units.csv": len(units), "matters.csv": len(matters)}
