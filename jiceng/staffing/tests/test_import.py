"""Importing an existing 编制台账 and 花名册: all or nothing, every problem named by row and column."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from io import BytesIO, StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from jiceng.accounts.models import OperationLog
from jiceng.lib.validators import build_id_number, id_check_char
from jiceng.orgs.models import Person, StaffingKind, Unit, UnitKind
from jiceng.staffing.excel_reading import LEDGER_COLUMNS, ROSTER_COLUMNS
from jiceng.staffing.importing import import_staffing
from jiceng.staffing.models import EntryKind, EntryReason, Placement, QuotaEntry, QuotaKind
from jiceng.staffing.seats import account_seats
from jiceng.staffing.workbooks import template_workbook

DOC = "示编〔2026〕9号"
A = QuotaKind.ADMINISTRATIVE


def new_id(seq: int, birth=date(1990, 6, 15)) -> str:
    return build_id_number("411799", birth, seq)


def good_ledger():
    return [
        ["东岗镇党政综合办公室", "东岗镇", "党政综合机构", "行政编制", 5, DOC],
        ["东岗镇农业服务中心", "411799100000", "事业单位", "事业", 3.0, DOC],
        ["河西镇党政综合办公室", "河西镇", "党政综合机构", "领导职数(正职)", 1, DOC],
    ]


def good_roster():
    return [
        ["刘一", new_id(101), "行政", "东岗镇党政综合办公室", "东岗镇党政综合办公室", datetime(2015, 8, 1)],
        ["钱二", new_id(102), "事业编制", "东岗镇农业服务中心", "东岗镇便民服务中心", "2019/3/4"],
        ["孙三", new_id(103), "编外聘用", "", "东岗镇便民服务中心", ""],
    ]


def write_sheet(path, title, header, rows):
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@dataclass
class Files:
    """A ledger and a roster to write into tmp_path; a test changes what it needs first."""

    tmp_path: object
    ledger: list = field(default_factory=good_ledger)
    roster: list = field(default_factory=good_roster)
    ledger_header: list = field(default_factory=lambda: list(LEDGER_COLUMNS))
    roster_header: list = field(default_factory=lambda: list(ROSTER_COLUMNS))
    ledger_sheet: str = "编制台账"
    roster_sheet: str = "花名册"
    roster_bytes: bytes | None = None

    def paths(self):
        ledger = write_sheet(self.tmp_path / "ledger.xlsx", self.ledger_sheet, self.ledger_header, self.ledger)
        roster = self.tmp_path / "roster.xlsx"
        if self.roster_bytes is not None:
            roster.write_bytes(self.roster_bytes)
        else:
            write_sheet(roster, self.roster_sheet, self.roster_header, self.roster)
        return ledger, roster

    def run(self, dry_run=False, **kwargs):
        ledger, roster = self.paths()
        return import_staffing(ledger=ledger, roster=roster, dry_run=dry_run, by=None, **kwargs)


@pytest.fixture
def files(cast, tmp_path):
    return Files(tmp_path)


def snapshot():
    return tuple(m.objects.count() for m in (Person, QuotaEntry, Unit, Placement))


def messages(items):
    return [str(e) for e in items]


def test_a_good_ledger_and_roster_are_imported(quotas, cast, files):
    result = files.run()
    assert result.errors == []
    assert result.committed
    assert result.counts == {"台账行数": 3, "新建单位": 1, "核定记录": 3, "花名册行数": 3, "新增人员": 3, "在编记录": 2}
    today = timezone.localdate()
    assert account_seats(quotas["east"], today).approved == 5
    farm = Unit.objects.get(name="东岗镇农业服务中心")
    assert (farm.kind, farm.region, farm.parent) == (UnitKind.INSTITUTION, cast.regions.east, cast.units.east_root)
    entry = QuotaEntry.objects.get(account__unit=cast.units.east_office, on=today)
    assert (entry.delta, entry.reason, entry.document_no, entry.note) == (2, EntryReason.APPROVE, DOC, "台账导入")
    liu = Person.objects.get(name="刘一")
    assert (liu.sex, liu.birth_date, liu.active) == ("男", date(1990, 6, 15), True)
    placement = Placement.objects.get(person=liu)
    assert (placement.unit, placement.kind, placement.start_on) == (cast.units.east_office, A, date(2015, 8, 1))
    assert (placement.entry_kind, placement.document_no) == (EntryKind.INITIAL, "花名册导入")
    qian = Person.objects.get(name="钱二")
    assert (qian.quota_unit, qian.work_unit, qian.staffing_kind) == (
        farm,
        cast.units.east_hall,
        StaffingKind.INSTITUTIONAL,
    )
    assert Placement.objects.get(person=qian).start_on == date(2019, 3, 4)
    sun = Person.objects.get(name="孙三")
    assert (sun.quota_unit, sun.staffing_kind, sun.placements.count()) == (None, StaffingKind.CONTRACT, 0)
    assert account_seats(quotas["east"], today).occupied == 3
    assert OperationLog.objects.filter(action="导入花名册", target="3人").count() == 1
    assert OperationLog.objects.filter(action="导入编制台账").count() == 1


def test_importing_the_same_ledger_again_writes_no_entries(cast, files):
    ledger, _ = files.paths()
    import_staffing(ledger=ledger, dry_run=False, by=None)
    before = snapshot()
    again = import_staffing(ledger=ledger, dry_run=False, by=None)
    assert again.committed and again.errors == []
    assert (again.counts["新建单位"], again.counts["核定记录"]) == (0, 0)
    assert snapshot() == before


def test_a_dry_run_reports_the_counts_and_writes_nothing(cast, files):
    before = snapshot()
    result = files.run(dry_run=True)
    assert result.errors == [] and not result.committed
    assert result.counts["新建单位"] == 1 and result.counts["新增人员"] == 3
    assert snapshot() == before
    assert not OperationLog.objects.filter(action__startswith="导入").exists()


def bad_check_digit(f, cast):
    good = new_id(104)
    wrong = "1" if good[-1] != "1" else "2"
    f.roster.append(["周四", good[:-1] + wrong, "行政", "东岗镇党政综合办公室", "东岗镇党政综合办公室", "2020-01-01"])
    return f"花名册 第5行 身份证号：身份证号校验位错误：最后一位应为“{good[-1]}”，填写的是“{wrong}”。请核对号码。"


def unknown_unit(f, cast):
    f.roster[0][4] = "东岗镇不存在办公室"
    return "花名册 第2行 工作单位：找不到单位“东岗镇不存在办公室”"


def duplicate_person(f, cast):
    f.roster.append(["刘一", new_id(101), "行政", "东岗镇党政综合办公室", "东岗镇党政综合办公室", "2020-01-01"])
    return "花名册 第5行 身份证号：与第2行重复"


def person_already_in_platform(f, cast):
    f.roster[1][1] = cast.people.east_staff.id_number
    return "花名册 第3行 身份证号：该身份证号已登记（现在东岗镇党政综合办公室），不能重复导入"


def wrong_ledger_kind(f, cast):
    f.ledger[0][3] = "机关编制"
    return "编制台账 第2行 编制类型：编制类型“机关编制”不正确，应为：行政编制"


def wrong_roster_kind(f, cast):
    f.roster[0][2] = "合同制"
    return "花名册 第2行 编制类型：编制类型“合同制”不正确，应为：行政、事业、工勤或编外聘用"


def bad_date(f, cast):
    f.roster[0][5] = "2020-02-30"
    return "花名册 第2行 进编日期：进编日期“2020-02-30”不是有效日期"


def unreadable_date(f, cast):
    f.roster[0][5] = "去年九月"
    return "花名册 第2行 进编日期：进编日期应为日期，如2020-09-01、2020/9/1或2020年9月1日，填写的是“去年九月”"


def future_date(f, cast):
    tomorrow = timezone.localdate() + timedelta(days=1)
    f.roster[0][5] = f"{tomorrow.year}年{tomorrow.month}月{tomorrow.day}日"
    return f"花名册 第2行 进编日期：进编日期{tomorrow:%Y-%m-%d}晚于今天，不能填写将来的日期"


def missing_column(f, cast):
    f.roster_header = f.roster_header[:-1]
    f.roster = [row[:-1] for row in f.roster]
    return "花名册：缺少列：进编日期"


def wrong_sheet_name(f, cast):
    f.roster_sheet = "Sheet1"
    return "花名册：找不到工作表“花名册”（文件中的工作表：Sheet1）"


def not_xlsx(f, cast):
    f.roster_bytes = "姓名,身份证号\n刘一,1\n".encode()
    return "花名册：文件不是有效的 Excel（.xlsx）文件"


def bad_count(f, cast):
    f.ledger[1][4] = 2.5
    return "编制台账 第3行 核定数：核定数应为不小于0的整数，填写的是“2.5”"


def duplicate_ledger_row(f, cast):
    f.ledger.append(["东岗镇党政综合办公室", "东岗镇", "党政综合机构", "行政", 6, DOC])
    return "编制台账 第5行 编制类型：与第2行重复：同一单位的行政编制只能有一行"


def contract_with_quota_unit(f, cast):
    f.roster[2][3] = "东岗镇党政综合办公室"
    return "花名册 第4行 编制所在单位：编外聘用人员不占编制，编制所在单位应为空"


def no_leadership_unit(f, cast):
    f.ledger.append(["柳树村卫生室", "柳树村", "事业单位", "事业", 1, DOC])
    return "编制台账 第5行 所属区划：所属区划“柳树村”下没有党委政府单位，无法新建单位，请先在平台中建立"


@pytest.mark.parametrize(
    "spoil",
    [
        bad_check_digit,
        unknown_unit,
        duplicate_person,
        person_already_in_platform,
        wrong_ledger_kind,
        wrong_roster_kind,
        bad_date,
        unreadable_date,
        future_date,
        missing_column,
        wrong_sheet_name,
        not_xlsx,
        bad_count,
        duplicate_ledger_row,
        contract_with_quota_unit,
        no_leadership_unit,
    ],
)
def test_one_bad_row_stops_the_whole_import_with_its_message(quotas, cast, files, spoil):
    expected = spoil(files, cast)
    before = snapshot()
    result = files.run()
    assert not result.committed
    assert any(m.startswith(expected) for m in messages(result.errors)), messages(result.errors)
    assert len(result.errors) == 1, messages(result.errors)
    assert snapshot() == before
    assert not OperationLog.objects.filter(action__startswith="导入").exists()


def test_every_bad_row_is_reported_not_only_the_first(cast, files):
    files.roster[0][1] = "41179919900615"
    files.roster[1][3] = "不存在的中心"
    files.roster[1][5] = "2030-01-01"
    result = files.run()
    assert messages(result.errors) == [
        "花名册 第2行 身份证号：身份证号应为18位，当前为14位。",
        "花名册 第3行 编制所在单位：找不到单位“不存在的中心”",
        "花名册 第3行 进编日期：进编日期2030-01-01晚于今天，不能填写将来的日期",
    ]


def test_an_id_number_stored_as_an_excel_number_is_refused(cast, files):
    files.roster[0][1] = 4.11799199006151e17
    result = files.run()
    assert messages(result.errors)[0].startswith("花名册 第2行 身份证号：身份证号被Excel存成了数字")


def test_a_ledger_below_the_people_on_the_quota_is_recorded_with_a_warning(quotas, cast, tmp_path):
    path = write_sheet(
        tmp_path / "l.xlsx",
        "编制台账",
        list(LEDGER_COLUMNS),
        [["东岗镇党政综合办公室", "东岗镇", "党政综合机构", "行政", 1, DOC]],
    )
    result = import_staffing(ledger=path, dry_run=False, by=None)
    assert result.committed
    assert messages(result.warnings) == [
        "编制台账 第2行 核定数：东岗镇党政综合办公室行政编制核定1名，实有2人，导入后超编1名"
    ]
    entry = QuotaEntry.objects.filter(account=quotas["east"]).first()
    assert (entry.delta, entry.creates_overstaffing) == (-2, True)


def test_a_roster_that_overfills_a_quota_is_imported_with_a_warning(quotas, cast, tmp_path):
    rows = [
        [f"新人{i}", new_id(110 + i), "行政", "河西镇党政综合办公室", "河西镇党政综合办公室", "2021.5.6"]
        for i in range(2)
    ]
    path = write_sheet(tmp_path / "r.xlsx", "花名册", list(ROSTER_COLUMNS), rows)
    result = import_staffing(roster=path, dry_run=False, by=None)
    assert result.committed
    assert messages(result.warnings) == [
        "花名册 编制所在单位：河西镇党政综合办公室行政编制核定2名，实有3人，导入后超编1名"
    ]


def test_an_existing_unit_of_another_kind_is_only_a_warning(quotas, cast, files):
    files.ledger[0][2] = "政府机构"
    result = files.run()
    assert result.committed
    assert "与填写的“政府机构”不同，未修改单位类型" in messages(result.warnings)[0]
    assert Unit.objects.get(pk=cast.units.east_office.pk).kind == UnitKind.COMBINED


def test_a_title_row_above_the_header_and_blank_rows_are_allowed(cast, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "花名册"
    sheet.append(["示范县在编人员花名册（2026年）"])
    sheet.append(list(ROSTER_COLUMNS))
    sheet.append(["刘一", new_id(101), "行政", "东岗镇党政综合办公室", "东岗镇党政综合办公室", "2015-08-01"])
    sheet.append([])
    sheet.append(["钱二", new_id(102), "工勤", "东岗镇党政综合办公室", "东岗镇党政综合办公室", "2016-08-01"])
    sheet.append(["", "  ", None])
    path = tmp_path / "r.xlsx"
    book.save(path)
    result = import_staffing(roster=path, dry_run=True, by=None)
    assert result.errors == [] and result.counts["花名册行数"] == 2


def test_an_empty_sheet_is_an_error(cast, tmp_path):
    path = write_sheet(tmp_path / "r.xlsx", "花名册", list(ROSTER_COLUMNS), [])
    result = import_staffing(roster=path, dry_run=False, by=None)
    assert messages(result.errors) == ["花名册：工作表“花名册”没有数据行"]


def test_an_uploaded_file_is_read_and_progress_is_reported(cast, tmp_path):
    rows = [
        [
            f"人员{i}",
            new_id(i, date(1980, 1, 1) + timedelta(days=i // 1000)),
            "行政",
            "县自然资源局",
            "县自然资源局",
            "2010-01-01",
        ]
        for i in range(1200)
    ]
    path = write_sheet(tmp_path / "r.xlsx", "花名册", list(ROSTER_COLUMNS), rows)
    upload = SimpleUploadedFile("花名册.xlsx", path.read_bytes())
    calls = []
    result = import_staffing(roster=upload, dry_run=False, by=cast.users.staffing, progress=lambda *a: calls.append(a))
    assert result.committed and result.counts["新增人员"] == 1200
    assert (500, 1200, "读取花名册") in calls and (1200, 1200, "读取花名册") in calls
    assert (500, 1200, "检查花名册") in calls and (1000, 1200, "检查花名册") in calls
    assert calls[-1] == (1200, 1200, "写入在编记录")
    assert OperationLog.objects.get(action="导入花名册").user == cast.users.staffing


def test_the_command_prints_the_errors_and_fails(cast, files):
    files.roster[0][4] = "东岗镇不存在办公室"
    ledger, roster = files.paths()
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_staffing", ledger=str(ledger), roster=str(roster), stdout=out, stderr=err)
    assert "花名册 第2行 工作单位：找不到单位“东岗镇不存在办公室”" in out.getvalue()
    assert Person.objects.filter(name="刘一").count() == 0


def test_the_command_imports_and_prints_the_counts(cast, files):
    ledger, roster = files.paths()
    out = StringIO()
    call_command(
        "import_staffing", ledger=str(ledger), roster=str(roster), user="bianban", stdout=out, stderr=StringIO()
    )
    assert "新增人员：3" in out.getvalue()
    assert OperationLog.objects.get(action="导入花名册").user == cast.users.staffing


def test_the_command_dry_run_writes_nothing(cast, files):
    ledger, roster = files.paths()
    before = snapshot()
    out = StringIO()
    call_command("import_staffing", "--dry-run", ledger=str(ledger), roster=str(roster), stdout=out, stderr=StringIO())
    assert "试导入" in out.getvalue()
    assert snapshot() == before


def test_the_command_refuses_an_unknown_user_and_a_missing_file(cast, tmp_path):
    with pytest.raises(CommandError, match="找不到用户“nobody”"):
        call_command("import_staffing", roster=str(tmp_path / "x.xlsx"), user="nobody", stdout=StringIO())
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_staffing", roster=str(tmp_path / "x.xlsx"), stdout=StringIO())


@pytest.mark.parametrize(
    "kind, sheet, columns", [("ledger", "编制台账", LEDGER_COLUMNS), ("roster", "花名册", ROSTER_COLUMNS)]
)
def test_the_templates_have_the_columns_the_import_reads(kind, sheet, columns):
    book = load_workbook(BytesIO(template_workbook(kind)))
    assert book.sheetnames == [sheet, "填写说明"]
    rows = list(book[sheet].iter_rows(values_only=True))
    assert rows[0] == columns and len(rows) == 3
    help_columns = [r[0] for r in book["填写说明"].iter_rows(min_row=2, values_only=True)]
    assert set(columns) <= set(help_columns)


def test_the_template_example_ids_are_valid():
    book = load_workbook(BytesIO(template_workbook("roster")))
    for row in book["花名册"].iter_rows(min_row=2, values_only=True):
        assert id_check_char(row[1][:17]) == row[1][17]
    assert book["花名册"].column_dimensions["B"].number_format == "@"  # new numbers are typed as text
