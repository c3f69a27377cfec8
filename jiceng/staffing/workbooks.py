"""Workbooks the staffing office downloads: import templates and the staffing report."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from jiceng.lib.excel import build_workbook
from jiceng.lib.validators import build_id_number

from .excel_reading import (
    LEDGER,
    LEDGER_COLUMNS,
    QUOTA_KINDS_TEXT,
    ROSTER,
    ROSTER_COLUMNS,
    STAFFING_KINDS_TEXT,
    UNIT_KINDS_TEXT,
)
from .reports import summarise, unit_rows

TEMPLATES = {
    "ledger": (
        LEDGER,
        LEDGER_COLUMNS,
        [
            ("城关镇党政综合办公室", "城关镇", "党政综合机构", "行政编制", 12, "某编〔2024〕8号"),
            ("城关镇便民服务中心", "411799100000", "便民服务中心", "事业", 8, "某编〔2024〕8号"),
        ],
        [
            (
                "单位名称",
                "必填",
                "单位全称，与平台中的名称完全一致。在所属区划及其下级区划中按名称查找；找不到时在该区划的党委政府单位下新建。",
            ),
            ("所属区划", "必填", "区划名称（如“城关镇”）或12位统计用区划代码；区划重名时请填代码。"),
            ("单位类型", "必填", f"可填：{UNIT_KINDS_TEXT}。已有单位的类型与此不同时只提示，不修改。"),
            ("编制类型", "必填", f"可填：{QUOTA_KINDS_TEXT}。同一单位的同一编制类型只能有一行。"),
            (
                "核定数",
                "必填",
                "不小于0的整数。导入后该单位该类编制的核定数即为此数（按与现有核定数的差额记一条“核定”记录，相同则不记）；少于实有人数的照实导入，并提示超编。",
            ),
            ("文号", "必填", "核定编制的批准文号，如“某编〔2024〕8号”。"),
        ],
    ),
    "roster": (
        ROSTER,
        ROSTER_COLUMNS,
        [
            (
                "张三",
                build_id_number("411799", date(1988, 5, 12), 35),
                "行政",
                "城关镇党政综合办公室",
                "城关镇党政综合办公室",
                date(2012, 9, 1),
            ),
            ("李四", build_id_number("411799", date(1995, 11, 3), 46), "编外聘用", "", "城关镇便民服务中心", None),
        ],
        [
            ("姓名", "必填", ""),
            (
                "身份证号",
                "必填",
                "18位居民身份证号，末位可为X。请将本列设为文本格式，以免Excel把号码变成科学计数法。平台中已有的身份证号不能重复导入。",
            ),
            ("编制类型", "必填", f"可填：{STAFFING_KINDS_TEXT}。"),
            (
                "编制所在单位",
                "在编人员必填",
                "平台中在用单位的全称，或同时导入的编制台账中新建的单位。编外聘用人员不填。",
            ),
            ("工作单位", "必填", "同上。与编制所在单位不同的，即为人编分离。"),
            (
                "进编日期",
                "在编人员必填",
                "日期格式的单元格，或文本 2020-09-01、2020/09/01、2020.09.01、2020年9月1日；"
                "不能晚于今天。编外聘用人员不填。",
            ),
        ],
    ),
}


GENERAL_NOTES = [
    "第1行为表头，列名不要修改；列的顺序可以调整，其他列不导入。",
    "第2、3行是示例，导入前请删除。",
    "整个文件检查无误才会导入：任何一行有错，全部不导入，并逐行列出错误。",
    "编制台账和花名册同时导入时，先导入编制台账，花名册可以使用台账中新建的单位。",
]


def template_workbook(kind: str) -> bytes:
    """An empty 编制台账 or 花名册 ("ledger" or "roster") with two example rows and a 填写说明 sheet."""
    if kind not in TEMPLATES:
        raise ValueError(f"unknown template {kind!r}")
    title, columns, examples, notes = TEMPLATES[kind]
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(list(columns))
    for row in examples:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for i, column in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=i).column_letter
        sheet.column_dimensions[letter].width = 28 if column in ("单位名称", "编制所在单位", "工作单位") else 16
        if column == "身份证号":  # typed as text, an 18-digit number keeps its last digits
            sheet.column_dimensions[letter].number_format = "@"
        for row in range(2, len(examples) + 2):
            cell = sheet.cell(row=row, column=i)
            if column == "身份证号":
                cell.number_format = "@"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    help_sheet = book.create_sheet("填写说明")
    help_sheet.append(["列名", "是否必填", "填写说明"])
    for row in notes:
        help_sheet.append(list(row))
    help_sheet.append([])
    for note in GENERAL_NOTES:
        help_sheet.append(["说明", "", note])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in (("A", 14), ("B", 14), ("C", 100)):
        help_sheet.column_dimensions[letter].width = width
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _figures(s) -> tuple[int, ...]:
    """核定数, 实有数, 预留数, 空编数, 超编数 of a `Seats` or a `Summary`."""
    return (s.approved, s.occupied, s.reserved, s.vacant, s.over)


REPORT_COLUMNS = ("单位名称", "所属区划", "编制类型", "核定数", "实有数", "预留数", "空编数", "超编数")


def report_rows(day: date, units=None) -> Iterator[tuple]:
    rows = unit_rows(day, units)
    for row in rows:
        yield (row.unit.name, row.unit.region.name, row.kind_label, *_figures(row.seats))
    yield ()
    for total in summarise(rows, by_township=True) + summarise(rows, by_township=False):
        yield (f"{total.name}合计", "", total.kind_label, *_figures(total))
    yield ()
    yield (f"统计日期：{day:%Y年%m月%d日}",)


def report_workbook(day: date, units=None) -> bytes:
    """编制情况 as of `day`: one row per unit and kind, then the totals per township and for the county."""
    return build_workbook("编制情况", REPORT_COLUMNS, report_rows(day, units))
