"""12345 orders: imported once by their order number, errors explained row by row, nothing imported on error."""

import pytest
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
