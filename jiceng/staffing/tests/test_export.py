"""The 编制情况 export: the numbers of `reports.unit_rows`, then township and county totals."""

from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from jiceng.staffing import actions
from jiceng.staffing.models import QuotaKind
from jiceng.staffing.reports import unit_rows
from jiceng.staffing.workbooks import REPORT_COLUMNS, report_workbook

from .conftest import DAY


@pytest.fixture
def reserved(quotas, cast):
    """东岗镇党政综合办公室: 行政编制 3 approved, 2 people, 1 seat reserved by an approval."""
    request = actions.submit_hiring_request(
        cast.units.east_office, kind=QuotaKind.ADMINISTRATIVE, seats=1, purpose="综合文字岗", on=DAY, by=None
    )
    actions.approve_hiring_request(request, on=DAY, by=None)
    return quotas


def read(data: bytes) -> list[tuple]:
    book = load_workbook(BytesIO(data))
    assert book.sheetnames == ["编制情况"]
    return list(book["编制情况"].iter_rows(values_only=True))


def test_the_rows_are_those_of_the_report(reserved, cast):
    rows = read(report_workbook(DAY))
    assert rows[0] == REPORT_COLUMNS
    east = next(r for r in rows if r[0] == "东岗镇党政综合办公室")
    assert east == ("东岗镇党政综合办公室", "东岗镇", "行政编制", 3, 2, 1, 0, 0)
    expected = unit_rows(DAY)
    assert len(expected) == 4  # three units and the hall's one person without quota
    for row, line in zip(expected, rows[1:], strict=False):
        s = row.seats
        assert line == (
            row.unit.name,
            row.unit.region.name,
            row.kind_label,
            s.approved,
            s.occupied,
            s.reserved,
            s.vacant,
            s.over,
        )


def test_the_totals_follow_a_blank_row(reserved, cast):
    rows = read(report_workbook(DAY))
    blank = rows.index((None,) * len(REPORT_COLUMNS))
    assert blank == len(unit_rows(DAY)) + 1
    totals = {r[0]: r for r in rows[blank + 1 :] if r[0] and r[0].endswith("合计")}
    assert totals["东岗镇合计"][2:] == ("行政编制", 3, 3, 1, 0, 1)  # 东岗镇便民服务中心 has 王窗口 on no quota
    assert totals["全县合计"][2:] == ("行政编制", 9, 5, 1, 4, 1)
    assert rows[-1][0] == "统计日期：2026年03月02日"


def test_the_export_can_be_limited_to_some_units(reserved, cast):
    from jiceng.orgs.models import Unit

    rows = read(report_workbook(DAY, Unit.objects.filter(pk=cast.units.west_office.pk)))
    assert [r[0] for r in rows[1:2]] == ["河西镇党政综合办公室"]


def test_the_command_writes_the_file(reserved, tmp_path):
    out = tmp_path / "编制情况.xlsx"
    stdout = StringIO()
    call_command("export_staffing_report", str(out), as_of="2026-03-02", stdout=stdout)
    assert read(out.read_bytes()) == read(report_workbook(DAY))
    assert "2026年03月02日" in stdout.getvalue()


def test_the_command_refuses_a_bad_date(cast, tmp_path):
    with pytest.raises(CommandError, match=r"统计日期应为 YYYY-MM-DD 格式的有效日期.*2026-02-30"):
        call_command("export_staffing_report", str(tmp_path / "x.xlsx"), as_of="2026-02-30")
    assert not (tmp_path / "x.xlsx").exists()
