"""Write the duty catalog in force on a day as areas.csv, units.csv and matters.csv."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jiceng.catalog.importing import export_catalog


class Command(BaseCommand):
    help = "导出事项清单为 areas.csv、units.csv、matters.csv（与导入格式相同），事项取指定日期有效的版本。"

    def add_arguments(self, parser):
        parser.add_argument("directory", help="输出目录（不存在时新建）")
        parser.add_argument("--as-of", help="以哪一天有效的版本导出，格式 YYYY-MM-DD，默认今天")

    def handle(self, *args, directory, as_of=None, **options):
        day = timezone.localdate()
        if as_of:
            try:
                day = date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"日期应为 YYYY-MM-DD 格式的有效日期，如 2026-03-02，填写的是“{as_of}”。") from None
        path = Path(directory)
        if path.exists() and not path.is_dir():
            raise CommandError(f"“{path}”不是目录。")
        if not path.parent.is_dir():
            raise CommandError(f"找不到目录：{path.parent}")
        path.mkdir(exist_ok=True)
        counts = export_catalog(path, day=day)
        for name, n in counts.items():
            self.stdout.write(f"{name}：{n}行")
        self.stdout.write(f"已导出{day:%Y年%m月%d日}有效的事项清单：{path}")
