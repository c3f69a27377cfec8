"""A small catalog for routing tests: 县自然资源局 and the township's 党政综合办公室 (bound in 东岗镇), and one
属地管理 matter per row, led by one of them."""

from __future__ import annotations

from datetime import date

from jiceng.catalog import actions as catalog
from jiceng.catalog.models import Area, CatalogUnit, Level, ListKind


def build_catalog(cast, matters, *, area_name: str = "综合") -> None:
    """`matters`: rows of (code, name, lead "land" or "office", keywords[, township duty])."""
    area = Area.objects.create(code="A01", name=area_name)
    units = {
        "land": CatalogUnit.objects.create(
            code="C01", name="县自然资源局", level=Level.COUNTY, kind="党政机构", unit=cast.units.land
        ),
        "office": CatalogUnit.objects.create(code="T01", name="党政综合办公室", level=Level.TOWNSHIP, kind="党政机构"),
    }
    catalog.bind_role(units["office"], cast.regions.east, cast.units.east_office, by=None)
    for code, name, lead, keywords, *duty in matters:
        catalog.save_matter(
            code=code,
            area=area,
            effective_from=date(2025, 1, 1),
            document_no="x",
            by=None,
            fields={"name": name, "list_kind": ListKind.LOCAL, "time_limit_days": 3, "keywords": keywords},
            duties=[catalog.Duty(units[lead], True, duty[0] if duty else f"负责{name}的巡查和处置")],
        )
