"""多网合一: departmental grid layers (综治, 城管, 安监, 环保, 市场监管…) merged into one set of comprehensive grids.

How a plan is built (`build_merge_plan`), village by village (a departmental grid belongs to the village its code
names):

- **The village's area** is the union of its active comprehensive grids; a village without any takes the union of
  the chosen layers' grids in it, enclosed holes filled (a hole inside a village is still the village).
- **Proposal.** A village that has comprehensive grids keeps them as they are (codes, polygons, members): its
  departmental grids are mapped onto them. A village without gets new comprehensive grids covering its area less
  what other villages' comprehensive grids (existing, or proposed for a village with a lower code) already cover:
  one grid per village, as 多网合一 asks, or ⌈area ÷ MAX_GRID_M2⌉ grids of equal area cut in strips across the
  longer side when the village is larger. New codes continue the village's numbering after its highest code in
  any layer (codes are unique across layers); names are 「村名网格」 or 「村名第一网格」….
- **Mapping old → new**: each departmental grid with every proposed grid holding at least MIN_SHARE of its area,
  the overlap in m² and the share; the largest share is its main grid. A departmental grid in no proposed grid
  gets one row without a grid, so the mapping lists every departmental grid.
- **Report**: *overlaps* — two grids of different layers sharing a substantial area (see `_substantial`, and at
  least MIN_SHARE of the smaller one) while their borders disagree (identical grids are no conflict; a grid split
  between several grids of another layer shows as one row per pair, each saying so); *uncovered areas* — each
  substantial piece of a village's area in no grid of the chosen layers; *crossing grids* — a departmental grid
  reaching substantially into another village's area, or outside every known village's area.

Approval (`approve_merge_plan`) applies the plan in one transaction: the new comprehensive grids are created,
members carried over (`_carry_members`), the point → grid index invalidated. Departmental grids stay as they are;
the plan's mapping is their link to the comprehensive grids (`comprehensive_grids_of`).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

import shapely
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from shapely.geometry import Polygon, box, shape
from shapely.ops import unary_union

from jiceng.accounts.access import access_object
from jiceng.accounts.audit import log_operation
from jiceng.accounts.roles import Perm
from jiceng.lib.errors import DomainError
from jiceng.orgs.models import Region

from . import geometry
from .geometry import area_m2
from .models import (
    COMPREHENSIVE_LAYER,
    MERGE_TRANSITIONS,
    MU_M2,
    Grid,
    GridKind,
    GridMember,
    MergeIssue,
    MergeMapping,
    MergePlan,
    MergePlanEvent,
    MergeStatus,
    MergeTarget,
    townships_in_scope,
)

MIN_AREA_M2 = 100.0  # smaller overlaps, holes and crossings are digitising noise
MIN_SHARE = 0.01  # of the grid concerned (the smaller one for an overlap)
SLIVER_M = 2.0  # a piece no wider than this (a border drawn twice) is noise however long it is
MAX_GRID_M2 = 10_000_000.0  # a village larger than 10 km² (1.5万亩) gets several comprehensive grids

_SLIVER_DEG = SLIVER_M / 111_320 / 2  # half the width, in degrees of latitude (a negative buffer eats both sides)
_VERBS = {MergeStatus.SUBMITTED: "提交", MergeStatus.APPROVED: "批准", MergeStatus.RETURNED: "退回"}
_DIGITS = "零一二三四五六七八九"


def mu(m2: float) -> float:
    return m2 / MU_M2


def _chinese_number(n: int) -> str:
    """一 … 九十九 as in 第十二网格; larger numbers in digits."""
    if n < 10:
        return _DIGITS[n]
    if n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


# ---- geometry ----------------------------------------------------------------------------------------


def _polygonal(geom):
    """Only the polygonal part (an intersection adds lines and points where borders touch)."""
    if geom.is_empty or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return unary_union(parts) if parts else Polygon()


def _pieces(geom) -> list[Polygon]:
    geom = _polygonal(geom)
    if geom.is_empty:
        return []
    return [geom] if geom.geom_type == "Polygon" else list(geom.geoms)


def _filled(geom):
    return unary_union([Polygon(p.exterior) for p in _pieces(geom)])


def _substantial(geom) -> bool:
    """At least MIN_AREA_M2 and wider than a sliver somewhere."""
    geom = _polygonal(geom)
    return not geom.is_empty and area_m2(geom) >= MIN_AREA_M2 and not geom.buffer(-_SLIVER_DEG).is_empty


def _geojson(geom) -> dict:
    return json.loads(shapely.to_geojson(geom))


def _shape(raw):
    geom = shape(raw)
    return geom if geom.is_valid else geom.buffer(0)


def _split(geom, n: int) -> list:
    """`geom` in n pieces of equal area, cut by lines across its longer side."""
    if n <= 1:
        return [geom]
    minx, miny, maxx, maxy = geom.bounds
    across_x = (maxx - minx) * math.cos(math.radians((miny + maxy) / 2)) >= (maxy - miny)
    lo, hi = (minx, maxx) if across_x else (miny, maxy)

    def strip(a: float, b: float):
        return _polygonal(geom.intersection(box(a, miny, b, maxy) if across_x else box(minx, a, maxx, b)))

    total, cuts = geom.area, [lo]
    for i in range(1, n):
        a, b = lo, hi
        for _ in range(60):
            mid = (a + b) / 2
            a, b = (mid, b) if strip(lo, mid).area < total * i / n else (a, mid)
        cuts.append(b)
    cuts.append(hi)
    return [p for p in (strip(a, b) for a, b in pairwise(cuts)) if not p.is_empty]


def bounds_fields(geom) -> dict:
    """The bounding-box and area columns of a Grid for `geom`."""
    minx, miny, maxx, maxy = geom.bounds
    return {"min_lon": minx, "min_lat": miny, "max_lon": maxx, "max_lat": maxy, "area_m2": area_m2(geom)}


# ---- the proposal ------------------------------------------------------------------------------------


@dataclass
class _Source:
    grid: Grid
    geom: object
    area: float


@dataclass
class _Target:
    village: Region
    code: str
    name: str
    geom: object
    area: float
    grid: Grid | None = None  # an existing comprehensive grid kept as it is


@dataclass
class Proposal:
    targets: list[_Target] = field(default_factory=list)
    mappings: list[tuple[_Source, int | None, float, float, bool]] = field(default_factory=list)
    issues: list[MergeIssue] = field(default_factory=list)
    snapshot: dict[str, str] = field(default_factory=dict)


def _scope_sources(layers: list[str], township: Region | None):
    qs = Grid.objects.filter(active=True, layer__in=layers).select_related("village").order_by("code")
    return qs.filter(village__parent=township) if township is not None else qs


def _next_numbers(villages: list[Region]) -> dict[int, int]:
    """The next free 3-digit number of each village, over every layer (codes are unique across layers)."""
    highest: dict[int, int] = defaultdict(int)
    prefixes = {v.code: v.pk for v in villages}
    query = Q(village__in=villages)
    for code in {v.code for v in villages}:
        query |= Q(code__startswith=code)
    for code in Grid.objects.filter(query).values_list("code", flat=True):
        if code[:12] in prefixes and code[12:].isdigit():
            highest[prefixes[code[:12]]] = max(highest[prefixes[code[:12]]], int(code[12:]))
    return {v.pk: highest[v.pk] + 1 for v in villages}


def propose(layers: list[str], township: Region | None) -> Proposal:
    """The plan for the chosen layers, computed without writing anything (see the module's docstring)."""
    out = Proposal()
    sources = []
    for grid in _scope_sources(layers, township):
        geom = _shape(grid.polygon)
        sources.append(_Source(grid, geom, area_m2(geom)))
    if not sources:
        return out
    villages = {s.grid.village_id: s.grid.village for s in sources}
    by_village: dict[int, list[_Source]] = defaultdict(list)
    for s in sources:
        by_village[s.grid.village_id].append(s)
    # Comprehensive grids of these villages and of their neighbours (whatever lies under the sources' extent).
    minx = min(s.grid.min_lon for s in sources)
    maxx = max(s.grid.max_lon for s in sources)
    miny = min(s.grid.min_lat for s in sources)
    maxy = max(s.grid.max_lat for s in sources)
    near = Q(min_lon__lte=maxx, max_lon__gte=minx, min_lat__lte=maxy, max_lat__gte=miny)
    comprehensive = list(
        Grid.objects.filter(near | Q(village__in=list(villages)), active=True, layer=COMPREHENSIVE_LAYER)
        .select_related("village")
        .order_by("code")
    )
    kept: dict[int, list[tuple[Grid, object]]] = defaultdict(list)
    for g in comprehensive:
        kept[g.village_id].append((g, _shape(g.polygon)))
        villages.setdefault(g.village_id, g.village)
        out.snapshot[str(g.pk)] = g.updated_at.isoformat()  # the proposal depends on the neighbours' grids too
    area = {v: unary_union([geom for _, geom in gs]) for v, gs in kept.items()}
    for v, group in by_village.items():
        if v not in area:
            area[v] = _filled(unary_union([s.geom for s in group]))
    for s in sources:
        out.snapshot[str(s.grid.pk)] = s.grid.updated_at.isoformat()

    # Proposed comprehensive grids, village by village in code order.
    claimed = unary_union([geom for gs in kept.values() for _, geom in gs])
    planned = sorted(by_village, key=lambda v: villages[v].code)
    numbers = _next_numbers([villages[v] for v in planned if v not in kept])
    for v in planned:
        village = villages[v]
        if v in kept:
            for grid, geom in kept[v]:
                out.targets.append(_Target(village, grid.code, grid.name, geom, area_m2(geom), grid))
            continue
        region = _polygonal(area[v].difference(claimed)) if not claimed.is_empty else area[v]
        region = unary_union([p for p in _pieces(region) if _substantial(p)])
        if region.is_empty:
            continue
        claimed = unary_union([claimed, region])
        parts = _split(region, math.ceil(area_m2(region) / MAX_GRID_M2))
        first = numbers[v]
        if first + len(parts) - 1 > 999:
            raise DomainError(f"{village.name}的网格编号已用到{first - 1:03d}，三位网格序号不够再新设网格。")
        for i, part in enumerate(parts):
            name = f"{village.name}网格" if len(parts) == 1 else f"{village.name}第{_chinese_number(i + 1)}网格"
            out.targets.append(_Target(village, f"{village.code}{first + i:03d}", name, part, area_m2(part)))

    # Mapping old → new.
    target_tree = shapely.STRtree([t.geom for t in out.targets])
    for s in sources:
        rows = []
        for i in target_tree.query(s.geom, predicate="intersects"):
            overlap = area_m2(_polygonal(s.geom.intersection(out.targets[i].geom)))
            if overlap / s.area >= MIN_SHARE:
                rows.append([s, int(i), overlap, overlap / s.area, False])
        if rows:
            max(rows, key=lambda r: (r[3], -r[1]))[4] = True
        else:
            rows = [[s, None, 0.0, 0.0, False]]
        out.mappings.extend(tuple(r) for r in sorted(rows, key=lambda r: -r[3]))

    out.issues = [
        *_overlaps(sources),
        *_uncovered(planned, villages, area, sources),
        *_crossings(sources, villages, area),
    ]
    return out


def _overlaps(sources: list[_Source]) -> list[MergeIssue]:
    tree = shapely.STRtree([s.geom for s in sources])
    left, right = tree.query([s.geom for s in sources], predicate="intersects")
    found = []
    for i, j in sorted(zip(left.tolist(), right.tolist(), strict=True)):
        a, b = sources[i], sources[j]
        if i >= j or a.grid.layer == b.grid.layer:
            continue
        shared = _polygonal(a.geom.intersection(b.geom))
        overlap = area_m2(shared) if not shared.is_empty else 0.0
        if overlap < MIN_SHARE * min(a.area, b.area) or not _substantial(shared):
            continue
        if not _substantial(a.geom.symmetric_difference(b.geom)):
            continue  # the same grid drawn by two departments: no conflict
        found.append((a, b, shared, overlap))
    # A grid split between several grids of another layer: the clearest sign that the layers' borders disagree.
    splits: dict[tuple[int, str], int] = defaultdict(int)
    for a, b, _, _ in found:
        splits[(a.grid.pk, b.grid.layer)] += 1
        splits[(b.grid.pk, a.grid.layer)] += 1
    issues = []
    for a, b, shared, overlap in found:
        note = (
            f"{a.grid.layer}“{a.grid.name}”与{b.grid.layer}“{b.grid.name}”重叠约{mu(overlap):,.1f}亩"
            f"（占前者{overlap / a.area:.0%}、后者{overlap / b.area:.0%}），边界不一致"
        )
        for one, other in ((a, b), (b, a)):
            if splits[(one.grid.pk, other.grid.layer)] > 1:
                note += f"；“{one.grid.name}”被{other.grid.layer}的{splits[(one.grid.pk, other.grid.layer)]}个网格分割"
        issues.append(
            MergeIssue(
                kind=MergeIssue.Kind.OVERLAP,
                village=a.grid.village,
                grid_a=a.grid,
                grid_b=b.grid,
                area_m2=overlap,
                share_a=overlap / a.area,
                share_b=overlap / b.area,
                polygon=_geojson(shared),
                note=note[:300],
            )
        )
    return issues


def _uncovered(planned, villages, area, sources: list[_Source]) -> list[MergeIssue]:
    tree = shapely.STRtree([s.geom for s in sources])
    issues = []
    for v in planned:
        cover = unary_union([sources[k].geom for k in tree.query(area[v], predicate="intersects")])
        for piece in _pieces(area[v].difference(cover)):
            if _substantial(piece):
                size = area_m2(piece)
                issues.append(
                    MergeIssue(
                        kind=MergeIssue.Kind.UNCOVERED,
                        village=villages[v],
                        area_m2=size,
                        polygon=_geojson(piece),
                        note=f"{villages[v].name}约{mu(size):,.1f}亩（{size:,.0f}平方米）不在任何部门网格内",
                    )
                )
    return issues


def _crossings(sources: list[_Source], villages, area) -> list[MergeIssue]:
    ids = list(area)
    tree = shapely.STRtree([area[v] for v in ids])
    known = unary_union(list(area.values()))
    issues = []
    for s in sources:
        limit = max(MIN_AREA_M2, MIN_SHARE * s.area)
        reach = [(villages[ids[k]], _polygonal(s.geom.intersection(area[ids[k]]))) for k in tree.query(s.geom)]
        reach = [(w, part) for w, part in reach if w.pk != s.grid.village_id]
        reach.append((None, _polygonal(s.geom.difference(known))))
        for other, part in reach:
            size = area_m2(part) if not part.is_empty else 0.0
            if size < limit or not _substantial(part):
                continue
            where = f"伸入{other.name}" if other else "伸出各村（社区）已知范围"
            issues.append(
                MergeIssue(
                    kind=MergeIssue.Kind.CROSSING,
                    village=s.grid.village,
                    grid_a=s.grid,
                    other_village=other,
                    area_m2=size,
                    share_a=size / s.area,
                    polygon=_geojson(part),
                    note=f"{s.grid.layer}“{s.grid.name}”（{s.grid.village.name}）{where}约{mu(size):,.1f}亩"
                    f"（占该网格{size / s.area:.0%}）"[:300],
                )
            )
    return issues


# ---- actions -----------------------------------------------------------------------------------------


@transaction.atomic
def build_merge_plan(
    *, layers: list[str], township: Region | None = None, by, name: str = "", note: str = ""
) -> MergePlan:
    """Compute the proposal, the mapping and the report for the chosen departmental layers and save them as a draft."""
    layers = sorted({str(layer).strip() for layer in layers if str(layer).strip()})
    if not layers:
        raise DomainError("请选择至少一个部门网格图层。", field="layers")
    if COMPREHENSIVE_LAYER in layers:
        raise DomainError("综合网格不是部门图层，不能作为合并的来源。", field="layers")
    if township is not None and township.level != 4:
        raise DomainError("请选择乡镇（街道），或留空表示全县。", field="township")
    where = township.name if township is not None else "全县"
    present = set(_scope_sources(layers, township).order_by("layer").values_list("layer", flat=True).distinct())
    missing = [layer for layer in layers if layer not in present]
    if missing:
        raise DomainError(f"{where}没有“{'、'.join(missing)}”图层的在用网格。", field="layers")
    proposal = propose(layers, township)
    plan = MergePlan.objects.create(
        name=name.strip() or f"{where}多网合一方案（{'、'.join(layers)}）",
        township=township,
        layers=layers,
        note=note.strip(),
        created_by=by,
        snapshot=proposal.snapshot,
    )
    targets = MergeTarget.objects.bulk_create(
        MergeTarget(
            plan=plan,
            village=t.village,
            code=t.code,
            name=t.name,
            is_new=t.grid is None,
            polygon=_geojson(t.geom) if t.grid is None else t.grid.polygon,
            area_m2=t.area,
            grid=t.grid,
        )
        for t in proposal.targets
    )
    MergeMapping.objects.bulk_create(
        MergeMapping(
            plan=plan,
            source=s.grid,
            source_code=s.grid.code,
            source_name=s.grid.name,
            source_layer=s.grid.layer,
            village=s.grid.village,
            target=targets[i] if i is not None else None,
            overlap_m2=overlap,
            share=share,
            is_main=main,
        )
        for s, i, overlap, share, main in proposal.mappings
    )
    for issue in proposal.issues:
        issue.plan = plan
    MergeIssue.objects.bulk_create(proposal.issues)
    MergePlanEvent.objects.create(plan=plan, to_status=MergeStatus.DRAFT, by=by, note="生成方案")
    log_operation(by, "生成多网合一方案", plan, detail=f"{len(proposal.mappings)}条对照，{len(proposal.issues)}个问题")
    return plan


def _locked(plan: MergePlan) -> MergePlan:
    return MergePlan.objects.select_for_update().get(pk=plan.pk)


def set_merge_status(plan: MergePlan, to: str, *, by, note: str = "") -> MergePlan:
    """The only writer of a plan's status (call it inside the action's transaction, on a locked plan)."""
    if to not in MERGE_TRANSITIONS[plan.status]:
        label = MergeStatus(plan.status).label
        hint = "，请先提交" if plan.status == MergeStatus.DRAFT and to != MergeStatus.SUBMITTED else ""
        raise DomainError(f"方案状态为“{label}”，不能{_VERBS[to]}{hint}。")
    MergePlanEvent.objects.create(plan=plan, from_status=plan.status, to_status=to, note=note[:300], by=by)
    plan.status = to
    plan.save(update_fields=["status"])
    log_operation(by, f"多网合一方案{MergeStatus(to).label}", plan, detail=note)
    return plan


def _check_current(plan: MergePlan) -> None:
    """Refuse a plan whose grids changed since it was built, or whose new codes are taken."""
    new = list(plan.targets.filter(is_new=True).select_related("village"))
    taken = sorted(Grid.objects.filter(code__in=[t.code for t in new]).values_list("code", flat=True))
    if taken:
        raise DomainError(f"网格编码{'、'.join(taken[:5])}已被占用，与方案拟设的网格冲突，请重新生成方案。")
    crowded = sorted(
        {
            g.village.name
            for g in Grid.objects.filter(
                village__in=[t.village_id for t in new], layer=COMPREHENSIVE_LAYER, active=True
            ).select_related("village")
        }
    )
    if crowded:
        raise DomainError(f"{'、'.join(crowded)}在方案生成后已有综合网格，与方案不一致，请重新生成方案。")
    stamps = {
        str(pk): (updated, active, code)
        for pk, updated, active, code in Grid.objects.filter(pk__in=[int(k) for k in plan.snapshot]).values_list(
            "pk", "updated_at", "active", "code"
        )
    }
    changed = [
        stamps[key][2] if key in stamps else f"（已删除的网格{key}）"
        for key, stamp in plan.snapshot.items()
        if key not in stamps or not stamps[key][1] or stamps[key][0] != datetime.fromisoformat(stamp)
    ]
    added = _scope_sources(plan.layers, plan.township).exclude(pk__in=[int(k) for k in plan.snapshot])
    changed += list(added.values_list("code", flat=True)[:5])
    if changed:
        raise DomainError(f"方案生成后网格{'、'.join(sorted(changed)[:5])}等已有变动，请重新生成方案。")


@transaction.atomic
def submit_merge_plan(plan: MergePlan, *, by, note: str = "") -> MergePlan:
    plan = _locked(plan)
    if plan.status == MergeStatus.DRAFT:
        _check_current(plan)
    set_merge_status(plan, MergeStatus.SUBMITTED, by=by, note=note or "提交审批")
    plan.submitted_at = timezone.now()
    plan.save(update_fields=["submitted_at"])
    return plan


@transaction.atomic
def return_merge_plan(plan: MergePlan, *, by, reason: str) -> MergePlan:
    if not reason.strip():
        raise DomainError("请填写退回理由。", field="reason")
    plan = _locked(plan)
    return set_merge_status(plan, MergeStatus.RETURNED, by=by, note=reason.strip())


@transaction.atomic
def approve_merge_plan(plan: MergePlan, *, by, document_no: str = "", note: str = "") -> MergePlan:
    """批准 and apply: new comprehensive grids created, members carried over, the point → grid index rebuilt."""
    plan = _locked(plan)
    if plan.status != MergeStatus.SUBMITTED:
        set_merge_status(plan, MergeStatus.APPROVED, by=by)  # raises the refusal for the current status
    _check_current(plan)
    targets = list(plan.targets.filter(is_new=True).select_related("village"))
    try:
        with transaction.atomic():
            for t in targets:
                t.grid = Grid.objects.create(
                    code=t.code,
                    name=t.name,
                    village=t.village,
                    kind=GridKind.COMPREHENSIVE,
                    layer=COMPREHENSIVE_LAYER,
                    polygon=t.polygon,
                    **bounds_fields(_shape(t.polygon)),
                )
    except IntegrityError:
        raise DomainError("拟设网格的编码刚被占用，请重新生成方案。") from None
    MergeTarget.objects.bulk_update(targets, ["grid"])
    carried = _carry_members(plan)
    set_merge_status(plan, MergeStatus.APPROVED, by=by, note=note or "批准并实施")
    plan.approved_by, plan.approved_at = by, timezone.now()
    plan.document_no = document_no.strip() or plan.document_no
    plan.save(update_fields=["approved_by", "approved_at", "document_no"])
    log_operation(by, "实施多网合一方案", plan, detail=f"新设综合网格{len(targets)}个，转入网格成员{carried}人")
    transaction.on_commit(geometry.invalidate)
    return plan


def _carry_members(plan: MergePlan) -> int:
    """Members of each departmental grid join the comprehensive grid holding the largest share of it (its main
    mapping), with name, phone and account. A 网格长 stays 网格长 only where the comprehensive grid has no chief yet
    (its own chief first, then the departmental grids in order of share); otherwise they join as 专职网格员. A person
    already a member (same account, or same name and phone) is not added twice. Departmental memberships stay."""
    mains = (
        plan.mappings.filter(is_main=True, source__isnull=False, target__grid__isnull=False)
        .select_related("target__grid", "source")
        .prefetch_related("source__members")
        .order_by("target__code", "-share", "source_code")
    )
    members: dict[int, list[GridMember]] = {}
    added = 0
    for m in mains:
        grid = m.target.grid
        present = members.setdefault(grid.pk, list(grid.members.all()))
        for member in m.source.members.all():
            if any(
                (member.user_id and p.user_id == member.user_id) or (p.name, p.phone) == (member.name, member.phone)
                for p in present
            ):
                continue
            role = member.role
            if role == GridMember.Role.CHIEF and any(p.role == GridMember.Role.CHIEF for p in present):
                role = GridMember.Role.FULL
            present.append(
                GridMember.objects.create(
                    grid=grid, name=member.name, role=role, phone=member.phone, user_id=member.user_id
                )
            )
            added += 1
    return added


# ---- queries -----------------------------------------------------------------------------------------


def plans_in_scope(user, perm: str):
    if not user.can(perm):
        return MergePlan.objects.none()
    towns = townships_in_scope(user, perm)
    return MergePlan.objects.all() if towns is None else MergePlan.objects.filter(township__in=towns)


def get_merge_plan_for_user(user, pk, *, write: bool = False, approve: bool = False) -> MergePlan:
    """Invisible → 404, else 403 unless: `write` (submit) MANAGE_GRIDS, `approve` (approve, return)
    APPROVE_GRID_MERGE, each over the plan's township (a county-wide plan needs a county-wide scope)."""
    return access_object(
        MergePlan.objects.visible_to(user).select_related("township", "created_by", "approved_by"),
        pk,
        writable=plans_in_scope(user, Perm.APPROVE_GRID_MERGE if approve else Perm.MANAGE_GRIDS),
        write=write or approve,
    )


def drafting_townships(user):
    """Townships the user may build a plan for (MANAGE_GRIDS scope); None means the whole county too."""
    towns = townships_in_scope(user, Perm.MANAGE_GRIDS)
    return None if towns is None else Region.objects.filter(pk__in=towns, level=4)


def departmental_layers() -> list[str]:
    return sorted(
        Grid.objects.filter(active=True)
        .exclude(layer=COMPREHENSIVE_LAYER)
        .order_by("layer")
        .values_list("layer", flat=True)
        .distinct()
    )


def comprehensive_grids_of(grid: Grid) -> list[tuple[Grid, float]]:
    """The comprehensive grids a departmental grid was merged into by the latest approved plan, with shares."""
    latest = (
        MergeMapping.objects.filter(source=grid, plan__status=MergeStatus.APPROVED)
        .order_by("-plan__approved_at", "-plan_id")
        .values_list("plan_id", flat=True)
        .first()
    )
    rows = MergeMapping.objects.filter(source=grid, plan_id=latest, target__grid__isnull=False)
    return [(m.target.grid, m.share) for m in rows.select_related("target__grid").order_by("-share")]
