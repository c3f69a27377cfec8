from datetime import date

import pytest

from jiceng.staffing import actions
from jiceng.staffing.models import EntryReason, Placement, QuotaKind, QuotaPool

DOC = "示编〔2026〕1号"
DAY = date(2026, 3, 2)


@pytest.fixture
def quotas(cast):
    """行政编制: 东岗镇党政综合办公室 3 (2 people: 李东, 赵借), 河西镇党政综合办公室 2 (1 person: 陈西),
    县自然资源局 4 (1 person); a county pool with 2."""
    Placement.objects.update(start_on=date(2020, 1, 1))  # the cast has been in post since 2020
    a = QuotaKind.ADMINISTRATIVE
    east = actions.get_account(cast.units.east_office, a)
    west = actions.get_account(cast.units.west_office, a)
    land = actions.get_account(cast.units.land, a)
    pool = actions.get_account(QuotaPool.objects.create(name="示范县编制周转池", region=cast.regions.county), a)
    for account, n in ((east, 3), (west, 2), (land, 4), (pool, 2)):
        actions.record_entry(
            account, delta=n, reason=EntryReason.APPROVE, on=date(2020, 1, 1), document_no=DOC, by=None
        )
    return {"east": east, "west": west, "land": land, "pool": pool}
