"""12345 hotline work orders from CSV or Excel: deduplicated by their own order number, all or nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.db import transaction
from openpyxl import load_workbook

from jiceng.catalog.models import Matter
from jiceng.lib.importing import ImportResult, Rollback, RowError, cell_text
from jiceng.orgs.models import Region

from . import actions
from .models import Case, Channel

COLUMNS = ("工单编号", "反映人", "联系电话", "所属乡镇", "地址", "标题", "内容")
OPTIONAL = ("事项编码",)
SHEET = "12345工单"


def _rows(source) -> tuple[list[str], list[list[str]]]:
    name = getattr(source, "name", str(source))
    if str(name).lower().endswith(".csv"):
        raw = source.read() if hasattr(source, "read") else Path(source).read_bytes()
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        table = list(csv.reader(io.StringIO(text)))
    else:
        wb = load_workbook(source, read_only=True, data_only=True)
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        table = [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    if not table:
        return [], []
    return [cell_text(h) for h in table[0]], [[cell_text(v) for v in r] for r in table[1:]]


def import_hotline(source, *, dry_run: bool, by=None) -> ImportResult:
    result = ImportResult()
    file = SHEET
    try:
        header, rows = _rows(source)
    except Exception:  # openpyxl raises many kinds of errors on a non-Excel file
        result.errors.append(RowError(file, None, "", "文件不是有效的 CSV 或 Excel（.xlsx）文件。"))
        return result
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        result.errors.append(RowError(file, 1, "", "缺少列：" + "、".join(missing)))
        return result
    index = {h: i for i, h in enumerate(header)}
    townships = {r.name: r for r in Region.objects.townships()}
    matters = {m.code: m for m in Matter.objects.all()}
    existing = set(Case.objects.filter(channel=Channel.HOTLINE).values_list("external_no", flat=True))
    seen: dict[str, int] = {}
    checked = []
    for number, row in enumerate(rows, start=2):
        if not any(row):
            continue
        values = {h: (row[i] if i < len(row) else "") for h, i in index.items()}
        get = values.get
        order = get("工单编号")
        for column in ("工单编号", "标题", "内容"):
            if not get(column):
                result.errors.append(RowError(file, number, column, "不能为空。"))
        if order in seen:
            result.errors.append(RowError(file, number, "工单编号", f"与第{seen[order]}行重复。"))
            continue
        seen[order] = number
        township = townships.get(get("所属乡镇"))
        if get("所属乡镇") and township is None:
            result.errors.append(RowError(file, number, "所属乡镇", f"找不到乡镇（街道）“{get('所属乡镇')}”。"))
        matter = matters.get(get("事项编码")) if get("事项编码") else None
        if get("事项编码") and matter is None:
            result.errors.append(RowError(file, number, "事项编码", f"事项编码“{get('事项编码')}”不存在。"))
        if order in existing:
            result.counts["已存在跳过"] = result.counts.get("已存在跳过", 0) + 1
            continue
        checked.append((order, values, township, matter))
    result.counts["工单行数"] = len(seen)
    result.counts["新增办件"] = len(checked)
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for order, values, township, matter in checked:
                actions.register_case(
                    channel=Channel.HOTLINE,
                    title=values.get("标题"),
                    text=values.get("内容"),
                    by=by,
                    matter=matter,
                    township=township,
                    address=values.get("地址"),
                    requester_name=values.get("反映人"),
                    requester_phone=values.get("联系电话"),
                    external_no=order,
                )
            if dry_run:
                raise Rollback
            result.committed = True
    except Rollback:
        pass
    return result
