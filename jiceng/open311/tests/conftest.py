from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jiceng.cases.tests.conftest import matters  # noqa: F401  (the shared catalog fixture)
from jiceng.catalog import actions as catalog
from jiceng.catalog.models import Area, CatalogUnit, ListKind
from jiceng.open311 import actions
from jiceng.open311.models import ApiKey

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=9):
    return time_machine.travel(datetime(y, m, d, h, tzinfo=TZ), tick=False)


def _matter(code, area, name, kind, lead, **fields):
    return catalog.save_matter(
        code=code,
        area=area,
        effective_from=date(2025, 1, 1),
        document_no="示编〔2025〕1号",
        by=None,
        fields={"name": name, "list_kind": kind, **fields},
        duties=[catalog.Duty(lead, True, "负责")],
    ).matter


@pytest.fixture
def offered(matters):  # noqa: F811
    """The shared matters plus a township's own duty with keywords, one 上级收回 and one repealed matter."""
    office = CatalogUnit.objects.get(code="T01")
    land = CatalogUnit.objects.get(code="C01")
    roads = Area.objects.create(code="A02", name="市政设施", sort=200)
    lamp = _matter(
        "M002",
        roads,
        "路灯等公共照明设施损坏",
        ListKind.BASIC,
        office,
        keywords="路灯;照明",
        township_duty="负责辖区内路灯的巡查和维修。",
        time_limit_days=5,
    )
    reclaimed = _matter("M003", roads, "城市道路挖掘许可", ListKind.RECLAIMED, land)
    repealed = _matter("M004", roads, "已废止的事项", ListKind.LOCAL, land)
    catalog.repeal_matter(repealed, on=date(2025, 6, 1), document_no="示编〔2025〕2号", by=None)
    return {**matters, "lamp": lamp, "reclaimed": reclaimed, "repealed": repealed}


@pytest.fixture
def api_key(db):
    key = ApiKey(name="测试客户端")
    raw = actions.issue_api_key(key, by=None)
    return SimpleNamespace(obj=key, raw=raw)
