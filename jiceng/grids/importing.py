"""GeoJSON grids in: every feature checked (code, village, polygon), errors listed per feature in Chinese,
all or nothing. Members come from Excel the same way, keeping or finding their platform accounts."""

from __future__ import annotations

import json
import re
from collections import defaultdict

import shapely
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from openpyxl import load_workbook
from shapely.geometry import shape
from shapely.validation import explain_validity

from jiceng.accounts.audit import log_operation
from jiceng.lib.importing import ImportResult, Rollback, RowError, cell_text
from jiceng.lib.validators import check_mobile
from jiceng.orgs.models import Region

from . import geometry
from .models import COMPREHENSIVE_LAYER, GRID_CODE, Grid, GridKind, GridMember

FILE = "GeoJSON"
KIND_BY_LABEL = {label: value for value, label in GridKind.choices} | {"综合": GridKind.COMPREHENSIVE}
# Mainland China with its islands, in degrees: a point outside is usually latitude and longitude swapped.
LON_RANGE, LAT_RANGE = (73.0, 136.0), (3.0, 54.0)
_WHERE = re.compile(r"\[([-\d.eE]+) ([-\d.eE]+)\]")
# The properties of a feature, as the page and the command name them.
FEATURE_FIELDS = {"code": "网格编码", "name": "网格名称", "kind": "类型", "geometry": "范围"}


class FeatureError(RowError):
    """A problem with one feature of a GeoJSON file: `row` counts features (a file has no rows to count)."""

    def __str__(self) -> str:
        where = " ".join(p for p in (f"第{self.row}个要素" if self.row else "", self.column) if p)
        return f"{self.sheet} {where}：{self.message}" if where else f"{self.sheet}：{self.message}"


def _reason(explanation: str) -> str:
    where = _WHERE.search(explanation)
    at = f"（约在经度{float(where.group(1)):.6f}、纬度{float(where.group(2)):.6f}处）" if where else ""
    if "Self-intersection" in explanation:
        return f"边界自相交{at}，请检查边界点的顺序。"
    if "Too few points" in explanation:
        return "边界点太少，至少需要3个不同的点。"
    if "Hole lies outside shell" in explanation:
        return f"内环（洞）在外边界之外{at}。"
    if "Nested shells" in explanation or "Interior is disconnected" in explanation:
        return f"多边形互相重叠或内部不连通{at}。"
    return f"多边形无效（{explanation}）。"


def check_geometry(raw) -> tuple[object | None, str | None]:
    """(shapely geometry, None) or (None, a Chinese message)."""
    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        kind = raw.get("type") if isinstance(raw, dict) else "空"
        return None, f"范围应为 Polygon 或 MultiPolygon，当前为 {kind}。"
    polygons = raw.get("coordinates") or []
    if raw["type"] == "Polygon":
        polygons = [polygons]
    for polygon in polygons:
        for ring in polygon or [[]]:
            if len(ring) < 4:
                return None, "边界点太少：每个环至少4个坐标（首尾相同）。"
            try:
                points = [(float(p[0]), float(p[1])) for p in ring]
            except (TypeError, ValueError, IndexError):
                return None, "坐标应为 [经度, 纬度] 数字对。"
            if points[0] != points[-1]:
                return None, "边界未闭合：首尾坐标应相同。"
            for lon, lat in points:
                if not (LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]):
                    return None, f"坐标 [{lon}, {lat}] 不在我国范围内，请确认按 [经度, 纬度] 顺序、使用 WGS-84 坐标。"
    geom = shape(raw)
    if not geom.is_valid:
        return None, _reason(explain_validity(geom))
    if geom.is_empty or geom.area == 0:
        return None, "范围面积为零。"
    return geom, None


def import_grids(text: str | bytes, *, dry_run: bool, layer: str = COMPREHENSIVE_LAYER, by=None) -> ImportResult:
    """Grids of one layer: 综合 (the comprehensive grids) or a department's layer (综治, 城管, 安监…) for 多网合一.
    A code names one grid across all layers, so a code another layer already uses is refused."""
    result = ImportResult()
    layer = (layer or "").strip()
    if not layer or len(layer) > Grid._meta.get_field("layer").max_length:
        result.errors.append(FeatureError(FILE, None, "", "图层名称应为1至20个字，如“综合”“综治”“城管”。"))
        return result
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        result.errors.append(FeatureError(FILE, None, "", "文件不是有效的 GeoJSON（JSON 格式错误）。"))
        return result
    features = data.get("features") if isinstance(data, dict) and data.get("type") == "FeatureCollection" else None
    if not isinstance(features, list):
        result.errors.append(FeatureError(FILE, None, "", "应为 GeoJSON FeatureCollection（含 features 数组）。"))
        return result
    villages = {r.code: r for r in Region.objects.filter(level=5)}
    seen: dict[str, int] = {}
    rows = []
    for number, feature in enumerate(features, start=1):
        props = (feature or {}).get("properties") or {}
        code, name = str(props.get("code", "")).strip(), str(props.get("name", "")).strip()
        kind = KIND_BY_LABEL.get(str(props.get("kind", "")).strip() or "综合网格")
        errors = []
        if not GRID_CODE.fullmatch(code):
            errors.append(("code", "网格编码应为15位数字（村居12位区划代码＋3位网格序号）。"))
        elif code[:12] not in villages:
            errors.append(("code", f"前12位{code[:12]}不是已登记的村（社区）区划代码。"))
        elif code in seen:
            errors.append(("code", f"与第{seen[code]}个要素重复。"))
        if not name:
            errors.append(("name", "网格名称不能为空。"))
        if kind is None:
            errors.append(("kind", f"类型“{props.get('kind')}”无效，可填：" + "、".join(GridKind.labels) + "。"))
        geom, problem = check_geometry((feature or {}).get("geometry"))
        if problem:
            errors.append(("geometry", problem))
        for field, message in errors:
            result.errors.append(FeatureError(FILE, number, FEATURE_FIELDS[field], f"{code or '（无编码）'} {message}"))
        seen.setdefault(code, number)
        if not errors:
            rows.append((code, name, kind, villages[code[:12]], feature["geometry"], geom))
    result.counts["网格"] = len(features)
    if result.errors:
        return result
    layers = dict(Grid.objects.filter(code__in=[r[0] for r in rows]).values_list("code", "layer"))
    for number, (code, *_) in enumerate(rows, start=1):
        if layers.get(code, layer) != layer:
            message = (
                f"{code} 该编码已是“{layers[code]}”图层的网格，不能导入到“{layer}”图层；"
                "部门网格请使用本村未占用的序号。"
            )
            result.errors.append(FeatureError(FILE, number, FEATURE_FIELDS["code"], message))
    if result.errors:
        return result
    existing = set(layers)
    result.counts["新增"] = sum(r[0] not in existing for r in rows)
    result.counts["更新"] = len(rows) - result.counts["新增"]
    try:
        with transaction.atomic():
            for code, name, kind, village, raw, geom in rows:
                minx, miny, maxx, maxy = geom.bounds
                Grid.objects.update_or_create(
                    code=code,
                    defaults={
                        "name": name,
                        "kind": kind,
                        "layer": layer,
                        "village": village,
                        "polygon": shapely.geometry.mapping(geom) if raw is None else raw,
                        "min_lon": minx,
                        "min_lat": miny,
                        "max_lon": maxx,
                        "max_lat": maxy,
                        "area_m2": geometry.area_m2(geom),
                        "active": True,
                    },
                )
            if dry_run:
                raise Rollback
            log_operation(by, "导入网格范围", f"{layer}图层", detail=_counted(result))
            transaction.on_commit(geometry.invalidate)
            result.committed = True
    except Rollback:
        pass
    return result


def _counted(result: ImportResult) -> str:
    return "，".join(f"{k}{v}" for k, v in result.counts.items())


MEMBER_COLUMNS = ("网格编码", "姓名", "职务", "手机号")
ROLE_BY_LABEL = {label: value for value, label in GridMember.Role.choices}


def import_members(source, *, dry_run: bool, by=None) -> ImportResult:
    """Grid members from an Excel sheet (网格编码, 姓名, 职务, 手机号). The grids in the file get exactly the
    members listed (others are removed from those grids); grids not in the file are untouched.

    A listed member keeps their platform account (and their patrols keep them) when the grid already has a member
    of the same name and mobile; anyone else is linked to the one active account with that mobile, as the account's
    own or its person's, so grid workers can patrol their grids. A mobile several accounts share links none."""
    sheet = "网格员"
    result = ImportResult()
    try:
        ws = load_workbook(source, read_only=True, data_only=True).worksheets[0]
        table = [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    except Exception:  # openpyxl raises many kinds of errors on a file that is not a workbook
        result.errors.append(RowError(sheet, None, "", "文件不是有效的 Excel（.xlsx）文件。"))
        return result
    header = table[0] if table else []
    missing = [c for c in MEMBER_COLUMNS if c not in header]
    if missing:
        result.errors.append(RowError(sheet, 1, "", "缺少列：" + "、".join(missing)))
        return result
    at = {h: i for i, h in enumerate(header)}
    grids = {g.code: g for g in Grid.objects.all()}
    rows = []
    for number, raw in enumerate(table[1:], start=2):
        if not any(raw):
            continue
        values = {column: (raw[i] if i < len(raw) else "") for column, i in at.items()}
        code, name, label, phone = (values[c] for c in MEMBER_COLUMNS)
        grid, role = grids.get(code), ROLE_BY_LABEL.get(label)
        if grid is None:
            result.errors.append(RowError(sheet, number, "网格编码", f"网格“{code}”不存在，请先导入网格范围。"))
        if not name:
            result.errors.append(RowError(sheet, number, "姓名", "不能为空。"))
        if role is None:
            choices = "、".join(ROLE_BY_LABEL)
            result.errors.append(RowError(sheet, number, "职务", f"“{label}”无效，可填：{choices}。"))
        if phone:
            try:
                phone = check_mobile(phone)
            except ValidationError as e:
                result.errors.append(RowError(sheet, number, "手机号", e.messages[0]))
        rows.append((grid, name, role, phone))
    result.counts["网格员"] = len(rows)
    if result.errors:
        return result
    try:
        with transaction.atomic():
            touched = {g.pk for g, *_ in rows}
            members = _replace_members(touched, rows)
            result.counts["网格"] = len(touched)
            result.counts["关联平台账号"] = sum(m.user_id is not None for m in members)
            if dry_run:
                raise Rollback
            log_operation(by, "导入网格员", "网格员名单", detail=_counted(result))
            result.committed = True
    except Rollback:
        pass
    return result


def _replace_members(grid_ids: set[int], rows: list[tuple]) -> list[GridMember]:
    """The members of `grid_ids` become `rows`: a row matching a present member (grid, name, mobile) updates it."""
    present: dict[tuple, list[GridMember]] = defaultdict(list)
    for member in GridMember.objects.filter(grid_id__in=grid_ids).order_by("id"):
        present[(member.grid_id, member.name, member.phone)].append(member)
    accounts = _accounts_by_mobile({phone for *_, phone in rows if phone})
    kept, added = [], []
    for grid, name, role, phone in rows:
        same = present.get((grid.pk, name, phone))
        member = same.pop(0) if same else GridMember(grid=grid, name=name, phone=phone)
        member.role = role
        if member.user_id is None and phone:
            member.user_id = accounts.get(phone)
        (kept if member.pk else added).append(member)
    GridMember.objects.filter(grid_id__in=grid_ids).exclude(pk__in=[m.pk for m in kept]).delete()
    GridMember.objects.bulk_update(kept, ["role", "user"])
    GridMember.objects.bulk_create(added)
    return kept + added


def _accounts_by_mobile(mobiles: set[str]) -> dict[str, int]:
    """Mobile → id of the one active account having it, as its own or its person's; a mobile shared is left out."""
    found: dict[str, set[int]] = defaultdict(set)
    accounts = (
        get_user_model().objects.filter(is_active=True).filter(Q(phone__in=mobiles) | Q(person__phone__in=mobiles))
    )
    for pk, own, persons in accounts.values_list("pk", "phone", "person__phone"):
        for mobile in {own, persons} & mobiles:
            found[mobile].add(pk)
    return {mobile: pk for mobile, (pk, *others) in found.items() if not others}
