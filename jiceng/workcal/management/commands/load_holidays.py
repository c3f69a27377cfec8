from django.core.management.base import BaseCommand

from jiceng.workcal.actions import load_package_calendar, load_package_year


class Command(BaseCommand):
    help = "从 chinese-calendar 数据包导入节假日（默认只导入表中尚无的年份）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="只重新导入这一年")

    def handle(self, *args, year=None, **options):
        if year:
            n = load_package_year(year)
            self.stdout.write(f"{year}年：导入 {n} 天")
            return
        years = load_package_calendar()
        self.stdout.write(f"导入年份：{', '.join(map(str, years)) or '无（均已存在）'}")
