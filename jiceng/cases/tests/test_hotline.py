"""12345 orders: imported once by their order number, errors explained row by row, nothing imported on error."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from jiceng.cases.models import Case, Channel

HEADER = "工单编号,反映人,联系电话,所属乡镇,地址,标题,内容\n"


def write(tmp_path, body, name="orders.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def test_orders_are_imported_once(tmp_path, cast):
    path = write(
        tmp_path,
        "GD001,王女士,13900000001,东岗镇,柳树村,噪声扰民,夜间施工\nGD002,李先生,13900000002,河西镇,,路灯,不亮\n",
    )
    call_command("import_hotline", path)
    call_command("import_hotline", path)
    assert Case.objects.filter(channel=Channel.HOTLINE).count() == 2
    first = Case.objects.get(external_no="GD001")
    assert (first.township, first.title, first.requester_name) == (cast.regions.east, "噪声扰民", "王女士")
    assert Case.objects.get(external_no="GD002").title == "路灯"


def test_a_bad_row_stops_the_whole_file(tmp_path, cast):
    path = write(
        tmp_path, "GD001,王女士,13900000001,东岗镇,,噪声,夜间施工\nGD002,李先生,13900000002,不存在镇,,路灯,不亮\n"
    )
    with pytest.raises(CommandError, match="未导入"):
        call_command("import_hotline", path)
    assert not Case.objects.exists()


def test_duplicate_order_numbers_within_a_file_are_named(tmp_path, cast, capsys):
    path = write(tmp_path, "GD001,王,139,东岗镇,,噪声,x\nGD001,李,139,东岗镇,,噪声,x\n")
    with pytest.raises(CommandError):
        call_command("import_hotline", path)
    assert "与第2行重复" in capsys.readouterr().err


def test_a_bad_phone_number_is_named_with_its_row(tmp_path, cast, capsys):
    path = write(tmp_path, "GD001,王女士,13900000001,东岗镇,,噪声,x\nGD002,李先生,1390000,东岗镇,,路灯,不亮\n")
    with pytest.raises(CommandError):
        call_command("import_hotline", path)
    err = capsys.readouterr().err
    assert "第3行" in err and "联系电话" in err
    assert not Case.objects.exists()


def test_the_dispatcher_uploads_checks_and_confirms_on_the_web(client, cast, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(cast.users.dispatcher)
    bad = SimpleUploadedFile("orders.csv", (HEADER + "GD001,王女士,13900000001,不存在镇,,噪声,x\n").encode())
    body = client.post("/cases/hotline/", {"file": bad}).content.decode()
    assert "找不到乡镇（街道）“不存在镇”" in body and '<button class="btn btn-danger">确认导入' not in body
    good = SimpleUploadedFile("orders.csv", (HEADER + "GD001,王女士,13900000001,东岗镇,,噪声,x\n").encode())
    body = client.post("/cases/hotline/", {"file": good}).content.decode()
    assert "预检通过" in body and not Case.objects.exists()
    body = client.post("/cases/hotline/", {"confirm": "1"}).content.decode()
    assert "导入完成" in body
    assert Case.objects.get().external_no == "GD001"


def test_a_window_clerk_cannot_import_hotline_orders(client, cast):
    client.force_login(cast.users.east_clerk)
    assert client.get("/cases/hotline/").status_code == 403
