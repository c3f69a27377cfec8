from datetime import date

import pytest

from jiceng.catalog import actions
from jiceng.catalog.models import Area, CatalogUnit, DelegatedPower, Level, ListKind

DOC = "示编〔2024〕30号"
START = date(2025, 1, 1)


@pytest.fixture
def catalog(cast, settings):
    """A small catalog: the land bureau leads 违法占地 with a township role cooperating; the role leads 秸秆."""
    settings.CATALOG_CHECK_SECONDS = 0
    area = Area.objects.create(code="A01", name="自然资源")
    land = CatalogUnit.objects.create(
        code="C01", name="县自然资源局", level=Level.COUNTY, kind="党政机构", unit=cast.units.land
    )
    office = CatalogUnit.objects.create(code="T01", name="党政综合办公室", level=Level.TOWNSHIP, kind="党政机构")
    actions.bind_role(office, cast.regions.east, cast.units.east_office, by=None)  # 河西镇 is left without it
    occupy = actions.save_matter(
        code="M001",
        area=area,
        effective_from=START,
        document_no=DOC,
        by=None,
        fields={
            "name": "违法占用耕地建房",
            "list_kind": ListKind.LOCAL,
            "township_duty": "巡查制止并报告",
            "county_duty": "依法查处",
            "time_limit_days": 3,
            "keywords": "占耕地;打地基",
        },
        duties=[actions.Duty(land, True, "依法查处"), actions.Duty(office, False, "巡查制止并报告")],
    ).matter
    straw = actions.save_matter(
        code="M002",
        area=area,
        effective_from=START,
        document_no=DOC,
        by=None,
        fields={"name": "秸秆禁烧巡查", "list_kind": ListKind.BASIC, "township_duty": "网格巡查", "time_limit_days": 1},
        duties=[actions.Duty(office, True, "网格巡查"), actions.Duty(land, False, "业务指导")],
    ).matter
    power = DelegatedPower.objects.create(
        code="FQ001",
        name="对违法占用耕地建房的行政处罚",
        matter=occupy,
        county_unit=land,
        township_role=office,
        offered_on=date(2025, 3, 1),
        document_no="示政〔2025〕3号",
    )
    return {"area": area, "land": land, "office": office, "occupy": occupy, "straw": straw, "power": power}
