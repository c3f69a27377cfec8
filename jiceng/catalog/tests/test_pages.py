"""Catalog pages: the staff browser and editing, delegations, admissions, and the public lists and guide."""

from datetime import date

from django.urls import reverse

from jiceng.catalog import actions
from jiceng.catalog.models import AdmissionRequest, DelegationStatus, ListKind, Matter, MatterVersion

from .conftest import START


def text(response) -> str:
    return response.content.decode()


def service_item(catalog):
    return actions.save_matter(
        code="S001",
        area=catalog["area"],
        effective_from=START,
        document_no="示编〔2024〕30号",
        by=None,
        fields={
            "name": "城乡居民基本养老保险参保登记",
            "list_kind": ListKind.SERVICE,
            "service_type": "公共服务",
            "statutory_days": 5,
            "committed_days": 0,
            "materials": "居民身份证\n户口簿",
            "window": "社保医保窗口",
            "location": "东岗镇便民服务中心",
            "no_visit": True,
            "keywords": "养老;社保",
            "legal_basis": "《社会保险法》",
        },
        duties=[actions.Duty(catalog["office"], True, "受理登记")],
    )


def test_the_public_guide_needs_no_login_and_finds_an_item_by_a_plain_word(client, catalog):
    service_item(catalog)
    page = text(client.get(reverse("public:guide"), {"q": "养老"}))
    assert "城乡居民基本养老保险参保登记" in page and "即办" in page and "村（社区）代办点可办" in page
    detail = text(client.get(reverse("public:guide_item", args=["S001"])))
    assert "户口簿" in detail and "社保医保窗口" in detail and "《社会保险法》" in detail
    assert "示编" not in detail  # internal document numbers stay internal


def test_a_townships_three_lists_are_public_and_show_no_internal_data(client, catalog, cast):
    for kind, expected in (("duties", "秸秆禁烧巡查"), ("boundaries", "违法占用耕地建房")):
        page = text(client.get(reverse("public:township_list", args=[cast.regions.east.code, kind])))
        assert expected in page
        assert cast.people.east_staff.name not in page and cast.people.east_staff.id_number not in page
        assert "退出" not in page  # no staff layout


def test_the_power_list_shows_an_accepted_delegated_power(client, catalog, cast):
    actions.set_delegation(
        catalog["power"],
        cast.regions.east,
        status=DelegationStatus.ACCEPTED,
        on=date(2025, 9, 1),
        document_no="示政〔2025〕9号",
        by=None,
    )
    east = text(client.get(reverse("public:township_list", args=[cast.regions.east.code, "powers"])))
    west = text(client.get(reverse("public:township_list", args=[cast.regions.west.code, "powers"])))
    assert "违法占用耕地建房" in east and "赋权承接" in east
    assert "对违法占用耕地建房的行政处罚" in east  # the accepted power itself is listed
    assert "违法占用耕地建房" not in west


def test_staff_search_the_catalog_and_see_who_handles_a_matter_in_a_township(client, catalog, cast):
    client.force_login(cast.users.east_leader)
    page = text(client.get(reverse("catalog:matters"), {"q": "打地基"}))
    assert "违法占用耕地建房" in page and "秸秆禁烧巡查" not in page
    page = text(
        client.get(catalog["occupy"].get_absolute_url(), {"township": cast.regions.west.pk, "day": "2025-06-01"})
    )
    assert "县自然资源局" in page and "河西镇没有对应单位" in page


def test_only_the_staffing_office_edits_and_a_revision_is_a_new_version(client, catalog, cast):
    url = reverse("catalog:matter_edit", args=[catalog["occupy"].pk])
    client.force_login(cast.users.east_leader)
    assert client.get(url).status_code == 403
    client.force_login(cast.users.staffing)
    data = {
        "area": catalog["area"].pk,
        "name": "违法占用耕地建房",
        "list_kind": ListKind.LOCAL,
        "lead": catalog["land"].pk,
        "cooperating": [catalog["office"].pk],
        "township_duty": "巡查并报告",
        "county_duty": "查处",
        "time_limit_days": 2,
        "effective_from": "2026-01-01",
        "document_no": "示编〔2025〕41号",
    }
    assert client.post(url, data).status_code == 302
    assert MatterVersion.objects.filter(matter=catalog["occupy"]).count() == 2
    bad = client.post(url, {**data, "cooperating": [catalog["land"].pk], "effective_from": "2026-02-01"})
    assert "主体责任单位不能同时列为配合单位" in text(bad)
    assert MatterVersion.objects.filter(matter=catalog["occupy"]).count() == 2


def test_a_department_asks_to_add_a_task_and_the_staffing_office_decides(client, catalog, cast):
    client.force_login(cast.users.department)
    client.post(
        reverse("catalog:admissions"),
        {
            "department": cast.units.land.pk,
            "title": "农村宅基地面积核查",
            "description": "每年由乡镇入户核查宅基地面积",
            "reason": "国土变更调查需要",
        },
    )
    req = AdmissionRequest.objects.get()
    assert (
        client.post(reverse("catalog:admission_decide", args=[req.pk, "approve"]), {"note": "同意"}).status_code == 403
    )
    client.force_login(cast.users.staffing)
    client.post(reverse("catalog:admission_decide", args=[req.pk, "refuse"]), {"note": "属于部门职责，不交乡镇"})
    req.refresh_from_db()
    assert req.status == AdmissionRequest.Status.REFUSED and req.decision_note == "属于部门职责，不交乡镇"


def test_recording_an_acceptance_needs_its_document(client, catalog, cast):
    client.force_login(cast.users.staffing)
    response = client.post(
        reverse("catalog:power", args=[catalog["power"].pk]),
        {
            "township": cast.regions.east.pk,
            "status": DelegationStatus.ACCEPTED,
            "on": "2025-09-01",
        },
    )
    assert "须填写文号" in text(response)
    assert not catalog["power"].delegations.exists()
    assert Matter.objects.count() == 2


def test_a_catalog_upload_is_checked_row_by_row_then_imported(client, cast, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(cast.users.staffing)

    def upload(matters_csv):
        files = {
            "areas": SimpleUploadedFile("areas.csv", "area_code,area_name\nA01,自然资源\n".encode()),
            "units": SimpleUploadedFile(
                "units.csv", "unit_code,unit_name,level,kind\nC01,县自然资源局,county,党政机构\n".encode()
            ),
            "matters": SimpleUploadedFile("matters.csv", matters_csv.encode()),
        }
        return client.post(
            reverse("catalog:import"), {**files, "effective_from": "2025-01-01", "document_no": "示编〔2024〕30号"}
        )

    header = (
        "matter_code,area_code,matter_name,list_kind,lead_unit_code,cooperating_unit_codes,"
        "township_duty,county_duty,time_limit_days,keywords\n"
    )
    bad = upload(header + "M001,A99,违法建房,属地管理,C01,,巡查,查处,-1,建房\n")
    page = text(bad)
    assert "A99" in page and "办理时限" in page and "未导入任何数据" in page
    assert not Matter.objects.exists()
    good = upload(header + "M001,A01,违法建房,属地管理,C01,,巡查,查处,3,建房\n")
    assert "预检通过" in text(good) and not Matter.objects.exists()
    done = client.post(reverse("catalog:import"), {"confirm": "1"})
    assert "导入完成" in text(done)
    assert Matter.objects.get().current_version(date(2025, 6, 1)).time_limit_days == 3
