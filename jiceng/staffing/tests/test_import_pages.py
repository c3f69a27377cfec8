"""Uploading a roster through the page: dry run with row errors, then a commit."""

from datetime import date
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from jiceng.lib.validators import build_id_number
from jiceng.orgs.models import Person
from jiceng.staffing.models import ImportJob

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def roster(rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append(["姓名", "身份证号", "编制类型", "编制所在单位", "工作单位", "进编日期"])
    for row in rows:
        ws.append(row)
    buf = BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("花名册.xlsx", buf.getvalue(), content_type=XLSX)


def test_a_bad_roster_is_explained_row_by_row_and_nothing_is_imported(client, cast, settings):
    settings.STAFFING_IMPORT_INLINE = True
    client.force_login(cast.users.staffing)
    before = Person.objects.count()
    good = build_id_number("411799", date(1990, 5, 1), 31)
    response = client.post(
        "/staffing/import/",
        {
            "roster": roster(
                [
                    ["孙好", good, "行政", "东岗镇党政综合办公室", "东岗镇党政综合办公室", "2015-09-01"],
                    [
                        "钱错",
                        "411799198501010011",
                        "行政",
                        "东岗镇党政综合办公室",
                        "东岗镇党政综合办公室",
                        "2015-09-01",
                    ],
                ]
            )
        },
        follow=True,
    )
    job = ImportJob.objects.get()
    assert job.dry_run and job.status == ImportJob.Status.DONE
    page = response.content.decode()
    assert "第3行" in page or ">3<" in page
    assert "校验位错误" in page
    assert Person.objects.count() == before


def test_a_clean_roster_is_checked_then_imported(client, cast, settings):
    settings.STAFFING_IMPORT_INLINE = True
    client.force_login(cast.users.staffing)
    good = build_id_number("411799", date(1990, 5, 1), 31)
    client.post(
        "/staffing/import/",
        {
            "roster": roster(
                [
                    ["孙好", good, "事业", "东岗镇便民服务中心", "东岗镇便民服务中心", "2015-09-01"],
                ]
            )
        },
    )
    checked = ImportJob.objects.get()
    assert checked.result["errors"] == [] and not Person.objects.filter(name="孙好").exists()
    client.post(f"/staffing/import/{checked.pk}/commit/")
    job = ImportJob.objects.exclude(pk=checked.pk).get()
    assert job.committed and not job.dry_run
    person = Person.objects.get(name="孙好")
    assert person.placements.get().start_on.isoformat() == "2015-09-01"


def test_only_the_staffing_office_may_import(client, cast):
    client.force_login(cast.users.east_leader)
    assert client.get("/staffing/import/").status_code == 403
