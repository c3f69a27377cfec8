from datetime import date

import pytest

from jiceng.catalog import actions as catalog
from jiceng.catalog.models import Area, CatalogUnit, Level, ListKind


@pytest.fixture
def matters(cast, calendar_2026):
    """A county-led event matter (3 working days) and a hall service item (5 days, committed 3)."""
    area = Area.objects.create(code="A01", name="自然资源")
    land = CatalogUnit.objects.create(
        code="C01", name="县自然资源局", level=Level.COUNTY, kind="党政机构", unit=cast.units.land
    )
    office = CatalogUnit.objects.create(code="T01", name="党政综合办公室", level=Level.TOWNSHIP, kind="党政机构")
    hall = CatalogUnit.objects.create(code="T08", name="便民服务中心", level=Level.TOWNSHIP, kind="事业单位")
    catalog.bind_role(office, cast.regions.east, cast.units.east_office, by=None)
    catalog.bind_role(hall, cast.regions.east, cast.units.east_hall, by=None)
    event = catalog.save_matter(
        code="M001",
        area=area,
        effective_from=date(2025, 1, 1),
        document_no="x",
        by=None,
        fields={"name": "违法占用耕地建房", "list_kind": ListKind.LOCAL, "time_limit_days": 3, "response_days": 1},
        duties=[catalog.Duty(land, True, "查处"), catalog.Duty(office, False, "巡查")],
    ).matter
    service = catalog.save_matter(
        code="S001",
        area=area,
        effective_from=date(2025, 1, 1),
        document_no="x",
        by=None,
        fields={
            "name": "城乡居民养老保险参保登记",
            "list_kind": ListKind.SERVICE,
            "service_type": "公共服务",
            "statutory_days": 5,
            "committed_days": 3,
        },
        duties=[catalog.Duty(hall, True, "受理登记")],
    ).matter
    return {"event": event, "service": service}


@pytest.fixture
def permit(matters):
    """A service item led by the county department (committed 10 working days, two materials)."""
    return catalog.save_matter(
        code="S002",
        area=Area.objects.get(code="A01"),
        effective_from=date(2025, 1, 1),
        document_no="x",
        by=None,
        fields={
            "name": "乡村建设规划许可",
            "list_kind": ListKind.SERVICE,
            "service_type": "行政许可",
            "statutory_days": 20,
            "committed_days": 10,
            "materials": "居民身份证\n建房申请表",
        },
        duties=[catalog.Duty(CatalogUnit.objects.get(code="C01"), True, "审批")],
    ).matter
