"""Point → grid: the STRtree index against a plain per-point loop over prepared polygons with a bounding-box
prefilter, both measured in this run on the same synthetic county (medians of 5; points per second).

Target (issue 6): ≥ 50,000 points/s over 5,000 grids. Run with `make bench-grids`; no database is needed.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")

import django

django.setup()

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from shapely.geometry import Polygon  # noqa: E402

from jiceng.grids.geometry import GridIndex  # noqa: E402

COLUMNS, ROWS = 100, 50  # 5,000 grids
CELL = 0.004  # degrees, about 400 m
POINTS = 100_000


def county(seed: int = 7) -> list[Polygon]:
    """A lattice of grids with wobbly 12-point boundaries that still tile the county without gaps at corners."""
    rng = np.random.default_rng(seed)
    x0, y0 = 114.0, 32.9
    jitter = rng.uniform(-0.25, 0.25, size=(COLUMNS + 1, ROWS + 1, 2)) * CELL * 0.3
    corners = np.array([[[x0 + i * CELL, y0 + j * CELL] for j in range(ROWS + 1)] for i in range(COLUMNS + 1)]) + jitter
    polygons = []
    for i in range(COLUMNS):
        for j in range(ROWS):
            a, b, c, d = corners[i, j], corners[i + 1, j], corners[i + 1, j + 1], corners[i, j + 1]
            ring = []
            for p, q in ((a, b), (b, c), (c, d), (d, a)):
                ring += [p, p + (q - p) / 3, p + 2 * (q - p) / 3]
            polygons.append(Polygon(ring))
    return polygons


def loop_baseline(polygons, boxes, lons, lats) -> np.ndarray:
    """What one writes first: for each point, test every grid whose box contains it."""
    out = np.zeros(len(lons), dtype=np.int64)
    for k, (x, y) in enumerate(zip(lons, lats, strict=True)):
        hits = np.nonzero((boxes[:, 0] <= x) & (x <= boxes[:, 2]) & (boxes[:, 1] <= y) & (y <= boxes[:, 3]))[0]
        for h in hits:
            if shapely.intersects_xy(polygons[h], x, y):
                out[k] = h + 1
                break
    return out


def median(fn, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def main() -> None:
    polygons = county()
    ids = list(range(1, len(polygons) + 1))
    t = time.perf_counter()
    index = GridIndex.of(ids, [0] * len(ids), polygons)
    build = time.perf_counter() - t
    rng = np.random.default_rng(11)
    xmin, ymin, xmax, ymax = shapely.total_bounds(polygons)
    lons = rng.uniform(xmin - 0.01, xmax + 0.01, POINTS)  # a few points fall outside every grid
    lats = rng.uniform(ymin - 0.01, ymax + 0.01, POINTS)
    found = index.locate_many(lons, lats)
    boxes = shapely.bounds(np.array(polygons, dtype=object))
    sample = 5_000  # the loop is slow: time it on a sample and scale
    baseline = loop_baseline(polygons, boxes, lons[:sample], lats[:sample])
    # Same answers where a point is inside exactly one grid (shared edges may differ: the index picks the lower code).
    agree = float(np.mean(baseline == found[:sample]))
    indexed = median(lambda: index.locate_many(lons, lats))
    looped = median(lambda: loop_baseline(polygons, boxes, lons[:sample], lats[:sample]), repeat=3) * POINTS / sample
    single = median(lambda: [index.locate(x, y) for x, y in zip(lons[:2000], lats[:2000], strict=True)]) / 2000
    print(f"Point → grid over {len(polygons):,} grids, {POINTS:,} points ({math.fsum(found > 0):,.0f} inside a grid)")
    print(f"index build: {build * 1000:.0f} ms; answers agree with the baseline on {agree:.1%} of the sample\n")
    print(f"{'method':<44}{'points/s':>14}{'ratio':>10}")
    print(f"{'baseline: loop, box prefilter, prepared':<44}{POINTS / looped:>14,.0f}{1:>10.1f}")
    print(f"{'STRtree, vectorised (locate_many)':<44}{POINTS / indexed:>14,.0f}{looped / indexed:>10.1f}")
    print(f"{'STRtree, one point per call (locate)':<44}{1 / single:>14,.0f}{looped / POINTS / single:>10.1f}")
    print(f"\ntarget ≥ 50,000 points/s: {'met' if POINTS / indexed >= 50_000 else 'MISSED'}")


if __name__ == "__main__":
    main()
