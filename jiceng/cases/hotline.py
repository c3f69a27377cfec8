"""12345 hotline work orders from CSV or Excel: deduplicated by their own order number, all or nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import render
from openpyxl import load_workbook

from jiceng.accounts.decorators import require_perm
from jiceng.accounts.roles import Perm
from jiceng.catalog.models import Matter
from jiceng.lib import staging
from jiceng.lib.forms import StyledForm
from jiceng.lib.importing import ImportResult, Rollback, RowError, cell_text
from jiceng.lib.validators import check_mobile
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
        phone = get("联系电话")
        if phone and phone[:1] == "1":
            try:
                check_mobile(phone)
            except ValidationError as e:
                result.errors.append(RowError(file, number, "联系电话", e.messages[0]))
        if order in existing:
            result.counts["已存在跳过"] = result.counts.get("已存在跳过", 0) + 1
            continue
        checked.append((number, order, values, township, matter))
    result.counts["工单行数"] = len(seen)
    result.counts["新增办件"] = len(checked)
    if result.errors:
        return result
    reports = [
        {
            "channel": Channel.HOTLINE,
            "title": values.get("标题"),
            "text": values.get("内容"),
            "matter": matter,
            "township": township,
            "address": values.get("地址"),
            "requester_name": values.get("反映人"),
            "requester_phone": values.get("联系电话"),
            "external_no": order,
        }
        for number, order, values, township, matter in checked
    ]
    try:
        with transaction.atomic():
            actions.register_cases(reports, by=by)  # the whole file at once: one INSERT per table
            if dry_run:
                raise Rollback
            result.committed = True
    except Rollback:
        pass
    except actions.RejectedReport as e:
        result.errors.append(RowError(file, checked[e.index][0], e.field or "", e.message))
    return result


HOTLINE_SESSION_KEY = "hotline_import"


class HotlineUploadForm(StyledForm, forms.Form):
    file = forms.FileField(label="12345工单文件（.csv 或 .xlsx）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("请上传 .csv 或 .xlsx 文件。")
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError("文件超过20MB，请分批导入。")
        return upload


@require_perm(Perm.DISPATCH_CASES)
def hotline_import(request):
    """Upload → 预检 (every row checked, nothing written) → 确认导入 (all or nothing; known orders skipped)."""
    form = HotlineUploadForm(request.POST or None, request.FILES or None)
    pending = request.session.get(HOTLINE_SESSION_KEY)
    result, done = None, False
    if request.method == "POST" and request.POST.get("confirm") and pending:
        path = staging.folder("hotline", pending["token"]) / pending["name"]
        result = import_hotline(path, dry_run=False, by=request.user)
        request.session.pop(HOTLINE_SESSION_KEY, None)
        done = result.committed
        form = HotlineUploadForm()
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = "orders.xlsx" if upload.name.lower().endswith(".xlsx") else "orders.csv"
        token, folder = staging.stage("hotline", {name: upload})
        result = import_hotline(folder / name, dry_run=True, by=request.user)
        if not result.errors:
            request.session[HOTLINE_SESSION_KEY] = {"token": token, "name": name}
    return render(
        request, "cases/hotline_import.html", {"form": form, "result": result, "done": done, "columns": COLUMNS}
    )
