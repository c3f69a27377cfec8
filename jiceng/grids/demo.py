"""Demo grids for 示范县: every village gets comprehensive grids drawn on an invented map, plus a few 专属网格.

Regions carry no coordinates, so the map is made up, the same every time (fixed seed): the county is an
irregular outline round COUNTY_CENTRE; the 街道 share a small urban core in the middle, the other townships
split the ring around it; villages split their township and grids split their village, each split a
relaxed Voronoi diagram clipped to its parent. Neighbouring cells share their edges, so the comprehensive
grids cover the county without overlapping. `point_in` gives the case demo a point inside a village.
"""

from __future__ import annotations

import json
import math
import random

import shapely
from django.db import transaction
from shapely.affinity import rotate
from shapely.geometry import MultiPoint, Point, Polygon, box, mapping

from jiceng.accounts.models import RoleAssignment, User
from jiceng.accounts.roles import Role
from jiceng.orgs.demo.data import COUNTY_CODE, RANDOM_SEED
from jiceng.orgs.demo.seed import PeopleFactory
from jiceng.orgs.models import Person, Region, RegionKind, UnitKind

from . import geometry
from .importing import import_grids
from .models import Grid, GridKind, GridMember

COUNTY_CENTRE = (114.03, 32.98)  # (longitude, latitude): where the case demo puts 示范县, near 驻马店
COUNTY_RADIUS = (0.19, 0.15)  # degrees of longitude and latitude: about 36 km across
CORE_RADIUS = (0.035, 0.028)  # the county seat's built-up area, shared by the 街道
NUMERALS = "一二三四五六七八九十"
EXISTS_LINE = "网格：示范县网格已存在，保留现有网格。"

# 专属网格: (kind, name, in which kind of village: "subdistrict" | "town" | "village", size in metres)
SPECIAL = (
    (GridKind.SCHOOL, "示范县第一高级中学专属网格", "subdistrict", (420, 300)),
    (GridKind.MARKET, "{township}农贸市场专属网格", "town", (260, 180)),
    (GridKind.ENTERPRISE, "示范县宏达食品有限公司专属网格", "village", (380, 260)),
)


def _grid_count(village: Region, township: Region, rng: random.Random) -> int:
    """Urban communities are dense and get more grids; villages get one to three."""
    if township.kind == RegionKind.SUBDISTRICT:
        return rng.randint(3, 4)
    if village.kind == RegionKind.COMMUNITY:
        return rng.randint(2, 3)
    return rng.choice((1, 2, 2, 3))


# -- drawing -------------------------------------------------------------------------------------


def _outline(rng: random.Random, centre, radius, points: int = 36):
    """A blob round `centre`: an ellipse with a wobbly edge."""
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(3)]
    ring = []
    for i in range(points):
        t = 2 * math.pi * i / points
        waves = zip((2, 3, 5), (0.10, 0.07, 0.04), phases, strict=True)
        r = 1 + sum(height * math.sin(k * t + phase) for k, height, phase in waves)
        r *= rng.uniform(0.97, 1.03)
        ring.append((centre[0] + radius[0] * r * math.cos(t), centre[1] + radius[1] * r * math.sin(t)))
    return Polygon(ring)


def _sample(area, rng: random.Random) -> Point:
    """A random point strictly inside `area`."""
    minx, miny, maxx, maxy = area.bounds
    while True:
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if area.contains_properly(p):
            return p


def _polygons(geom) -> list:
    """The polygons of an intersection result (which may be a collection with stray lines)."""
    if geom.geom_type == "Polygon":
        return [geom]
    return [g for part in getattr(geom, "geoms", []) for g in _polygons(part)]


def _cells(area, seeds: list[Point]) -> list:
    """The Voronoi cells of `seeds`, in the seeds' order, clipped to `area`."""
    diagram = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=area.envelope.buffer(1), ordered=True)
    cells = []
    for cell in diagram.geoms:
        parts = _polygons(cell.intersection(area))
        cells.append(parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts))
    return cells


def _relaxed(area, cells: list) -> list:
    """One step of Lloyd's relaxation: the cells of their own centres, which evens out their sizes."""
    return _cells(area, [c.centroid if area.contains_properly(c.centroid) else c.point_on_surface() for c in cells])


def split(area, n: int, rng: random.Random, relax: int = 3) -> list:
    """`area` cut into `n` cells of similar size that share their edges, from north-west to south-east."""
    if n <= 1:
        return [area]
    cells = _cells(area, [_sample(area, rng) for _ in range(n)])
    for _ in range(relax):
        cells = _relaxed(area, cells)
    return sorted(cells, key=lambda c: (-round(c.centroid.y, 2), c.centroid.x))


def draw_county(townships: list[Region], villages: dict[int, list[Region]], rng: random.Random) -> dict:
    """{village pk: [grid polygons]} for the whole county."""
    county = _outline(rng, COUNTY_CENTRE, COUNTY_RADIUS)
    urban = [t for t in townships if t.kind == RegionKind.SUBDISTRICT]
    rural = [t for t in townships if t.kind != RegionKind.SUBDISTRICT]
    shapes: dict[int, object] = {}
    if urban:
        core = _outline(rng, COUNTY_CENTRE, CORE_RADIUS, points=24)
        for t, cell in zip(urban, _split_round(core, len(urban), rng), strict=True):
            shapes[t.pk] = cell
        county = county.difference(core)
    for t, cell in zip(rural, _split_round(county, len(rural), rng), strict=True):
        shapes[t.pk] = cell
    out = {}
    for t in townships:
        vs = villages.get(t.pk, [])
        for v, cell in zip(vs, split(shapes[t.pk], len(vs), rng), strict=True):
            out[v.pk] = split(cell, _grid_count(v, t, rng), rng)
    # Cells clipped separately meet with rounding slivers where one side has a vertex the other lacks;
    # cleaning the coverage gives neighbours exactly the same shared edges, so no point falls between them.
    keys = [(pk, i) for pk, cells in out.items() for i in range(len(cells))]
    cleaned = shapely.coverage_clean([out[pk][i] for pk, i in keys], gap_width=1e-7)
    for (pk, i), cell in zip(keys, cleaned, strict=True):
        out[pk][i] = cell
    return out


def _split_round(area, n: int, rng: random.Random) -> list:
    """`area` cut into `n` slices round its centre, one per township, in code order clockwise from north."""
    if n <= 1:
        return [area]
    cx, cy = COUNTY_CENTRE
    minx, miny, maxx, maxy = area.bounds
    rx, ry = (maxx - minx) / 2, (maxy - miny) / 2
    seeds = []
    for i in range(n):
        t = math.pi / 2 - 2 * math.pi * (i + rng.uniform(-0.15, 0.15)) / n
        seed = Point(cx + 0.6 * rx * math.cos(t), cy + 0.6 * ry * math.sin(t))
        seeds.append(seed if area.contains_properly(seed) else _sample(area, rng))
    cells = _cells(area, seeds)
    for _ in range(2):
        cells = _relaxed(area, cells)
    return cells


def _feature(code: str, name: str, kind: str, geom) -> dict:
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, "kind": GridKind(kind).label},
        "geometry": mapping(geom),
    }


def _metres(lat: float) -> tuple[float, float]:
    """Degrees of longitude and latitude per metre at `lat`."""
    per_degree = math.pi * geometry.EARTH / 180
    return 1 / (per_degree * math.cos(math.radians(lat))), 1 / per_degree


# -- seeding -------------------------------------------------------------------------------------


def seed_grids() -> list[str]:
    """Draw the demo county's grids and their members, unless it has grids already; lines for the summary.

    Needs the orgs demo (regions, village units, the 网格员 people and accounts). Call inside a transaction.
    """
    county = Region.objects.filter(code=COUNTY_CODE).first()
    if county is None:
        return []
    townships = list(Region.objects.townships().filter(parent=county).order_by("code"))
    village_list = list(Region.objects.villages().filter(parent__in=townships).order_by("code"))
    if Grid.objects.filter(village__in=village_list).exists():
        return [EXISTS_LINE]
    villages: dict[int, list[Region]] = {}
    for v in village_list:
        villages.setdefault(v.parent_id, []).append(v)
    rng = random.Random(RANDOM_SEED + 40)
    drawn = draw_county(townships, villages, rng)
    features, special = [], []
    for v in village_list:
        for n, cell in enumerate(drawn[v.pk], start=1):
            label = NUMERALS[n - 1] if n <= len(NUMERALS) else str(n)
            features.append(_feature(f"{v.code}{n:03d}", f"{v.name}第{label}网格", GridKind.COMPREHENSIVE, cell))
    township_by_pk = {t.pk: t for t in townships}
    for number, (kind, name, where, size) in enumerate(SPECIAL, start=901):
        village = _special_village(where, townships, villages, rng)
        if village is None:
            continue
        shape = _special_shape(drawn[village.pk], size, rng)
        name = name.format(township=township_by_pk[village.parent_id].name.removesuffix("镇"))
        features.append(_feature(f"{village.code}{number}", name, kind, shape))
        special.append(f"{village.code}{number}")
    result = import_grids(json.dumps({"type": "FeatureCollection", "features": features}), dry_run=False)
    if not result.committed:
        raise RuntimeError("演示网格生成有误：" + "；".join(str(e) for e in result.errors[:5]))
    geometry.invalidate()  # the case demo places its reports next, in this same transaction
    transaction.on_commit(geometry.invalidate)
    members = _seed_members(village_list, rng)
    comprehensive = len(features) - len(special)
    return [f"网格{len(features)}个（综合网格{comprehensive}个、专属网格{len(special)}个），网格成员{members}人"]


def _special_village(where: str, townships, villages, rng: random.Random) -> Region | None:
    if where == "subdistrict":
        candidates = [v for t in townships if t.kind == RegionKind.SUBDISTRICT for v in villages.get(t.pk, [])]
    elif where == "town":
        candidates = [
            v
            for t in townships
            if t.kind != RegionKind.SUBDISTRICT
            for v in villages.get(t.pk, [])
            if v.kind == RegionKind.COMMUNITY
        ]
    else:
        candidates = [v for vs in villages.values() for v in vs if v.kind == RegionKind.VILLAGE]
    return candidates[rng.randrange(len(candidates))] if candidates else None


def _special_shape(cells: list, size: tuple[int, int], rng: random.Random):
    """A school, market or factory compound: a turned rectangle well inside one of the village's grids."""
    cell = max(cells, key=lambda c: c.area)
    inner = cell.buffer(-0.002) if not cell.buffer(-0.002).is_empty else cell
    while True:
        centre = _sample(inner, rng)
        dx, dy = _metres(centre.y)
        w, h = size[0] * dx / 2, size[1] * dy / 2
        shape = rotate(box(centre.x - w, centre.y - h, centre.x + w, centre.y + h), rng.uniform(-25, 25))
        if cell.contains(shape):
            return shape


def _seed_members(village_list: list[Region], rng: random.Random) -> int:
    """A 网格长 and a 专职网格员 for every grid, and 兼职网格员 for some; the village's 网格员 (with their
    accounts, such as `wangge`) take the first grid of their village."""
    people = PeopleFactory(rng)
    workers: dict[int, list[tuple[str, str, User | None]]] = {}
    staff = Person.objects.filter(
        position="网格员", active=True, work_unit__kind=UnitKind.VILLAGE, work_unit__region__in=village_list
    ).select_related("work_unit", "account")
    for p in staff.order_by("pk"):
        workers.setdefault(p.work_unit.region_id, []).append((p.name, p.phone, getattr(p, "account", None)))
    linked = {u.pk for vs in workers.values() for *_, u in vs if u}
    accounts = RoleAssignment.objects.filter(
        role=Role.GRID_WORKER, unit__region__in=village_list, user__is_active=True
    ).select_related("user", "unit")
    for a in accounts.order_by("pk"):
        if a.user_id not in linked:
            linked.add(a.user_id)
            workers.setdefault(a.unit.region_id, []).append((a.user.full_name or a.user.username, a.user.phone, a.user))
    rows = []
    grids = Grid.objects.filter(village__in=village_list).order_by("code")
    first_of_village: set[int] = set()
    for grid in grids:
        rows.append(GridMember(grid=grid, name=people.name(rng.random() < 0.75), role="chief", phone=people.phone()))
        own = workers.get(grid.village_id, []) if grid.kind == GridKind.COMPREHENSIVE else []
        if own and grid.village_id not in first_of_village:
            first_of_village.add(grid.village_id)
            rows += [GridMember(grid=grid, name=n, role="full", phone=ph, user=u) for n, ph, u in own]
        else:
            rows.append(GridMember(grid=grid, name=people.name(rng.random() < 0.5), role="full", phone=people.phone()))
        for _ in range(rng.choice((0, 1, 1, 2)) if grid.kind == GridKind.COMPREHENSIVE else 0):
            rows.append(GridMember(grid=grid, name=people.name(rng.random() < 0.6), role="part", phone=people.phone()))
    GridMember.objects.bulk_create(rows)
    return len(rows)


# -- points for the case demo --------------------------------------------------------------------


def point_in(village: Region, rng: random.Random) -> tuple[float, float] | None:
    """A random (longitude, latitude) that the grid index places in `village`, to 6 decimals (about 0.1 m);
    None when the village has no comprehensive grid."""
    index = geometry.get_index()
    shapes = [index.tree.geometries[i] for i in (index.villages == village.pk).nonzero()[0]]
    if not shapes:
        return None
    weights = [s.area for s in shapes]
    for _ in range(1000):
        p = _sample(rng.choices(shapes, weights)[0], rng)
        lon, lat = round(p.x, 6), round(p.y, 6)
        found = index.locate(lon, lat)
        if found and index.villages[(index.ids == found).nonzero()[0][0]] == village.pk:
            return lon, lat
    raise RuntimeError(f"{village.name}的网格内找不到点")  # only a sliver of a village could get here
