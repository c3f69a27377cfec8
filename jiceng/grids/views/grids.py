"""The grid register: search and export, one grid's page, and importing polygons and members on the web."""

from __future__ import annotations

import codecs
from io import BytesIO
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, re_path
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from jiceng.accounts.decorators import require_perm
from jiceng.accounts.roles import Perm
from jiceng.cases.models import Case
from jiceng.lib import staging
from jiceng.lib.excel import XLSX, xlsx_response
from jiceng.lib.forms import querystring_base
from jiceng.lib.masking import mask_phone

from ..forms import GridFileForm, GridFilterForm, MemberFileForm
from ..importing import MEMBER_COLUMNS, ROLE_BY_LABEL, import_grids, import_members
from ..models import Grid, GridMember

PAGE = 30
EXPORT_LIMIT = 20_000
RECENT_CASES = 10


def case_counts(user, grids) -> tuple[dict[int, int], dict[int, int]]:
    """Open and overdue cases per grid id, among the cases `user` may see: one grouped query each.

    `grids` is a queryset of grids (or their ids); a grid without cases is absent from both dicts.
    """
    cases = Case.objects.visible_to(user).filter(grid__in=grids)

    def per_grid(qs) -> dict[int, int]:
        return dict(qs.order_by().values_list("grid").annotate(n=Count("pk")))

    return per_grid(cases.open()), per_grid(cases.overdue(timezone.now()))


def filter_grids(qs: QuerySet, data: dict) -> QuerySet:
    q = (data.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(code__startswith=q)
            | Q(name__icontains=q)
            | Q(village__name__icontains=q)
            | Exists(GridMember.objects.filter(grid=OuterRef("pk"), name__icontains=q))
        )
    if data.get("township"):
        qs = qs.filter(village__parent=data["township"])
    if data.get("village"):
        qs = qs.filter(village=data["village"])
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("layer"):
        qs = qs.filter(layer=data["layer"])
    if data.get("active"):
        qs = qs.filter(active=data["active"] == "1")
    return qs


def with_members(qs: QuerySet) -> QuerySet:
    return qs.select_related("village__parent").prefetch_related(
        Prefetch("members", queryset=GridMember.objects.order_by("role", "id"))
    )


def _chiefs(grid: Grid) -> str:
    return "、".join(m.name for m in grid.members.all() if m.role == GridMember.Role.CHIEF)


EXPORT_HEADERS = [
    "网格编码",
    "网格名称",
    "类型",
    "图层",
    "乡镇（街道）",
    "村（社区）",
    "面积（平方米）",
    "网格长",
    "网格员",
    "成员人数",
    "在办件数",
    "状态",
]


def export_rows(user, qs: QuerySet):
    grids = list(with_members(qs)[:EXPORT_LIMIT])
    open_counts, _ = case_counts(user, qs.values("pk"))
    for g in grids:
        members = list(g.members.all())
        yield (
            g.code,
            g.name,
            g.get_kind_display(),
            g.layer,
            g.village.parent.name if g.village.parent_id else "",
            g.village.name,
            round(g.area_m2),
            _chiefs(g),
            "、".join(m.name for m in members if m.role != GridMember.Role.CHIEF),
            len(members),
            open_counts.get(g.pk, 0),
            "在用" if g.active else "停用",
        )


@require_perm(Perm.VIEW_GRIDS)
def grid_list(request):
    """All grids: search by code, name, village or member; filters; the open cases the user may see."""
    qs = Grid.objects.visible_to(request.user)
    form = GridFilterForm(request.GET or None, grids=qs)
    if form.is_valid():
        qs = filter_grids(qs, form.cleaned_data)
    elif form.is_bound:
        qs = qs.none()
    qs = qs.order_by("code")
    if request.GET.get("export") == "xlsx":
        return xlsx_response("网格台账.xlsx", "网格", EXPORT_HEADERS, export_rows(request.user, qs))
    page = Paginator(with_members(qs), PAGE).get_page(request.GET.get("page"))
    open_counts, overdue_counts = case_counts(request.user, [g.pk for g in page])
    for g in page:
        g.open_cases, g.overdue_cases = open_counts.get(g.pk, 0), overdue_counts.get(g.pk, 0)
    return render(
        request,
        "grids/list.html",
        {
            "form": form,
            "page": page,
            "export_limit": EXPORT_LIMIT,
            "querystring_base": querystring_base(request),
            "manages": request.user.can(Perm.MANAGE_GRIDS),
        },
    )


@require_perm(Perm.VIEW_GRIDS)
def grid_detail(request, code):
    grid = Grid.objects.visible_to(request.user).select_related("village__parent").filter(code=code).first()
    if grid is None:
        raise Http404("没有这个网格，或不在您的数据范围内。")
    members = [(m, mask_phone(m.phone)) for m in grid.members.select_related("user").order_by("role", "id")]
    open_counts, overdue_counts = case_counts(request.user, [grid.pk])
    cases = Case.objects.visible_to(request.user).filter(grid=grid).select_related("lead_unit")
    return render(
        request,
        "grids/detail.html",
        {
            "grid": grid,
            "area": f"{grid.area_m2 / 1e6:.2f}平方公里" if grid.area_m2 >= 1e6 else f"{round(grid.area_m2):,}平方米",
            "members": members,
            "open_cases": open_counts.get(grid.pk, 0),
            "overdue_cases": overdue_counts.get(grid.pk, 0),
            "recent": cases.order_by("-created_at", "-id")[:RECENT_CASES],
            "now": timezone.now(),
            "map_config": {"mode": "grid", "grid": {"type": "Feature", "properties": {}, "geometry": grid.polygon}},
        },
    )


# -- imports: upload → 预检 (nothing written) → 确认导入 (all or nothing) ----------------------------

GRIDS_SESSION_KEY = "grids_import"
MEMBERS_SESSION_KEY = "grid_members_import"


def _import_page(request, *, form, result, done, **context):
    errors = [(e.row or "", e.column, e.message) for e in (result.errors if result else [])]
    return render(
        request, "grids/import.html", {"form": form, "result": result, "errors": errors, "done": done, **context}
    )


def _confirm_lost(request, key: str) -> bool:
    """确认导入 pressed with nothing staged (session ended, or the page was resubmitted)."""
    if request.method == "POST" and request.POST.get("confirm") and not request.session.get(key):
        messages.error(request, "预检结果已失效，请重新上传文件并预检。")
        return True
    return False


def _geojson(path) -> bytes:
    """The staged file's bytes, without the byte-order mark some Windows GIS tools write (JSON refuses it)."""
    return path.read_bytes().removeprefix(codecs.BOM_UTF8)


@require_perm(Perm.MANAGE_GRIDS)
def import_polygons(request):
    """Grid polygons from GeoJSON: every feature checked, errors listed per feature, then all or nothing."""
    pending = request.session.get(GRIDS_SESSION_KEY)
    lost = _confirm_lost(request, GRIDS_SESSION_KEY)
    form = GridFileForm(None if lost else request.POST or None, None if lost else request.FILES or None)
    result, done = None, False
    if request.method == "POST" and request.POST.get("confirm") and pending:
        source = staging.folder("grids", pending["token"]) / "grids.geojson"
        result = import_grids(_geojson(source), dry_run=False, layer=pending["layer"], by=request.user)
        request.session.pop(GRIDS_SESSION_KEY, None)
        done, form = result.committed, GridFileForm()
    elif request.method == "POST" and form.is_valid():
        request.session.pop(GRIDS_SESSION_KEY, None)
        layer = form.cleaned_data["layer"].strip()
        token, folder = staging.stage("grids", {"grids.geojson": form.cleaned_data["file"]})
        result = import_grids(_geojson(folder / "grids.geojson"), dry_run=True, layer=layer)
        if not result.errors:
            request.session[GRIDS_SESSION_KEY] = {"token": token, "layer": layer}
    staged = request.session.get(GRIDS_SESSION_KEY)
    return _import_page(
        request, form=form, result=result, done=done, what="网格范围", unit="要素", layer=staged and staged["layer"]
    )


@require_perm(Perm.MANAGE_GRIDS)
def import_member_list(request):
    """Grid members from Excel: every row checked; the grids in the file get exactly the members listed."""
    pending = request.session.get(MEMBERS_SESSION_KEY)
    lost = _confirm_lost(request, MEMBERS_SESSION_KEY)
    form = MemberFileForm(None if lost else request.POST or None, None if lost else request.FILES or None)
    result, done = None, False
    if request.method == "POST" and request.POST.get("confirm") and pending:
        staged_file = staging.folder("grid-members", pending["token"]) / "members.xlsx"
        result = import_members(staged_file, dry_run=False, by=request.user)
        request.session.pop(MEMBERS_SESSION_KEY, None)
        done, form = result.committed, MemberFileForm()
    elif request.method == "POST" and form.is_valid():
        request.session.pop(MEMBERS_SESSION_KEY, None)
        token, folder = staging.stage("grid-members", {"members.xlsx": form.cleaned_data["file"]})
        result = import_members(folder / "members.xlsx", dry_run=True)
        if not result.errors:
            request.session[MEMBERS_SESSION_KEY] = {"token": token}
    return _import_page(request, form=form, result=result, done=done, what="网格员", unit="行")


@require_perm(Perm.MANAGE_GRIDS)
def member_template(request):
    """The members sheet to fill in: the columns import_members reads, 职务 as a drop-down, mobiles as text."""
    wb = Workbook()
    ws = wb.active
    ws.title = "网格员"
    ws.append(list(MEMBER_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (20, 12, 14, 16), strict=True):
        ws.column_dimensions[letter].width = width
        for row in range(2, 1002):
            ws[f"{letter}{row}"].number_format = "@"  # codes and mobiles stay text, not 4.1e14
    roles = DataValidation(type="list", formula1='"' + ",".join(ROLE_BY_LABEL) + '"', allow_blank=False)
    roles.error, roles.errorTitle = "请从下拉列表中选择职务。", "职务无效"
    ws.add_data_validation(roles)
    roles.add("C2:C1001")
    notes = wb.create_sheet("填写说明")
    for line in (
        ("网格编码", "15位，须是已导入范围的网格（村居12位区划代码＋3位序号）"),
        ("姓名", "必填"),
        ("职务", "、".join(ROLE_BY_LABEL)),
        ("手机号", "11位手机号，可空"),
        ("说明", "文件中出现的网格，其网格员以本文件为准（原有未列出的网格员将移除）；未出现的网格不变。"),
    ):
        notes.append(line)
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 12, 80
    buf = BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('网格员导入模板.xlsx')}"
    return response


urlpatterns = [
    path("", grid_list, name="list"),
    path("import/", import_polygons, name="import"),
    path("import/members/", import_member_list, name="import_members"),
    path("import/members/template.xlsx", member_template, name="member_template"),
    re_path(r"^(?P<code>\d{15})/$", grid_detail, name="detail"),
]
