"""Grid pages: the map's counts and colours (only cases the user may see), the register with its export,
one grid's page, and importing polygons and members on the web (预检, then 确认导入)."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from jiceng.accounts.models import OperationLog
from jiceng.cases import actions
from jiceng.cases.models import Case, Channel, Status
from jiceng.grids.importing import MEMBER_COLUMNS, import_grids
from jiceng.grids.models import Grid, GridMember
from jiceng.orgs.models import Region, RegionKind

from .test_grids import EAST, WEST, collection, feature

DATA = "/grids/map/data/"
EAST_TOWN, WEST_TOWN = "411799100000", "411799101000"
# 新庄村 in 河西镇, a little north of 柳树村's two grids.
NORTH = [[114.00, 33.00], [114.02, 33.00], [114.02, 33.01], [114.00, 33.01], [114.00, 33.00]]


def ring_at(lon: float) -> list:
    return [[lon, 32.98], [lon + 0.01, 32.98], [lon + 0.01, 32.99], [lon, 32.99], [lon, 32.98]]


@pytest.fixture
def grids(cast):
    Region.objects.create(code="411799101201", name="新庄村", kind=RegionKind.VILLAGE, parent=cast.regions.west)
    result = import_grids(
        collection(
            feature("411799100201001", "柳树村第一网格", WEST),
            feature("411799100201002", "柳树村第二网格", EAST),
            feature("411799101201001", "新庄村第一网格", NORTH),
        ),
        dry_run=False,
    )
    assert result.committed, result.errors
    town = import_grids(collection(feature("411799100201101", "柳树村城管网格", WEST)), dry_run=False, layer="城管")
    assert town.committed
    by_code = {g.code: g for g in Grid.objects.all()}
    GridMember.objects.bulk_create(
        [
            GridMember(grid=by_code["411799100201001"], name="周网格", role="full", phone="13812345678"),
            GridMember(grid=by_code["411799100201001"], name="钱组长", role="chief", phone="13987654321"),
            GridMember(grid=by_code["411799100201002"], name="孙兼职", role="part"),
        ]
    )
    return by_code


def report(title, lon, *, by=None):
    case, _ = actions.register_case(
        channel=Channel.GRID, title=title, text="现场情况", by=by, latitude=32.985, longitude=lon
    )
    return case


@pytest.fixture
def cases(cast, grids, calendar_2026):
    """In grid 001: a worker's own report and an overdue one at 县自然资源局. In grid 002: two open at the
    bureau, one 补正中 past its deadline (open, not overdue), and one finished."""
    land = cast.units.land
    past = timezone.now() - timedelta(days=2)
    own = report("路灯不亮", 114.005, by=cast.users.grid)
    late = actions.dispatch_case(report("占道经营", 114.006), by=None, unit=land)
    Case.objects.filter(pk=late.pk).update(due_at=past)
    handling = [actions.dispatch_case(report(f"垃圾堆放{n}", 114.015), by=None, unit=land) for n in range(2)]
    paused = report("违建", 114.016)
    Case.objects.filter(pk=paused.pk).update(status=Status.PAUSED, due_at=past)
    done = report("井盖缺失", 114.017)
    Case.objects.filter(pk=done.pk).update(status=Status.FINISHED, due_at=past)
    assert {c.grid.code for c in (own, late, paused, done, *handling)} == {"411799100201001", "411799100201002"}
    return {"own": own, "late": late, "handling": handling, "paused": paused, "done": done}


def map_data(client, **params) -> tuple[dict, dict]:
    data = client.get(DATA, params).json()
    return data, {f["properties"]["code"]: f["properties"] for f in data["features"]}


def legend_colour(data, label) -> str:
    return next(row["color"] for row in data["legend"] if row["label"] == label)


# -- the map ---------------------------------------------------------------------------------------


def test_the_map_counts_open_and_overdue_cases_and_colours_them_by_the_legend(client, cast, cases):
    client.force_login(cast.users.dispatcher)
    data, grids = map_data(client)
    assert data["title"] == "在办件数"
    first, second, north = grids["411799100201001"], grids["411799100201002"], grids["411799101201001"]
    assert (first["open"], first["overdue"]) == (2, 1)
    assert (second["open"], second["overdue"]) == (3, 0)  # the 补正 case is open but its clock is stopped
    assert (north["open"], north["overdue"]) == (0, 0)
    assert first["color"] == legend_colour(data, "1–2")
    assert second["color"] == legend_colour(data, "3–5")
    assert north["color"] == legend_colour(data, "0")
    assert len({first["color"], second["color"], north["color"]}) == 3

    data, grids = map_data(client, measure="overdue")
    assert data["title"] == "超期件数"
    assert grids["411799100201001"]["value"] == 1
    assert grids["411799100201001"]["color"] == legend_colour(data, "1")
    assert grids["411799100201002"]["color"] == legend_colour(data, "0")


def test_the_map_shows_only_the_comprehensive_layer_with_members_masked(client, cast, grids):
    Grid.objects.filter(code="411799101201001").update(active=False)
    client.force_login(cast.users.east_leader)
    data, by_code = map_data(client)
    assert set(by_code) == {"411799100201001", "411799100201002"}  # not the 城管 layer, not the inactive grid
    assert by_code["411799100201001"]["members"] == [
        {"role": "网格长", "name": "钱组长", "phone": "139****4321"},
        {"role": "专职网格员", "name": "周网格", "phone": "138****5678"},
    ]
    assert "13812345678" not in client.get(DATA).content.decode()
    assert by_code["411799100201001"]["url"] == "/grids/411799100201001/"
    assert data["features"][0]["geometry"]["type"] == "Polygon"


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("department", {"411799100201001": (1, 1), "411799100201002": (2, 0)}),  # dispatched to the bureau
        ("east_leader", {"411799100201001": (2, 1), "411799100201002": (3, 0)}),  # the township's cases
        ("west_leader", {}),  # another township's grids are not on their map at all
    ],
)
def test_the_map_counts_only_cases_the_user_may_see(client, cast, cases, user, expected):
    client.force_login(getattr(cast.users, user))
    _, grids = map_data(client, township=EAST_TOWN)
    assert {code: (g["open"], g["overdue"]) for code, g in grids.items()} == expected


def test_the_township_filter_and_a_bad_choice(client, cast, grids):
    client.force_login(cast.users.dispatcher)
    assert set(map_data(client, township=WEST_TOWN)[1]) == {"411799101201001"}
    assert set(map_data(client, township=EAST_TOWN)[1]) == {"411799100201001", "411799100201002"}
    assert client.get(DATA, {"township": "999999999999"}).status_code == 400
    assert client.get(DATA, {"measure": "everything"}).status_code == 400


def test_the_map_data_costs_the_same_queries_for_more_grids(client, cast, cases):
    client.force_login(cast.users.department)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(DATA).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    more = [feature(f"411799100201{n:03d}", f"网格{n}", ring_at(114.1 + n / 100)) for n in range(3, 9)]
    assert import_grids(collection(*more), dry_run=False).committed
    for grid in Grid.objects.filter(code__in=[f["properties"]["code"] for f in more]):
        GridMember.objects.create(grid=grid, name="吴网格", role="full")
    assert count() == before


def test_the_map_page_zooms_to_a_visible_cases_point(client, cast, cases):
    client.force_login(cast.users.dispatcher)
    late = cases["late"]
    response = client.get("/grids/map/", {"case": late.code.lower(), "township": WEST_TOWN})
    focus = response.context["config"]["focus"]
    assert (focus["lat"], focus["lon"], focus["grid"]) == (32.985, 114.006, "411799100201001")
    assert focus["label"].startswith(late.code) and focus["url"] == late.get_absolute_url()
    assert response.context["config"]["township"] == ""  # the case's township shows, whatever was chosen


def test_the_map_page_explains_a_case_it_cannot_place(client, cast, cases):
    client.force_login(cast.users.department)
    hidden = client.get("/grids/map/", {"case": cases["own"].code})  # the worker's report, not the bureau's
    assert hidden.context["config"]["focus"] is None
    assert "不在您的数据范围内" in hidden.content.decode()
    nowhere, _ = actions.register_case(channel=Channel.HOTLINE, title="噪声", text="x", township=cast.regions.east)
    client.force_login(cast.users.dispatcher)
    response = client.get("/grids/map/", {"case": nowhere.code})
    assert response.context["config"]["focus"] is None
    assert "没有标注位置，也不在任何网格内" in response.content.decode()


def test_the_map_page_highlights_a_grid_and_locates_a_point(client, cast, grids):
    client.force_login(cast.users.grid)
    assert client.get("/grids/map/", {"grid": "411799100201002"}).context["config"]["focus"]["grid"] == (
        "411799100201002"
    )
    focus = client.get("/grids/map/", {"lat": "32.985", "lon": "114.015"}).context["config"]["focus"]
    assert (focus["lat"], focus["lon"], focus["grid"]) == (32.985, 114.015, "411799100201002")


def test_the_map_loads_nothing_from_outside_unless_tiles_are_configured(client, cast, grids, settings):
    client.force_login(cast.users.dispatcher)
    page = client.get("/grids/map/")
    html = page.content.decode()
    assert page.context["config"]["tileUrl"] == ""
    assert "/static/vendor/leaflet/leaflet.js" in html and "/static/js/grid-map.js" in html
    assert 'src="http' not in html and 'href="http' not in html
    settings.MAP_TILE_URL = "https://t0.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=k"
    settings.MAP_TILE_ATTRIBUTION = "天地图"
    config = client.get("/grids/map/").context["config"]
    assert (config["tileUrl"], config["attribution"]) == (settings.MAP_TILE_URL, "天地图")


def test_the_public_cannot_see_the_map(client, grids):
    assert client.get(DATA).status_code == 302  # to the login page
    assert client.get("/grids/map/").status_code == 302


# -- the register ----------------------------------------------------------------------------------


def listed(response) -> list[str]:
    return [g.code for g in response.context["page"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["411799100201001", "411799100201002", "411799100201101", "411799101201001"]),
        ({"q": "钱组长"}, ["411799100201001"]),  # a member's name
        ({"q": "新庄"}, ["411799101201001"]),  # the village
        ({"q": "4117991002010"}, ["411799100201001", "411799100201002"]),  # a code prefix
        ({"q": "城管"}, ["411799100201101"]),
        ({"township": WEST_TOWN}, ["411799101201001"]),
        ({"village": "411799100201", "layer": "综合"}, ["411799100201001", "411799100201002"]),
        ({"layer": "城管"}, ["411799100201101"]),
        ({"kind": "school"}, []),
        ({"active": "0"}, []),
    ],
)
def test_the_register_searches_and_filters(client, cast, grids, params, expected):
    client.force_login(cast.users.dispatcher)
    assert listed(client.get("/grids/", params)) == expected


def test_township_staff_see_their_townships_grids_county_units_all_and_a_grid_worker_their_own(client, cast, grids):
    everything = sorted(grids)
    client.force_login(cast.users.east_clerk)  # 东风镇便民服务中心
    east = ["411799100201001", "411799100201002", "411799100201101"]
    assert listed(client.get("/grids/")) == east
    towns = client.get("/grids/").context["form"].fields["township"].queryset
    assert [t.code for t in towns] == [EAST_TOWN]  # the filter offers only the township it may see
    assert client.get("/grids/411799101201001/").status_code == 404  # 新庄村, in 河西镇
    assert [f["properties"]["code"] for f in client.get(DATA).json()["features"]] == east[:2]
    client.force_login(cast.users.department)  # a county bureau handles cases anywhere in the county
    assert listed(client.get("/grids/")) == everything
    GridMember.objects.create(grid=grids["411799101201001"], name="网格员", role="full", user=cast.users.grid)
    client.force_login(cast.users.grid)
    assert listed(client.get("/grids/")) == ["411799101201001"]


def test_the_register_shows_members_and_the_open_cases_the_user_may_see(client, cast, cases):
    client.force_login(cast.users.department)
    page = {g.code: g for g in client.get("/grids/").context["page"]}
    assert (page["411799100201001"].open_cases, page["411799100201001"].overdue_cases) == (1, 1)
    assert page["411799100201002"].open_cases == 2
    client.force_login(cast.users.dispatcher)
    response = client.get("/grids/")
    page = {g.code: g for g in response.context["page"]}
    assert (page["411799100201001"].open_cases, page["411799100201002"].open_cases) == (2, 3)
    assert "钱组长" in response.content.decode()


def test_the_export_lists_the_filtered_grids_with_members_and_counts(client, cast, cases):
    client.force_login(cast.users.dispatcher)
    response = client.get("/grids/", {"township": EAST_TOWN, "layer": "综合", "export": "xlsx"})
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    header = rows[0]
    assert header[:3] == ("网格编码", "网格名称", "类型") and header[-2:] == ("在办件数", "状态")
    by_code = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(by_code) == {"411799100201001", "411799100201002"}
    first = by_code["411799100201001"]
    assert (first["网格长"], first["网格员"], first["成员人数"], first["在办件数"]) == ("钱组长", "周网格", 2, 2)
    assert (first["乡镇（街道）"], first["村（社区）"], first["状态"]) == ("东岗镇", "柳树村", "在用")
    assert by_code["411799100201002"]["在办件数"] == 3
    assert "13812345678" not in str(rows)


# -- one grid --------------------------------------------------------------------------------------


def test_a_grid_page_shows_masked_members_and_only_visible_cases(client, cast, cases):
    client.force_login(cast.users.department)
    response = client.get("/grids/411799100201001/")
    html = response.content.decode()
    assert "138****5678" in html and "13812345678" not in html
    assert [c.code for c in response.context["recent"]] == [cases["late"].code]  # not the worker's own report
    assert (response.context["open_cases"], response.context["overdue_cases"]) == (1, 1)
    assert response.context["map_config"]["grid"]["geometry"]["coordinates"] == [WEST]
    assert client.get("/grids/411799100201099/").status_code == 404


# -- imports ---------------------------------------------------------------------------------------


@pytest.fixture
def staging_dir(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


BOW_TIE = [[114.00, 32.98], [114.01, 32.99], [114.01, 32.98], [114.00, 32.99], [114.00, 32.98]]


def test_a_bad_geojson_lists_each_features_problems_in_chinese_and_changes_nothing(client, cast, grids, staging_dir):
    client.force_login(cast.users.dispatcher)
    before = list(Grid.objects.values_list("code", "name", "polygon"))
    bad = collection(
        feature("411799100201001", "改名的网格", EAST),
        feature("411799100201003", "坏网格", BOW_TIE),
        feature("411799100299001", "", WEST),
    )
    response = client.post("/grids/import/", {"file": upload("grids.geojson", bad.encode()), "layer": "综合"})
    errors = response.context["errors"]
    assert (2, "范围") in [(row, column) for row, column, _ in errors]
    assert any(row == 2 and "边界自相交" in message for row, _, message in errors)
    assert any(row == 3 and column == "网格编码" and "不是已登记的村（社区）区划代码" in m for row, column, m in errors)
    assert any(row == 3 and column == "网格名称" for row, column, _ in errors)
    html = response.content.decode()
    assert "未导入任何数据" in html and 'data-testid="import-confirm"' not in html
    assert list(Grid.objects.values_list("code", "name", "polygon")) == before
    # Confirming now imports nothing: the bad file was never staged.
    response = client.post("/grids/import/", {"confirm": "1"}, follow=True)
    assert "预检结果已失效" in response.content.decode()
    assert list(Grid.objects.values_list("code", "name", "polygon")) == before


def test_a_good_geojson_is_checked_first_and_imported_on_confirmation(client, cast, grids, staging_dir):
    client.force_login(cast.users.dispatcher)
    good = collection(feature("411799100201001", "柳树村一网格", EAST), feature("411799100201003", "三网格", NORTH))
    response = client.post("/grids/import/", {"file": upload("grids.geojson", good.encode()), "layer": "综合"})
    assert response.context["errors"] == []
    assert response.context["result"].counts == {"网格": 2, "新增": 1, "更新": 1}
    assert 'data-testid="import-confirm"' in response.content.decode()
    assert not Grid.objects.filter(code="411799100201003").exists()  # 预检 writes nothing
    assert Grid.objects.get(code="411799100201001").name == "柳树村第一网格"
    response = client.post("/grids/import/", {"confirm": "1"})
    assert response.context["done"]
    assert Grid.objects.get(code="411799100201001").name == "柳树村一网格"
    assert Grid.objects.get(code="411799100201003").layer == "综合"
    assert client.post("/grids/import/", {"confirm": "1"}).context["done"] is False  # only once
    logged = OperationLog.objects.get(action="导入网格范围", user=cast.users.dispatcher)  # not the 预检
    assert (logged.user, logged.target, logged.detail) == (cast.users.dispatcher, "综合图层", "网格2，新增1，更新1")


def test_a_departmental_layer_is_imported_into_its_layer(client, cast, grids, staging_dir):
    client.force_login(cast.users.dispatcher)
    file = collection(feature("411799100201102", "柳树村环保网格", EAST)).encode("utf-8-sig")  # with a BOM
    client.post("/grids/import/", {"file": upload("env.geojson", file), "layer": "环保"})
    client.post("/grids/import/", {"confirm": "1"})
    assert Grid.objects.get(code="411799100201102").layer == "环保"


def test_a_file_of_another_kind_is_refused(client, cast, grids, staging_dir):
    client.force_login(cast.users.dispatcher)
    response = client.post("/grids/import/", {"file": upload("grids.xlsx", b"x"), "layer": "综合"})
    assert "请上传GeoJSON文件" in response.content.decode()


def workbook(rows) -> bytes:
    wb = Workbook()
    wb.active.append(list(MEMBER_COLUMNS))
    for row in rows:
        wb.active.append(row)
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_members_from_excel_are_checked_row_by_row_then_replace_the_grids_members(client, cast, grids, staging_dir):
    client.force_login(cast.users.dispatcher)
    bad = workbook([["411799100201001", "李网格长", "网格长", "13900001111"], ["411799100201077", "王", "组长", ""]])
    response = client.post("/grids/import/members/", {"file": upload("members.xlsx", bad)})
    errors = response.context["errors"]
    assert (3, "网格编码") in [(row, column) for row, column, _ in errors]
    assert any(row == 3 and column == "职务" and "“组长”无效" in message for row, column, message in errors)
    assert GridMember.objects.filter(grid__code="411799100201001").count() == 2
    good = workbook([["411799100201001", "李网格长", "网格长", "13900001111"]])
    checked = client.post("/grids/import/members/", {"file": upload("members.xlsx", good)})
    assert "关联平台账号：<strong>0</strong>" in checked.content.decode()
    assert GridMember.objects.filter(grid__code="411799100201001").count() == 2  # 预检 writes nothing
    assert client.post("/grids/import/members/", {"confirm": "1"}).context["done"]
    assert list(GridMember.objects.filter(grid__code="411799100201001").values_list("name", "role", "phone")) == [
        ("李网格长", "chief", "13900001111")
    ]
    assert GridMember.objects.filter(grid__code="411799100201002").count() == 1  # not in the file: unchanged


def test_the_member_template_has_the_imported_columns_and_imports_once_filled(client, cast, grids, staging_dir):
    client.force_login(cast.users.dispatcher)
    template = load_workbook(BytesIO(client.get("/grids/import/members/template.xlsx").content))
    sheet = template.worksheets[0]
    assert tuple(c.value for c in sheet[1]) == MEMBER_COLUMNS
    assert '"网格长,专职网格员,兼职网格员"' in [v.formula1 for v in sheet.data_validations.dataValidation]
    sheet.append(["411799100201002", "赵专职", "专职网格员", "13700002222"])
    buf = BytesIO()
    template.save(buf)
    client.post("/grids/import/members/", {"file": upload("filled.xlsx", buf.getvalue())})
    assert client.post("/grids/import/members/", {"confirm": "1"}).context["done"]
    assert list(GridMember.objects.filter(grid__code="411799100201002").values_list("name", flat=True)) == ["赵专职"]
    assert OperationLog.objects.filter(action="导入网格员", user=cast.users.dispatcher).count() == 1


@pytest.mark.parametrize("url", ["/grids/import/", "/grids/import/members/", "/grids/import/members/template.xlsx"])
def test_a_grid_worker_cannot_import(client, cast, grids, staging_dir, url):
    client.force_login(cast.users.grid)
    assert client.get(url).status_code == 403
    file = collection(feature("411799100201001", "改名", EAST)).encode()
    assert client.post(url, {"file": upload("grids.geojson", file), "layer": "综合"}).status_code == 403
    assert Grid.objects.get(code="411799100201001").name == "柳树村第一网格"
