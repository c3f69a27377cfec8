"""Importing and exporting the duty catalog: the shared CSV format, all or nothing, new versions only for changes."""

import csv
import shutil
from datetime import date
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from jiceng.catalog import actions
from jiceng.catalog.importing import COLUMNS, export_catalog, import_catalog
from jiceng.catalog.models import Area, CatalogUnit, Matter, MatterVersion, Responsibility, RoleBinding
from jiceng.catalog.resolve import invalidate, resolve, version_on
from jiceng.orgs import actions as org_actions
from jiceng.orgs.models import UnitKind

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "datasets" / "catalog"

needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"the shared catalog is not there ({SHARED}); these tests import it"
)

JAN, JUL = date(2026, 1, 1), date(2026, 7, 1)
FILES = ("areas", "units", "matters")


@pytest.fixture(autouse=True)
def fresh_catalog_index(settings):
    """Each test sees its own database's catalog: no resolution index carried over from the previous test."""
    settings.CATALOG_CHECK_SECONDS = 0
    invalidate()


def small_catalog() -> dict[str, list[list[str]]]:
    return {
        "areas": [["area_code", "area_name"], ["A01", "自然资源"], ["A02", "生态环境"], ["A03", "林业"]],
        "units": [
            ["unit_code", "unit_name", "level", "kind"],
            ["C01", "县自然资源局", "county", "党政机构"],
            ["C02", "县生态环境分局", "county", "派驻机构"],
            ["T01", "党政综合办公室", "township", "党政机构"],
            ["T09", "综合行政执法队", "township", "综合执法队"],
            ["T20", "林业工作站", "township", "派驻机构"],
        ],
        "matters": [
            list(COLUMNS["matters"]),
            [
                "M001",
                "A01",
                "农村违法占用耕地建房",
                "属地管理",
                "C01",
                "T09;T01",
                "巡查制止并报告",
                "依法查处",
                "3",
                "占耕地;盖房",
            ],
            [
                "M002",
                "A02",
                "秸秆禁烧巡查",
                "基本履职",
                "T09",
                "C02;T01",
                "落实禁烧网格责任",
                "业务指导",
                "1",
                "烧秸秆",
            ],
            ["M003", "A01", "地质灾害隐患点巡查", "属地管理", "C01", "T01", "组织巡查和撤离", "监测预警", "", "滑坡"],
        ],
    }


def write_dir(path: Path, tables: dict[str, list[list[str]]], *, bom: bool = False) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        with open(path / f"{name}.csv", "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            csv.writer(f).writerows(rows)
    return path


def workbook_bytes(tables: dict[str, list[list[str]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in tables.items():
        sheet = book.create_sheet(name)
        for row in rows:
            # Numbers as Excel stores them, the way a county clerk's workbook has them.
            sheet.append([int(v) if v.lstrip("-").isdigit() else v for v in row])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def write_source(tmp_path: Path, tables, fmt: str) -> Path:
    if fmt == "csv":
        return write_dir(tmp_path / "catalog", tables)
    path = tmp_path / "catalog.xlsx"
    path.write_bytes(workbook_bytes(tables))
    return path


def label(name: str, fmt: str) -> str:
    return f"{name}.csv" if fmt == "csv" else name


def read_dir(path: Path) -> dict[str, list[list[str]]]:
    out = {}
    for name in FILES:
        with open(path / f"{name}.csv", encoding="utf-8", newline="") as f:
            out[name] = list(csv.reader(f))
    return out


def table_counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Area, CatalogUnit, Matter, MatterVersion, Responsibility, RoleBinding)
    )


def messages(result) -> list[str]:
    return [str(e) for e in result.errors]


# The small catalog


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_imports_areas_units_and_matters_with_their_responsibilities(cast, tmp_path, fmt):
    source = write_source(tmp_path, small_catalog(), fmt)

    result = import_catalog(source, dry_run=False, effective_from=JAN, document_no="示办〔2026〕1号")

    assert result.errors == []
    assert result.committed
    assert (result.counts["新增领域"], result.counts["新增清单单位"]) == (3, 5)
    assert result.counts["新增事项"] == 3
    assert list(Area.objects.values_list("code", "sort")) == [("A01", 1), ("A02", 2), ("A03", 3)]
    version = Matter.objects.get(code="M001").versions.get()
    assert (version.name, version.list_kind, version.time_limit_days, version.keywords) == (
        "农村违法占用耕地建房",
        "属地管理",
        3,
        "占耕地;盖房",
    )
    assert (version.effective_from, version.document_no) == (JAN, "示办〔2026〕1号")
    duties = [(r.catalog_unit.code, r.is_lead, r.duty) for r in version.responsibilities.all()]
    assert duties == [("C01", True, "依法查处"), ("T09", False, "巡查制止并报告"), ("T01", False, "巡查制止并报告")]
    township_led = Matter.objects.get(code="M002").versions.get()
    duties = [(r.catalog_unit.code, r.is_lead, r.duty) for r in township_led.responsibilities.all()]
    assert duties == [("T09", True, "落实禁烧网格责任"), ("C02", False, "业务指导"), ("T01", False, "落实禁烧网格责任")]
    assert Matter.objects.get(code="M003").versions.get().time_limit_days is None


def test_county_units_are_matched_by_exact_name_and_roles_in_every_township(cast, tmp_path):
    result = import_catalog(write_dir(tmp_path, small_catalog()), dry_run=False, effective_from=JAN)

    assert CatalogUnit.objects.get(code="C01").unit == cast.units.land
    assert CatalogUnit.objects.get(code="C02").unit is None
    assert "units.csv 第3行 unit_name：平台中没有名为“县生态环境分局”的在用单位，县级单位未对应" in [
        str(w) for w in result.warnings
    ]
    bindings = {(b.role.code, b.township.name): b.unit for b in RoleBinding.objects.select_related("role", "township")}
    assert bindings == {("T01", "东岗镇"): cast.units.east_office, ("T01", "河西镇"): cast.units.west_office}
    assert result.missing_roles == {
        "东岗镇": ["综合行政执法队", "林业工作站"],
        "河西镇": ["综合行政执法队", "林业工作站"],
    }
    assert result.counts["新建乡镇单位对应"] == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("sheet", "row", "cell", "value", "expected"),
    [
        ("matters", 2, 1, "A99", "matters 第2行 area_code：领域代码“A99”不存在"),
        ("matters", 3, 4, "C99", "matters 第3行 lead_unit_code：单位代码“C99”不存在"),
        ("matters", 2, 5, "T09;C77", "matters 第2行 cooperating_unit_codes：单位代码“C77”不存在"),
        ("matters", 4, 0, "M001", "matters 第4行 matter_code：事项编码“M001”与第2行重复"),
        ("units", 6, 0, "C01", "units 第6行 unit_code：单位代码“C01”与第2行重复"),
        ("areas", 4, 0, "A01", "areas 第4行 area_code：领域代码“A01”与第2行重复"),
        ("matters", 2, 8, "-1", "matters 第2行 time_limit_days：办理时限应为不小于0的整数，填写的是“-1”"),
        ("matters", 3, 8, "两天", "matters 第3行 time_limit_days：办理时限应为不小于0的整数，填写的是“两天”"),
        (
            "matters",
            2,
            3,
            "属地",
            "matters 第2行 list_kind：清单类别“属地”不正确，应为：属地管理、配合履职、基本履职、上级收回、政务服务",
        ),
        ("units", 4, 2, "city", "units 第4行 level：层级应为 county（县级）或 township（乡镇级），填写的是“city”"),
        ("matters", 2, 5, "T09;C01", "matters 第2行 cooperating_unit_codes：主体责任单位“C01”不能同时列为配合单位"),
        ("matters", 3, 2, "", "matters 第3行 matter_name：请填写事项名称"),
    ],
)
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_imported(
    cast, tmp_path, fmt, sheet, row, cell, value, expected
):
    tables = small_catalog()
    tables[sheet][row - 1][cell] = value
    before = table_counts()

    result = import_catalog(write_source(tmp_path, tables, fmt), dry_run=False, effective_from=JAN)

    name, rest = expected.split(" ", 1)
    assert messages(result) == [f"{label(name, fmt)} {rest}"]
    assert not result.committed
    assert table_counts() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_missing_or_unknown_column_is_reported_on_the_header_row(cast, tmp_path, fmt):
    tables = small_catalog()
    for row in tables["matters"]:
        del row[-1]
    tables["areas"][0][1] = "area_title"
    before = table_counts()

    result = import_catalog(write_source(tmp_path, tables, fmt), dry_run=False)

    expected_areas = "（表头应为：area_code,area_name）"
    assert messages(result) == [
        f"{label('areas', fmt)} 第1行：缺少列：area_name{expected_areas}",
        f"{label('areas', fmt)} 第1行：未知的列：area_title{expected_areas}",
        f"{label('matters', fmt)} 第1行：缺少列：keywords（表头应为：{','.join(COLUMNS['matters'])}）",
    ]
    assert table_counts() == before


def test_a_missing_file_or_sheet_is_reported(cast, tmp_path):
    tables = small_catalog()
    del tables["units"]

    from_dir = import_catalog(write_dir(tmp_path / "dir", tables), dry_run=False)
    from_book = import_catalog(BytesIO(workbook_bytes(tables)), dry_run=False)

    assert messages(from_dir) == ["units.csv：目录中没有文件units.csv"]
    assert messages(from_book) == ["units：找不到工作表“units”（文件中的工作表：areas、matters）"]
    assert Area.objects.count() == 0


def test_an_uploaded_workbook_is_imported(cast):
    upload = SimpleUploadedFile("清单.xlsx", workbook_bytes(small_catalog()))

    result = import_catalog(upload, dry_run=False, effective_from=JAN)

    assert result.errors == []
    assert Matter.objects.count() == 3


def test_a_file_with_a_bom_is_read(cast, tmp_path):
    result = import_catalog(write_dir(tmp_path, small_catalog(), bom=True), dry_run=False, effective_from=JAN)

    assert result.errors == []
    assert Area.objects.filter(code="A01").exists()


def test_a_new_version_keeps_the_fields_the_file_does_not_carry(cast, tmp_path):
    import_catalog(write_dir(tmp_path / "v1", small_catalog()), dry_run=False, effective_from=JAN)
    old = Matter.objects.get(code="M001").versions.get()
    # A version edited in the platform: same file columns, plus a legal basis the file does not have.
    fields = {k: getattr(old, k) for k in actions.VERSION_FIELDS} | {"legal_basis": "《土地管理法》第七十七条"}
    duties = [actions.Duty(r.catalog_unit, r.is_lead, r.duty) for r in old.responsibilities.all()]
    actions.save_matter(
        code="M001",
        area=Area.objects.get(code="A01"),
        fields=fields,
        duties=duties,
        effective_from=date(2026, 3, 1),
        by=None,
    )
    tables = small_catalog()
    tables["matters"][1][7] = "依法查处，组织卫片执法图斑核查"

    result = import_catalog(write_dir(tmp_path / "v2", tables), dry_run=False, effective_from=JUL)

    assert result.counts["修订事项"] == 1
    latest = Matter.objects.get(code="M001").versions.order_by("-effective_from").first()
    assert (latest.effective_from, latest.county_duty) == (JUL, "依法查处，组织卫片执法图斑核查")
    assert latest.legal_basis == "《土地管理法》第七十七条"


def test_a_changed_matter_is_refused_when_its_date_is_not_after_the_latest_version(cast, tmp_path):
    import_catalog(write_dir(tmp_path / "v1", small_catalog()), dry_run=False, effective_from=JUL)
    tables = small_catalog()
    tables["matters"][1][6] = "巡查、制止并报告"
    source = write_dir(tmp_path / "v2", tables)
    before = table_counts()

    same_day = import_catalog(source, dry_run=False, effective_from=JUL)
    earlier = import_catalog(source, dry_run=False, effective_from=JAN)

    assert messages(same_day) == [
        "matters.csv 第2行 matter_code：该事项在2026年07月01日已有版本，与文件内容不同；"
        "同一天只能有一个版本，请改用其他生效日期"
    ]
    # Even the unchanged matters: none of them is in force on the earlier day, and none can be.
    assert messages(earlier) == [
        f"matters.csv 第{row}行 matter_code：该事项已有2026年07月01日起的版本，新版本的生效日期须晚于该日期"
        for row in (2, 3, 4)
    ]
    assert table_counts() == before


def test_the_import_command_prints_counts_and_fails_on_errors(cast, tmp_path):
    out = StringIO()
    call_command(
        "import_catalog",
        str(write_dir(tmp_path / "good", small_catalog())),
        "--effective",
        "2026-01-01",
        "--user",
        "bianban",
        "--document",
        "示办〔2026〕1号",
        stdout=out,
        stderr=StringIO(),
    )
    assert "新增事项：3" in out.getvalue()
    assert "提示：units.csv：东岗镇有2个乡镇级单位没有对应的在用单位：综合行政执法队、林业工作站" in out.getvalue()
    assert MatterVersion.objects.filter(document_no="示办〔2026〕1号", created_by=cast.users.staffing).count() == 3

    tables = small_catalog()
    tables["matters"][2][1] = "A99"
    out = StringIO()
    with pytest.raises(CommandError, match="共1处错误"):
        call_command("import_catalog", str(write_dir(tmp_path / "bad", tables)), stdout=out, stderr=StringIO())
    assert "错误：matters.csv 第3行 area_code：领域代码“A99”不存在" in out.getvalue()
    with pytest.raises(CommandError, match="生效日期应为"):
        call_command("import_catalog", str(tmp_path / "good"), "--effective", "2026-13-01", stdout=StringIO())


def test_the_export_command_writes_the_catalog_in_force_on_the_day(cast, tmp_path):
    import_catalog(write_dir(tmp_path / "in", small_catalog()), dry_run=False, effective_from=JUL)

    call_command("export_catalog", str(tmp_path / "before"), "--as-of", "2026-06-30", stdout=StringIO())
    call_command("export_catalog", str(tmp_path / "after"), "--as-of", "2026-07-01", stdout=StringIO())

    assert read_dir(tmp_path / "before")["matters"] == [list(COLUMNS["matters"])]
    assert read_dir(tmp_path / "after") == small_catalog()


# The shared catalog


@needs_shared
def test_the_shared_catalog_survives_the_round_trip(cast, tmp_path):
    result = import_catalog(SHARED, dry_run=False)
    assert result.errors == []

    export_catalog(tmp_path)

    assert read_dir(tmp_path) == read_dir(SHARED)
    for name in FILES:
        assert (tmp_path / f"{name}.csv").read_bytes() == (SHARED / f"{name}.csv").read_bytes()


@needs_shared
def test_the_shared_catalog_reports_the_roles_each_township_lacks(cast):
    result = import_catalog(SHARED, dry_run=False)

    assert result.counts["新增事项"] == 117
    assert len(result.missing_roles["东岗镇"]) == 18
    assert "党政综合办公室" not in result.missing_roles["东岗镇"]
    assert "便民服务中心" not in result.missing_roles["东岗镇"]
    assert len(result.missing_roles["河西镇"]) == 19
    assert "综合行政执法队" in result.missing_roles["河西镇"]
    warnings = [str(w) for w in result.warnings]
    assert any(w.startswith("units.csv：东岗镇有18个乡镇级单位没有对应的在用单位：经济发展办公室、") for w in warnings)
    east = {b.role.code: b.unit for b in RoleBinding.objects.filter(township=cast.regions.east).select_related("role")}
    assert east == {"T01": cast.units.east_office, "T08": cast.units.east_hall}
    assert CatalogUnit.objects.get(code="C01").unit == cast.units.land


@needs_shared
def test_a_township_unit_named_after_the_role_is_bound(cast):
    create = org_actions.create_unit
    east, root = cast.regions.east, cast.units.east_root
    team = create(by=None, name="东岗镇综合行政执法队", kind=UnitKind.ENFORCEMENT, region=east, parent=root)
    centre = create(by=None, name="东岗镇综治中心", kind=UnitKind.INSTITUTION, region=east, parent=root)
    clinic = create(by=None, name="东岗镇卫生院", kind=UnitKind.INSTITUTION, region=east, parent=root)

    result = import_catalog(SHARED, dry_run=False, effective_from=JAN)

    east_bindings = {b.role.code: b.unit for b in RoleBinding.objects.filter(township=east).select_related("role")}
    assert (east_bindings["T09"], east_bindings["T11"], east_bindings["T18"]) == (team, centre, clinic)
    assert "综合行政执法队" not in result.missing_roles["东岗镇"]
    assert "综合行政执法队" in result.missing_roles["河西镇"]
    # M001 is led by 县自然资源局 with the township's enforcement team cooperating.
    resolution = resolve(Matter.objects.get(code="M001"), east, JAN)
    assert resolution.lead.unit == cast.units.land
    assert team in [p.unit for p in resolution.cooperating]


@needs_shared
def test_a_dry_run_writes_nothing_but_counts_as_a_real_run(cast):
    before = table_counts()

    result = import_catalog(SHARED, dry_run=True)

    assert result.errors == []
    assert not result.committed
    assert (result.counts["新增领域"], result.counts["新增清单单位"], result.counts["新增事项"]) == (16, 54, 117)
    assert table_counts() == before


@needs_shared
def test_importing_the_same_catalog_again_creates_no_versions(cast, django_assert_max_num_queries):
    import_catalog(SHARED, dry_run=False, effective_from=JAN)
    before = table_counts()

    with django_assert_max_num_queries(25):
        result = import_catalog(SHARED, dry_run=False, effective_from=JUL)

    assert result.errors == []
    assert result.counts["未变化事项"] == 117
    assert (result.counts["新增事项"], result.counts["修订事项"], result.counts["更新清单单位"]) == (0, 0, 0)
    assert table_counts() == before


@needs_shared
def test_a_changed_duty_from_a_later_date_makes_a_second_version(cast, tmp_path, django_capture_on_commit_callbacks):
    import_catalog(SHARED, dry_run=False, effective_from=JAN)
    changed = tmp_path / "changed"
    shutil.copytree(SHARED, changed)
    tables = read_dir(changed)
    old_duty = tables["matters"][1][6]
    tables["matters"][1][6] = old_duty + "每月至少巡查一次。"
    write_dir(changed, tables)
    version_on(Matter.objects.get(code="M001"), JAN)  # the index as it was, to see the import refresh it

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_catalog", str(changed), "--effective", "2026-07-01", stdout=out, stderr=StringIO())

    assert "修订事项：1" in out.getvalue()
    assert "未变化事项：116" in out.getvalue()
    matter = Matter.objects.get(code="M001")
    assert matter.versions.count() == 2
    assert version_on(matter, date(2026, 6, 30)).township_duty == old_duty
    assert version_on(matter, JUL).township_duty == old_duty + "每月至少巡查一次。"
    export_catalog(tmp_path / "june", day=date(2026, 6, 30))
    assert read_dir(tmp_path / "june")["matters"] == read_dir(SHARED)["matters"]
