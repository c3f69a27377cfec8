"""多网合一: the proposal, its mapping and report from hand-drawn layers; approval applies it; who may do what."""

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from shapely.geometry import box

from jiceng.grids import geometry, merging
from jiceng.grids.importing import import_grids
from jiceng.grids.models import Grid, GridMember, MergeIssue, MergePlan, MergeStatus
from jiceng.lib.errors import DomainError
from jiceng.orgs.models import Region, RegionKind

from .test_grids import collection, feature

LIUSHU = "411799100201"  # 柳树村 in 东岗镇 (the cast)


def square(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def m2(x0, y0, x1, y1) -> float:
    return geometry.area_m2(box(x0, y0, x1, y1))


def load(layer, *features):
    result = import_grids(collection(*features), dry_run=False, layer=layer)
    assert result.committed, result.errors


def with_hole(code, name, outer, hole):
    f = feature(code, name, outer)
    f["geometry"]["coordinates"].append(hole)
    return f


@pytest.fixture
def two_layers(cast):
    """柳树村 without comprehensive grids. 综治 draws the whole village except a hole; 城管's one grid overlaps the
    east end of it and reaches further east."""
    hole = square(114.005, 32.985, 114.01, 32.99)
    load("综治", with_hole(f"{LIUSHU}001", "综治一格", square(114.00, 32.98, 114.02, 33.00), hole))
    load("城管", feature(f"{LIUSHU}002", "城管一格", square(114.015, 32.98, 114.025, 32.99)))
    return {g.layer: g for g in Grid.objects.all()}


def build(cast, **kwargs):
    kwargs.setdefault("layers", ["综治", "城管"])
    return merging.build_merge_plan(township=cast.regions.east, by=cast.users.dispatcher, **kwargs)


def test_the_report_lists_exactly_the_overlap_and_the_hole(cast, two_layers):
    plan = build(cast)
    overlaps = list(plan.issues.filter(kind=MergeIssue.Kind.OVERLAP))
    assert len(overlaps) == 1
    [overlap] = overlaps
    assert {overlap.grid_a, overlap.grid_b} == {two_layers["综治"], two_layers["城管"]}
    assert overlap.area_m2 == pytest.approx(m2(114.015, 32.98, 114.02, 32.99), rel=0.005)
    assert overlap.share_b == pytest.approx(0.5, abs=0.01)  # half of 城管一格
    assert "边界不一致" in overlap.note and overlap.village.code == LIUSHU
    [hole] = plan.issues.filter(kind=MergeIssue.Kind.UNCOVERED)
    assert hole.area_m2 == pytest.approx(m2(114.005, 32.985, 114.01, 32.99), rel=0.005)
    assert hole.village.name == "柳树村" and "亩" in hole.note
    assert not plan.issues.filter(kind=MergeIssue.Kind.CROSSING).exists()


def test_a_village_without_comprehensive_grids_gets_one_and_every_departmental_grid_is_mapped(cast, two_layers):
    plan = build(cast)
    [target] = plan.targets.all()
    # The next free number after the departmental grids' 001 and 002; the hole is inside the village, so filled.
    assert (target.code, target.name, target.is_new) == (f"{LIUSHU}003", "柳树村网格", True)
    assert target.area_m2 == pytest.approx(
        m2(114.00, 32.98, 114.02, 33.00) + m2(114.02, 32.98, 114.025, 32.99), rel=0.005
    )
    rows = {(m.source, m.target, m.is_main): m.share for m in plan.mappings.all()}
    assert rows == {
        (two_layers["综治"], target, True): pytest.approx(1.0),
        (two_layers["城管"], target, True): pytest.approx(1.0),
    }
    assert plan.status == MergeStatus.DRAFT and plan.events.get().note == "生成方案"


def test_approval_creates_the_grid_carries_members_over_and_the_index_finds_it(
    cast, two_layers, settings, django_capture_on_commit_callbacks
):
    zong, cheng = two_layers["综治"], two_layers["城管"]
    GridMember.objects.create(grid=zong, name="李综治", role="chief", phone="13900000001")
    GridMember.objects.create(grid=zong, name="周网格", role="full", user=cast.users.grid)
    GridMember.objects.create(grid=cheng, name="王城管", role="chief", phone="13900000002")
    GridMember.objects.create(grid=cheng, name="周网格", role="part", user=cast.users.grid)  # the same person twice
    settings.GRID_CHECK_SECONDS = 3600  # as deployed: only the approval's invalidation refreshes the index at once
    assert geometry.locate(32.9875, 114.0075) is None
    plan = build(cast)
    merging.submit_merge_plan(plan, by=cast.users.dispatcher)
    with django_capture_on_commit_callbacks(execute=True):
        merging.approve_merge_plan(plan, by=cast.users.staffing, document_no="示编〔2026〕9号")

    plan.refresh_from_db()
    assert (plan.status, plan.approved_by, plan.document_no) == (
        MergeStatus.APPROVED,
        cast.users.staffing,
        "示编〔2026〕9号",
    )
    new = Grid.objects.get(code=f"{LIUSHU}003")
    assert (new.layer, new.kind, new.village.code) == ("综合", "comprehensive", LIUSHU)
    assert geometry.locate(32.9875, 114.0075) == new  # in the departmental hole: the village's grid covers it
    assert geometry.locate(32.985, 114.0225) == new  # the part only 城管 drew
    # 综治一格 comes first (same share, lower code): its chief stays chief, 城管's chief joins as 专职网格员.
    assert sorted(new.members.values_list("name", "role")) == [
        ("周网格", "full"),
        ("李综治", "chief"),
        ("王城管", "full"),
    ]
    assert zong.members.count() == 2 and Grid.objects.get(pk=cheng.pk).active  # departmental grids kept
    assert merging.comprehensive_grids_of(zong) == [(new, pytest.approx(1.0))]
    assert [e.to_status for e in plan.events.all()] == ["draft", "submitted", "approved"]


def test_a_departmental_grid_crossing_into_another_village_is_reported(cast):
    Region.objects.create(code="411799100202", name="杨庄村", kind=RegionKind.VILLAGE, parent=cast.regions.east)
    load(
        "综合",
        feature(f"{LIUSHU}001", "柳树村网格", square(114.00, 32.98, 114.01, 32.99)),
        feature("411799100202001", "杨庄村网格", square(114.01, 32.98, 114.02, 32.99)),
    )
    load(
        "综治",
        feature(f"{LIUSHU}002", "柳树综治", square(114.005, 32.98, 114.015, 32.99)),
        feature("411799100202002", "杨庄综治", square(114.01, 32.98, 114.02, 32.99)),
    )
    plan = build(cast, layers=["综治"])
    [crossing] = plan.issues.filter(kind=MergeIssue.Kind.CROSSING)
    assert (crossing.grid_a.code, crossing.village.name, crossing.other_village.name) == (
        f"{LIUSHU}002",
        "柳树村",
        "杨庄村",
    )
    assert crossing.area_m2 == pytest.approx(m2(114.01, 32.98, 114.015, 32.99), rel=0.005)
    assert "伸入杨庄村" in crossing.note
    # Existing comprehensive grids are kept; the crossing grid maps half onto each village's grid.
    assert not plan.targets.filter(is_new=True).exists()
    shares = sorted((m.target.code, round(m.share, 2)) for m in plan.mappings.filter(source__code=f"{LIUSHU}002"))
    assert shares == [(f"{LIUSHU}001", 0.5), ("411799100202001", 0.5)]
    [gap] = plan.issues.filter(kind=MergeIssue.Kind.UNCOVERED)  # the west half of 柳树村 has no 综治 grid
    assert gap.village.name == "柳树村" and gap.area_m2 == pytest.approx(m2(114.00, 32.98, 114.005, 32.99), rel=0.005)


def test_a_large_village_is_cut_into_grids_of_equal_area(cast):
    load("综治", feature(f"{LIUSHU}001", "综治大网格", square(114.00, 32.98, 114.04, 33.01)))
    plan = build(cast, layers=["综治"])
    targets = list(plan.targets.all())
    total = m2(114.00, 32.98, 114.04, 33.01)
    assert total > merging.MAX_GRID_M2
    assert [(t.code, t.name) for t in targets] == [
        (f"{LIUSHU}002", "柳树村第一网格"),
        (f"{LIUSHU}003", "柳树村第二网格"),
    ]
    assert [t.area_m2 for t in targets] == [pytest.approx(total / 2, rel=0.01)] * 2
    assert sorted(round(m.share, 2) for m in plan.mappings.all()) == [0.5, 0.5]


def test_layers_are_checked(cast, two_layers):
    with pytest.raises(DomainError, match="请选择至少一个"):
        build(cast, layers=[])
    with pytest.raises(DomainError, match="综合网格不是部门图层"):
        build(cast, layers=["综合", "综治"])
    with pytest.raises(DomainError, match="东岗镇没有“环保”图层"):
        build(cast, layers=["综治", "环保"])
    assert not MergePlan.objects.exists()


def test_a_code_of_another_layer_is_refused_on_import(cast, two_layers):
    result = import_grids(
        collection(feature(f"{LIUSHU}001", "城管改号", square(114.0, 32.98, 114.01, 32.99))),
        dry_run=False,
        layer="城管",
    )
    assert not result.committed
    assert "已是“综治”图层的网格" in result.errors[0].message
    assert Grid.objects.get(code=f"{LIUSHU}001").layer == "综治"


# ---- lifecycle ----------------------------------------------------------------------------------------


def test_refused_transitions_say_why(cast, two_layers):
    plan = build(cast)
    with pytest.raises(DomainError, match="方案状态为“草稿”，不能批准，请先提交"):
        merging.approve_merge_plan(plan, by=cast.users.staffing)
    with pytest.raises(DomainError, match="不能退回"):
        merging.return_merge_plan(plan, by=cast.users.staffing, reason="边界不清")
    merging.submit_merge_plan(plan, by=cast.users.dispatcher)
    with pytest.raises(DomainError, match="不能提交"):
        merging.submit_merge_plan(plan, by=cast.users.dispatcher)
    with pytest.raises(DomainError, match="请填写退回理由"):
        merging.return_merge_plan(plan, by=cast.users.staffing, reason=" ")
    merging.approve_merge_plan(plan, by=cast.users.staffing)
    with pytest.raises(DomainError, match="方案状态为“已批准”，不能批准"):
        merging.approve_merge_plan(plan, by=cast.users.staffing)
    assert Grid.objects.filter(layer="综合").count() == 1  # applied once


def test_a_returned_plan_keeps_the_reason_and_changes_no_grid(cast, two_layers):
    plan = build(cast)
    merging.submit_merge_plan(plan, by=cast.users.dispatcher)
    merging.return_merge_plan(plan, by=cast.users.staffing, reason="城管网格东界有误")
    plan.refresh_from_db()
    assert plan.status == MergeStatus.RETURNED and plan.events.last().note == "城管网格东界有误"
    assert not Grid.objects.filter(layer="综合").exists()
    with pytest.raises(DomainError, match="方案状态为“已退回”，不能批准"):
        merging.approve_merge_plan(plan, by=cast.users.staffing)


def test_approval_refuses_a_taken_code_and_grids_changed_since_the_plan(cast, two_layers):
    plan = build(cast)
    merging.submit_merge_plan(plan, by=cast.users.dispatcher)
    load("环保", feature(f"{LIUSHU}003", "环保一格", square(114.03, 32.98, 114.04, 32.99)))
    with pytest.raises(DomainError, match=f"网格编码{LIUSHU}003已被占用"):
        merging.approve_merge_plan(plan, by=cast.users.staffing)
    assert MergePlan.objects.get(pk=plan.pk).status == MergeStatus.SUBMITTED
    assert not Grid.objects.filter(layer="综合").exists()

    Grid.objects.filter(layer="环保").delete()
    load("城管", feature(f"{LIUSHU}002", "城管一格", square(114.015, 32.98, 114.03, 32.99)))  # redrawn
    with pytest.raises(DomainError, match=f"网格{LIUSHU}002等已有变动，请重新生成方案"):
        merging.approve_merge_plan(plan, by=cast.users.staffing)
    assert not Grid.objects.filter(layer="综合").exists()


# ---- pages ---------------------------------------------------------------------------------------------


def test_the_dispatcher_builds_and_submits_and_the_staffing_office_approves(client, cast, two_layers):
    client.force_login(cast.users.dispatcher)
    response = client.post(
        reverse("grids:merge_new"), {"township": cast.regions.east.pk, "layers": ["综治", "城管"], "name": ""}
    )
    plan = MergePlan.objects.get()
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    [listed] = client.get(reverse("grids:merge_plans")).context["plans"]
    assert (listed.sources, listed.new_grids, listed.problems) == (2, 1, 2)  # the overlap and the hole
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "城管一格" in page and f"{LIUSHU}003" in page and "未覆盖区域" in page
    assert 'data-testid="approve"' not in page  # not the dispatcher's to approve
    assert client.post(reverse("grids:merge_approve", args=[plan.pk])).status_code == 403
    client.post(reverse("grids:merge_submit", args=[plan.pk]))
    assert MergePlan.objects.get().status == MergeStatus.SUBMITTED

    client.force_login(cast.users.staffing)
    assert client.post(reverse("grids:merge_submit", args=[plan.pk])).status_code == 403
    assert client.get(reverse("grids:merge_new")).status_code == 403
    page = client.get(plan.get_absolute_url()).content.decode()
    assert 'data-testid="approve"' in page
    response = client.post(reverse("grids:merge_return", args=[plan.pk]), {"reason": ""}, follow=True)
    assert "请填写退回理由" in response.content.decode()
    client.post(reverse("grids:merge_approve", args=[plan.pk]), {"document_no": "示编〔2026〕9号"})
    assert MergePlan.objects.get().status == MergeStatus.APPROVED
    assert Grid.objects.filter(code=f"{LIUSHU}003", layer="综合").exists()


def test_the_plan_form_says_what_is_missing(client, cast, two_layers):
    client.force_login(cast.users.dispatcher)
    form = client.post(reverse("grids:merge_new"), {"township": cast.regions.village.pk}).context["form"]
    assert form.errors == {
        "layers": ["请选择至少一个部门网格图层。"],
        "township": ["请选择乡镇（街道），或留空表示全县。"],
    }
    client.force_login(cast.users.custom)  # a dispatcher scoped to 河西镇: no whole county
    form = client.post(reverse("grids:merge_new"), {"layers": ["综治"]}).context["form"]
    assert form.errors["township"] == ["您的数据范围不是全县，请选择乡镇（街道）。"]
    assert not MergePlan.objects.exists()


def test_others_cannot_see_plans(client, cast, two_layers):
    plan = build(cast)
    for user in (cast.users.grid, cast.users.east_leader, cast.users.department):
        client.force_login(user)
        assert client.get(reverse("grids:merge_plans")).status_code == 403
        assert client.get(plan.get_absolute_url()).status_code == 403


def test_the_excel_export_has_the_mapping_and_the_report(client, cast, two_layers, tmp_path):
    plan = build(cast)
    client.force_login(cast.users.staffing)
    response = client.get(reverse("grids:merge_export", args=[plan.pk]))
    path = tmp_path / "plan.xlsx"
    path.write_bytes(response.content)
    wb = load_workbook(path)
    assert wb.sheetnames == ["综合网格", "对照表", "问题清单"]
    mapping = list(wb["对照表"].iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in mapping) == [f"{LIUSHU}001", f"{LIUSHU}002"]
    assert {r[4] for r in mapping} == {f"{LIUSHU}003"}
    kinds = sorted(r[0] for r in wb["问题清单"].iter_rows(min_row=2, values_only=True))
    assert kinds == ["图层重叠、边界不一致", "未覆盖区域"]


def test_the_plan_page_draws_the_proposal_as_geojson(client, cast, two_layers):
    plan = build(cast)
    client.force_login(cast.users.dispatcher)
    page = client.get(plan.get_absolute_url())
    data = page.context["map_data"]
    assert [f["properties"]["code"] for f in data["targets"]["features"]] == [f"{LIUSHU}003"]
    assert len(data["issues"]["features"]) == 2


def test_the_same_grid_drawn_by_two_departments_is_no_conflict(cast):
    load("综治", feature(f"{LIUSHU}001", "综治一格", square(114.00, 32.98, 114.01, 32.99)))
    # 城管 drew the same square, one corner 1 m off (a border digitised twice is not a disagreement).
    load("城管", feature(f"{LIUSHU}002", "城管一格", square(114.00, 32.98, 114.01, 32.99 + 0.00001)))
    plan = build(cast)
    assert not plan.issues.exists()
    assert plan.mappings.count() == 2 and plan.targets.get().code == f"{LIUSHU}003"
