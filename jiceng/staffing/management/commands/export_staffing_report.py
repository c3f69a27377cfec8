"""Write the 编制情况 report (per unit and kind, township and county totals) to an .xlsx file."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jiceng.staffing.workbooks import report_workbook


class Command(BaseCommand):
    help = "导出编制情况表（各单位各类编制的核定数、实有数、预留数、空编数、超编数及乡镇、全县合计）。"

    def add_arguments(self, parser):
        parser.add_argument("out", help="输出的 .xlsx 文件")
        parser.add_argument("--as-of", help="统计日期，格式 YYYY-MM-DD，默认今天")

    def handle(self, *args, out, as_of=None, **options):
        day = timezone.localdate()
        if as_of:
            try:
                day = date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(
                    f"统计日期应为 YYYY-MM-DD 格式的有效日期，如 2026-03-02，填写的是“{as_of}”。"
                ) from None
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"找不到目录：{path.parent}")
        path.write_bytes(report_workbook(day))
        self.stdout.write(f"已导出{day:%Y年%m月%d日}的编制情况表：{path}")
