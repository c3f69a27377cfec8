"""Reading the import workbooks: sheets, headers, cell values and the Chinese row errors."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

from jiceng.lib.importing import RowError
from jiceng.lib.importing import cell_text as _text
from jiceng.orgs.models import StaffingKind, Unit, UnitKind, UnitStatus

from .models import QuotaKind

LEDGER = "编制台账"


ROSTER = "花名册"


LEDGER_COLUMNS = ("单位名称", "所属区划", "单位类型", "编制类型", "核定数", "文号")


ROSTER_COLUMNS = ("姓名", "身份证号", "编制类型", "编制所在单位", "工作单位", "进编日期")


HEADER_SEARCH_ROWS = 5  # a title row or two above the header is common in county spreadsheets


PROGRESS_EVERY = 500


BATCH = 2000


LEDGER_NOTE = "台账导入"


ROSTER_DOCUMENT = "花名册导入"


Progress = Callable[[int, int, str], None]


def _fold(text: str) -> str:
    """Compare names the way people type them: no spaces, either kind of parentheses."""
    return re.sub(r"\s", "", text).replace("（", "(").replace("）", ")")


UNIT_KINDS = {_fold(k.label): k.value for k in UnitKind}


UNIT_KINDS_TEXT = "、".join(k.label for k in UnitKind)


QUOTA_KINDS = {_fold(k.label): k.value for k in QuotaKind} | {
    "行政": QuotaKind.ADMINISTRATIVE,
    "事业": QuotaKind.INSTITUTIONAL,
    "工勤": QuotaKind.SERVICE,
    "正职": QuotaKind.LEADER_CHIEF,
    "副职": QuotaKind.LEADER_DEPUTY,
}


QUOTA_KINDS_TEXT = "、".join(k.label for k in QuotaKind) + "（也可简写为行政、事业、工勤、正职、副职）"


STAFFING_KINDS = {k.label: k.value for k in StaffingKind} | {
    "行政编制": StaffingKind.ADMINISTRATIVE,
    "事业编制": StaffingKind.INSTITUTIONAL,
    "工勤编制": StaffingKind.SERVICE,
}


STAFFING_KINDS_TEXT = "行政、事业、工勤或编外聘用（也可写作行政编制、事业编制、工勤编制）"


DATE_PATTERNS = [
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
]


def _header_name(value) -> str:
    return re.sub(r"[\s*＊]", "", _text(value))


Rows = list[tuple[int, dict]]  # (Excel row number, {column: cell value})


def _read_sheet(source, sheet: str, columns: tuple[str, ...], errors: list[RowError], progress: Progress) -> Rows:
    """Every non-blank row below the header; file and sheet problems go to `errors`.

    While reading, `total` is the sheet's recorded size, or 0 when the file does not record it.
    """

    def fail(message: str) -> Rows:
        errors.append(RowError(sheet, None, "", message))
        return []

    try:
        book = load_workbook(str(source) if isinstance(source, Path) else source, read_only=True, data_only=True)
    except FileNotFoundError:
        return fail(f"找不到文件“{source}”")
    except Exception:  # openpyxl raises a different exception for each way a file can fail to be an xlsx
        return fail("文件不是有效的 Excel（.xlsx）文件")
    try:
        names = {name.strip(): name for name in book.sheetnames}
        if sheet not in names:
            return fail(f"找不到工作表“{sheet}”（文件中的工作表：{'、'.join(book.sheetnames)}）")
        ws = book[names[sheet]]
        size = ws.max_row or 0
        ws.reset_dimensions()  # some programs write a wrong used range; read every row that is there
        rows = enumerate(ws.iter_rows(values_only=True), start=1)
        index, header_row, empty = None, 0, True
        for number, values in rows:
            found = {_header_name(v): i for i, v in reversed(list(enumerate(values))) if _header_name(v)}
            empty = empty and not found
            if found.keys() & set(columns):
                index, header_row = found, number
                break
            if number >= HEADER_SEARCH_ROWS:
                break
        if empty:
            return fail(f"工作表“{sheet}”是空的")
        missing = [c for c in columns if c not in (index or {})]
        if missing:
            return fail(f"缺少列：{'、'.join(missing)}（表头应包括：{'、'.join(columns)}）")
        total = max(size - header_row, 0)
        out: Rows = []
        for number, values in rows:
            cells = {c: values[index[c]] if index[c] < len(values) else None for c in columns}
            if any(_text(v) for v in cells.values()):
                out.append((number, cells))
                if len(out) % PROGRESS_EVERY == 0:
                    progress(len(out), max(total, len(out)) if total else 0, f"读取{sheet}")
        if not out:
            return fail(f"工作表“{sheet}”没有数据行")
        progress(len(out), len(out), f"读取{sheet}")
        return out
    finally:
        book.close()


def _check_rows(rows: Rows, check: Callable[[int, dict], None], stage: str, progress: Progress) -> None:
    for done, (number, cells) in enumerate(rows, start=1):
        check(number, cells)
        if done % PROGRESS_EVERY == 0 or done == len(rows):
            progress(done, len(rows), stage)


def _date(value) -> date:
    """An Excel date cell, or text such as 2020-09-01, 2020/9/1, 2020.09.01, 2020年9月1日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return date(*map(int, match.groups()))
            except ValueError:
                raise ValueError(f"“{text}”不是有效日期") from None
    raise ValueError(f"应为日期，如2020-09-01、2020/9/1或2020年9月1日，填写的是“{text}”")


def _status(unit: Unit) -> str:
    return UnitStatus(unit.status).label
