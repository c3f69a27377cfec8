"""Import the duty catalog from a directory of CSV files or an .xlsx, all or nothing."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from jiceng.accounts.models import User
from jiceng.catalog.importing import import_catalog


class Command(BaseCommand):
    help = (
        "导入事项清单：目录中的 areas.csv、units.csv、matters.csv，或含 areas、units、matters 三个工作表的 .xlsx。"
        "全部检查无误才写入，任何一行有错都不导入；内容未变的事项不产生新版本。"
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="包含三个 CSV 文件的目录，或 .xlsx 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查并统计，不写入")
        parser.add_argument("--effective", help="新版本的生效日期，格式 YYYY-MM-DD，默认今天")
        parser.add_argument("--document", default="", help="依据文件文号")
        parser.add_argument("--user", help="记为操作人的用户名")

    def handle(self, *args, source, dry_run=False, effective=None, document="", user=None, **options):
        effective_from = None
        if effective:
            try:
                effective_from = date.fromisoformat(effective)
            except ValueError:
                raise CommandError(
                    f"生效日期应为 YYYY-MM-DD 格式的有效日期，如 2026-03-02，填写的是“{effective}”。"
                ) from None
        by = None
        if user:
            by = User.objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"找不到用户“{user}”。")
        started = time.monotonic()
        result = import_catalog(
            source,
            dry_run=dry_run,
            effective_from=effective_from,
            document_no=document,
            by=by,
            progress=self.progress(),
        )
        for name, n in result.counts.items():
            self.stdout.write(f"{name}：{n}")
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"提示：{warning}"))
        for error in result.errors:
            self.stdout.write(self.style.ERROR(f"错误：{error}"))
        if result.errors:
            raise CommandError(f"导入失败：共{len(result.errors)}处错误，未写入任何数据。")
        seconds = time.monotonic() - started
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"检查通过（试导入，未写入任何数据），用时{seconds:.1f}秒。"))
        else:
            self.stdout.write(self.style.SUCCESS(f"导入完成，用时{seconds:.1f}秒。"))

    def progress(self):
        """Report on stderr at most once a second per stage, and when a stage finishes (total 0: not known yet)."""
        last = {"stage": None, "at": 0.0}

        def report(done: int, total: int, stage: str) -> None:
            now = time.monotonic()
            finished = total and done >= total
            if stage == last["stage"] and not finished and now - last["at"] < 1:
                return
            last.update(stage=stage, at=now)
            self.stderr.write(f"{stage}：{done}/{total}" if total else stage)

        return report
