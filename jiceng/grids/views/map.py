"""The grid map: comprehensive-layer grids coloured by the open or overdue cases the user may see, and a
case's place on it."""

from __future__ import annotations

import shapely
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from shapely.geometry import mapping, shape

from jiceng.accounts.decorators import require_perm
from jiceng.accounts.roles import Perm
from jiceng.cases.models import Case
from jiceng.lib.masking import mask_phone

from .. import geometry
from ..forms import MapForm
from ..models import COMPREHENSIVE_LAYER, Grid, GridKind
from .grids import case_counts, with_members

# measure → (title, lower bounds of the classes, their colours): fixed classes, so a colour means the same
# number of cases in every township and on every day.
SCALES = {
    "open": (
        "在办件数",
        (0, 1, 3, 6, 11, 21),
        ("#f8f9fa", "#fff3bf", "#ffd43b", "#fd7e14", "#e8590c", "#a61e4d"),
    ),
    "overdue": (
        "超期件数",
        (0, 1, 2, 4, 7, 11),
        ("#f8f9fa", "#ffc9c9", "#ff8787", "#f03e3e", "#c92a2a", "#6b0f1a"),
    ),
}


def colour(measure: str, value: int) -> str:
    _, lows, colours = SCALES[measure]
    return colours[max(i for i, low in enumerate(lows) if value >= low)]


def legend(measure: str) -> list[dict]:
    _, lows, colours = SCALES[measure]
    rows = []
    for i, (low, c) in enumerate(zip(lows, colours, strict=True)):
        high = lows[i + 1] - 1 if i + 1 < len(lows) else None
        label = f"{low}及以上" if high is None else (str(low) if high == low else f"{low}–{high}")
        rows.append({"label": label, "color": c})
    return rows


def _township(data: dict) -> str:
    return data["township"].code if data.get("township") else ""


@require_perm(Perm.VIEW_GRIDS)
def map_data(request):
    """GeoJSON of the comprehensive-layer grids (of one township if asked) with their members (phones
    masked) and the open and overdue cases the user may see, in the same few queries however many grids."""
    form = MapForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": {k: [str(e) for e in v] for k, v in form.errors.items()}}, status=400)
    measure = form.cleaned_data["measure"]
    grids = Grid.objects.visible_to(request.user).filter(layer=COMPREHENSIVE_LAYER, active=True).order_by("code")
    if form.cleaned_data.get("township"):
        grids = grids.filter(village__parent=form.cleaned_data["township"])
    open_counts, overdue_counts = case_counts(request.user, grids.values("pk"))
    features = []
    for g in with_members(grids):
        counts = {"open": open_counts.get(g.pk, 0), "overdue": overdue_counts.get(g.pk, 0)}
        features.append(
            {
                "type": "Feature",
                "geometry": g.polygon,
                "properties": {
                    "code": g.code,
                    "name": g.name,
                    "kind": g.get_kind_display(),
                    "comprehensive": g.kind == GridKind.COMPREHENSIVE,
                    "village": g.village.name,
                    "township": g.village.parent.name if g.village.parent_id else "",
                    "members": [
                        {"role": m.get_role_display(), "name": m.name, "phone": mask_phone(m.phone)}
                        for m in g.members.all()
                    ],
                    **counts,
                    "value": counts[measure],
                    "color": colour(measure, counts[measure]),
                    "url": reverse("grids:detail", args=[g.code]),
                },
            }
        )
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "measure": measure,
            "title": SCALES[measure][0],
            "legend": legend(measure),
            "features": features,
            "townships": township_outlines(features),
        },
        json_dumps_params={"ensure_ascii": False},
    )


def township_outlines(features: list[dict]) -> list[dict]:
    """Each township's outline (the union of its comprehensive grids) and a point for its name: without a
    base map they are what a reader finds their way by."""
    parts: dict[str, list] = {}
    for f in features:
        if f["properties"]["comprehensive"]:
            parts.setdefault(f["properties"]["township"], []).append(shape(f["geometry"]))
    outlines = []
    for name, shapes in parts.items():
        union = shapely.union_all(shapes)
        label = union.point_on_surface()
        outlines.append({"name": name, "geometry": mapping(union), "label": [label.y, label.x]})
    return outlines


def _focus(user, data: dict) -> tuple[dict | None, str]:
    """What to show first: a case's point (or its grid), a grid, or a point; with a message when not found."""
    if data.get("case"):
        code = data["case"].strip().upper()
        case = Case.objects.visible_to(user).filter(code=code).select_related("grid").first()
        if case is None:
            return None, f"找不到查询码为“{code}”的办件，或该办件不在您的数据范围内。"
        focus = {"label": f"{case.code} {case.title}", "url": case.get_absolute_url(), "grid": ""}
        if case.grid_id:
            focus["grid"] = case.grid.code
        if case.latitude is not None and case.longitude is not None:
            return focus | {"lat": case.latitude, "lon": case.longitude}, ""
        if case.grid_id:
            return focus, ""
        return None, f"办件{case.code}没有标注位置，也不在任何网格内。"
    if data.get("grid"):
        grid = Grid.objects.filter(code=data["grid"].strip()).first()
        if grid is None:
            return None, f"没有编码为“{data['grid']}”的网格。"
        return {"label": str(grid), "url": reverse("grids:detail", args=[grid.code]), "grid": grid.code}, ""
    if data.get("lat") is not None and data.get("lon") is not None:
        grid = geometry.locate(data["lat"], data["lon"])
        label = f"纬度{data['lat']:.6f}，经度{data['lon']:.6f}"
        return {"label": label, "lat": data["lat"], "lon": data["lon"], "grid": grid.code if grid else ""}, ""
    return None, ""


@require_perm(Perm.VIEW_GRIDS)
def grid_map(request):
    form = MapForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {"measure": "open"}
    focus, problem = _focus(request.user, data)
    config = {
        "mode": "map",
        "dataUrl": reverse("grids:map_data"),
        # A case or a grid shows on the whole county: its township need not be the one last chosen.
        "township": "" if focus else _township(data),
        "measure": data["measure"],
        "focus": focus,
        "tileUrl": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    if focus:
        form = MapForm(initial={"measure": data["measure"]})
    return render(request, "grids/map.html", {"form": form, "config": config, "problem": problem})


urlpatterns = [
    path("map/", grid_map, name="map"),
    path("map/data/", map_data, name="map_data"),
]
