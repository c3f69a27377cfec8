"""The demo county's catalog as `manage.py seed_demo` loads it (jiceng/catalog/demo.py)."""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from jiceng.catalog import demo
from jiceng.catalog.models import (
    AdmissionRequest,
    Area,
    CatalogUnit,
    DelegatedPower,
    Delegation,
    DelegationStatus,
    Level,
    ListKind,
    Matter,
    MatterVersion,
    Responsibility,
    RoleBinding,
)
from jiceng.catalog.resolve import Unresolvable, resolve
from jiceng.orgs.models import Region, UnitStatus

SIX = {"白沙镇": 185, "城关街道": 141, "东关街道": 141, "龙泉镇": 141, "青山乡": 140, "河西镇": 138}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def current(matter: Matter) -> MatterVersion:
    return matter.current_version(timezone.localdate())


def by_name(name: str) -> Matter:
    return Matter.objects.get(versions__name=name, versions__effective_to=None)


def townships() -> dict[str, Region]:
    return {r.name: r for r in Region.objects.townships()}


def latest_statuses(day: date) -> dict[tuple[int, int], str]:
    """(power, township) → the status of the latest record on or before `day`."""
    latest = {}
    for power_id, township_id, status in (
        Delegation.objects.filter(on__lte=day).order_by("on", "id").values_list("power_id", "township_id", "status")
    ):
        latest[(power_id, township_id)] = status
    return latest


@pytest.mark.django_db
@pytest.mark.usefixtures("small_demo")
def test_catalog_demo():
    output = seed()
    assert "清单：领域16个" in output
    assert "赋权事项185项（承接情况：白沙镇185/185" in output
    check_areas_and_units()
    check_matters()
    check_service_items()
    check_powers_and_acceptance()
    check_resolution_follows_acceptance()
    check_missing_roles_are_unresolvable()
    check_admission_requests()
    check_second_run_changes_nothing()


def check_areas_and_units():
    assert list(Area.objects.values_list("code", flat=True)) == [f"A{i:02d}" for i in range(1, 17)]
    county = CatalogUnit.objects.filter(level=Level.COUNTY)
    assert county.count() >= 20
    for cu in county.select_related("unit"):
        assert cu.unit is not None and cu.unit.name == cu.name and cu.unit.status == UnitStatus.ACTIVE
    used = set(Responsibility.objects.values_list("catalog_unit_id", flat=True))
    assert set(county.values_list("pk", flat=True)) <= used  # every county unit has a part somewhere
    roles = CatalogUnit.objects.filter(level=Level.TOWNSHIP)
    assert 15 <= roles.count() <= 20
    assert all(cu.unit_id is None for cu in roles)
    towns = townships()
    assert len(towns) == 7
    for name, township in towns.items():
        bindings = RoleBinding.objects.filter(township=township).select_related("unit__region")
        assert bindings.count() >= 10, name
        assert all(b.unit.region_id == township.pk and b.unit.status == UnitStatus.ACTIVE for b in bindings)
    # 三办三中心: one office plays several roles; no 综合行政执法队 in 龙泉镇
    longquan = RoleBinding.objects.filter(township=towns["龙泉镇"])
    office = longquan.filter(unit__name="龙泉镇社会管理综合治理办公室")
    assert {"平安建设办公室", "综治中心（网格化服务管理中心）"} <= set(office.values_list("role__name", flat=True))
    assert not longquan.filter(role__name="综合行政执法队").exists()
    assert longquan.get(role__name="派出所").unit.name == "龙泉派出所"


def check_matters():
    duty = [m for m in Matter.objects.select_related("area") if current(m).list_kind != ListKind.SERVICE]
    assert len(duty) >= 95
    kinds = Counter(current(m).list_kind for m in duty)
    assert kinds[ListKind.LOCAL] > kinds[ListKind.BASIC] >= 15 and kinds[ListKind.COOPERATE] >= 10
    per_area = Counter(m.area.code for m in duty)
    assert len(per_area) == 16 and min(per_area.values()) >= 4
    names = set()
    for matter in duty:
        v = current(matter)
        names.add(v.name)
        assert 1 <= v.time_limit_days <= 20
        assert len(v.keyword_list) >= 4 and v.township_duty and v.county_duty and v.procedure
        first = matter.versions.order_by("effective_from").first()
        assert (first.effective_from, first.document_no) == (date(2025, 1, 1), "示编〔2024〕30号")
        duties = list(v.responsibilities.select_related("catalog_unit"))
        [lead] = [d for d in duties if d.is_lead]
        cooperating = [d for d in duties if not d.is_lead]
        assert cooperating and all(d.duty for d in duties)
        if v.list_kind == ListKind.BASIC:
            assert lead.catalog_unit.level == Level.TOWNSHIP
        else:
            assert lead.catalog_unit.level == Level.COUNTY
            assert any(d.catalog_unit.level == Level.TOWNSHIP for d in cooperating)
    assert len(names) == len(duty)
    revised = by_name("农村房屋安全隐患排查")
    assert revised.versions.count() == 2
    assert current(revised).effective_from == date(2025, 7, 1) and "经营性自建房" in current(revised).keywords


def check_service_items():
    items = [current(m) for m in Matter.objects.all() if current(m).list_kind == ListKind.SERVICE]
    assert len(items) >= 20
    for v in items:
        assert v.service_type and v.legal_basis and v.window and v.location.endswith(("便民服务中心", "代收代办）"))
        assert len(v.material_list) >= 2
        assert v.statutory_days >= v.committed_days >= 0
    assert sum(v.is_immediate for v in items) >= 3  # 即办件
    assert sum(v.no_visit for v in items) >= 5
    assert {"社保医保窗口", "民政救助窗口", "综合受理窗口", "不动产登记窗口"} <= {v.window for v in items}
    hall = [v for v in items if v.responsibilities.get(is_lead=True).catalog_unit.name == "便民服务中心"]
    assert len(hall) >= 15


def check_powers_and_acceptance():
    powers = DelegatedPower.objects.all()
    assert list(powers.values_list("code", flat=True)) == [f"FQ{i:03d}" for i in range(1, 186)]
    assert set(powers.values_list("document_no", "offered_on")) == {("示政〔2021〕18号", date(2021, 6, 1))}
    assert powers.filter(county_unit__level=Level.COUNTY, township_role__level=Level.TOWNSHIP).count() == 185
    linked = powers.exclude(matter=None)
    assert 18 <= linked.count() <= 25
    assert linked.values("matter").distinct().count() == linked.count()

    latest = latest_statuses(timezone.localdate())
    names = {t.pk: name for name, t in townships().items()}
    accepted = Counter(names[t] for (_, t), s in latest.items() if s == DelegationStatus.ACCEPTED)
    assert {name: accepted[name] for name in SIX} == SIX
    assert sorted(accepted[name] for name in SIX) == sorted([141, 138, 185, 140, 141, 141])
    assert 0 < accepted["张店乡"] < 138
    statuses = Counter(latest.values())
    assert statuses[DelegationStatus.DEFERRED] >= 5 and statuses[DelegationStatus.RECLAIMED] >= 2
    reclaimed = Delegation.objects.filter(status=DelegationStatus.RECLAIMED)
    assert all(r.document_no and r.on > date(2021, 9, 1) for r in reclaimed)
    for r in reclaimed:  # accepted first, then given back
        assert Delegation.objects.filter(power=r.power, township=r.township, status="accepted", on__lt=r.on).exists()
    # the current count would be wrong if the 收回 were ignored
    ever = Counter(names[t] for t in Delegation.objects.filter(status="accepted").values_list("township", flat=True))
    assert ever["城关街道"] > 141


def check_resolution_follows_acceptance():
    today = timezone.localdate()
    towns = townships()
    zhandao = by_name("占道经营")
    r = resolve(zhandao, towns["白沙镇"], today)
    assert (r.lead.unit.name, r.delegated) == ("白沙镇综合行政执法队", True)
    assert r.cooperating[0].unit.name == "县综合行政执法局（县城市管理局）"
    r = resolve(zhandao, towns["张店乡"], today)
    assert (r.lead.unit.name, r.delegated) == ("县综合行政执法局（县城市管理局）", False)
    # 城关街道 gave the river power back in 2023: the county leads again
    r = resolve(by_name("河道乱占乱建乱堆"), towns["城关街道"], today)
    assert (r.lead.unit.name, r.delegated) == ("县水利局", False)

    latest = latest_statuses(today)
    bindings = {(b.role_id, b.township_id): b.unit.name for b in RoleBinding.objects.select_related("unit")}
    seen = Counter()
    for power in DelegatedPower.objects.exclude(matter=None).select_related("matter", "county_unit__unit"):
        for township in towns.values():
            r = resolve(power.matter, township, today)
            if latest.get((power.pk, township.pk)) == DelegationStatus.ACCEPTED:
                assert r.delegated and r.lead.unit.name == bindings[(power.township_role_id, township.pk)]
                seen["delegated"] += 1
            else:
                assert not r.delegated and r.lead.unit == power.county_unit.unit
                seen["county"] += 1
    assert seen["delegated"] >= 40 and seen["county"] >= 40


def check_missing_roles_are_unresolvable():
    today = timezone.localdate()
    towns = townships()
    with pytest.raises(Unresolvable) as raised:
        resolve(by_name("“门前三包”责任落实"), towns["龙泉镇"], today)
    assert "综合行政执法队" in str(raised.value) and "龙泉镇" in str(raised.value)
    assert resolve(by_name("“门前三包”责任落实"), towns["白沙镇"], today).lead.unit.name == "白沙镇综合行政执法队"
    with pytest.raises(Unresolvable, match="便民服务中心"):
        resolve(by_name("最低生活保障申请"), towns["张店乡"], today)
    # a cooperating role the township lacks is a note, not an error
    r = resolve(by_name("占道经营"), towns["龙泉镇"], today)
    assert any("综合行政执法队" in note for note in r.notes)


def check_admission_requests():
    requests = {r.status: r for r in AdmissionRequest.objects.select_related("department", "matter", "submitted_by")}
    assert AdmissionRequest.objects.count() == 3 and set(requests) == set(AdmissionRequest.Status)
    pending = requests[AdmissionRequest.Status.PENDING]
    assert pending.department.name == "县自然资源局" and pending.submitted_by.username == "bumen"
    assert not pending.decision_note and pending.decided_at is None
    approved = requests[AdmissionRequest.Status.APPROVED]
    assert approved.decision_note and approved.decided_by.username == "bianban"
    assert approved.matter == by_name("农村留守老年人关爱巡访")
    assert current(approved.matter).list_kind == ListKind.BASIC
    refused = requests[AdmissionRequest.Status.REFUSED]
    assert "不属于乡镇职责" in refused.decision_note and "应由部门自行承担" in refused.decision_note
    assert refused.matter is None


def check_second_run_changes_nothing():
    models = (Area, CatalogUnit, RoleBinding, Matter, MatterVersion, DelegatedPower, Delegation, AdmissionRequest)
    before = {m.__name__: m.objects.count() for m in models}
    again = seed()
    assert "清单：" not in again
    assert {m.__name__: m.objects.count() for m in models} == before
    assert demo.seed(today=timezone.localdate(), by=None) == [demo.EXISTS_LINE]
