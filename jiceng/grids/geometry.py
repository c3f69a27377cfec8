"""Point → grid: the grids' polygons in a shapely STRtree, rebuilt when grids change.

A point inside a 专属网格 (a school, a market, an enterprise drawn inside a 综合网格) belongs to the 专属网格;
a point on the shared edge of two grids of the same kind belongs to the grid with the lower code (the rule
is deterministic, so a report on a road between two grids always goes to the same one); a point outside
every grid has no grid, and the case keeps its village and township from the address instead.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from django.db.models import Case as DbCase
from django.db.models import Count, Max, When
from shapely.geometry import shape

from .models import COMPREHENSIVE_LAYER, Grid, GridKind

EARTH = 6_371_008.8


def area_m2(geometry) -> float:
    """Area on an equirectangular projection at the polygon's mean latitude (good to a few ‰ at grid scale)."""
    _, miny, _, maxy = geometry.bounds
    k = math.cos(math.radians((miny + maxy) / 2))
    scaled = shapely.transform(geometry, lambda xy: np.column_stack((xy[:, 0] * k, xy[:, 1])))
    return scaled.area * (math.pi * EARTH / 180) ** 2


@dataclass
class GridIndex:
    ids: np.ndarray  # grid ids in priority order: 专属网格 first, then by code
    villages: np.ndarray
    tree: shapely.STRtree
    stamp: tuple

    @classmethod
    def build(cls, stamp: tuple = ()) -> GridIndex:
        grids = Grid.objects.filter(active=True, layer=COMPREHENSIVE_LAYER).order_by(
            DbCase(When(kind=GridKind.COMPREHENSIVE, then=1), default=0), "code"
        )
        rows = list(grids.values_list("pk", "village_id", "polygon"))
        return cls.of([r[0] for r in rows], [r[1] for r in rows], [shape(r[2]) for r in rows], stamp)

    @classmethod
    def of(cls, ids, villages, geoms, stamp: tuple = ()) -> GridIndex:
        """An index over geometries already in memory, in priority order (the benchmark builds one directly)."""
        for g in geoms:
            shapely.prepare(g)
        return cls(
            ids=np.array(ids, dtype=np.int64),
            villages=np.array(villages, dtype=np.int64),
            tree=shapely.STRtree(geoms),
            stamp=stamp,
        )

    def locate_many(self, lons, lats) -> np.ndarray:
        """Grid id per point (0 where none), vectorised: ≥50,000 points a second over thousands of grids."""
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        out = np.zeros(len(points), dtype=np.int64)
        if len(self.ids) == 0 or len(points) == 0:
            return out
        point_i, grid_i = self.tree.query(points, predicate="intersects")  # boundary included
        # The first grid in priority order wins (专属 before 综合, then the lower code on a shared edge).
        order = np.lexsort((grid_i, point_i))
        point_i, grid_i = point_i[order], grid_i[order]
        first = np.ones(len(point_i), dtype=bool)
        first[1:] = point_i[1:] != point_i[:-1]
        out[point_i[first]] = self.ids[grid_i[first]]
        return out

    def locate(self, lon: float, lat: float) -> int | None:
        found = int(self.locate_many([lon], [lat])[0])
        return found or None


_index: GridIndex | None = None
_checked = 0.0


def _stamp() -> tuple:
    agg = Grid.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return (agg["n"], agg["last"])


def get_index() -> GridIndex:
    """The process's index, checked against the table at most every GRID_CHECK_SECONDS."""
    global _index, _checked
    now = time.monotonic()
    if _index is None or now - _checked >= settings.GRID_CHECK_SECONDS:
        stamp = _stamp()
        if _index is None or _index.stamp != stamp:
            _index = GridIndex.build(stamp)
        _checked = now
    return _index


def invalidate() -> None:
    global _index
    _index = None


def locate(lat: float, lon: float) -> Grid | None:
    """The grid a point lies in (latitude first, as people say it), or None."""
    pk = get_index().locate(lon, lat)
    return Grid.objects.select_related("village__parent").get(pk=pk) if pk else None
