"""Import an existing 编制台账 and/or 花名册 from Excel, all or nothing."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiceng.accounts.models import User
from jiceng.staffing.importing import import_staffing


class Command(BaseCommand):
    help = "从 Excel 导入编制台账和花名册：全部检查无误才写入，任何一行有错都不导入。"

    def add_arguments(self, parser):
        parser.add_argument("--ledger", help="编制台账 .xlsx 文件（工作表“编制台账”）")
        parser.add_argument("--roster", help="花名册 .xlsx 文件（工作表“花名册”）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并统计，不写入")
        parser.add_argument("--user", help="记为操作人的用户名")

    def handle(self, *args, ledger=None, roster=None, dry_run=False, user=None, **options):
        if not ledger and not roster:
            raise CommandError("请用 --ledger 或 --roster 指定要导入的文件。")
        by = None
        if user:
            by = User.objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"找不到用户“{user}”。")
        for path in (ledger, roster):
            if path and not Path(path).is_file():
                raise CommandError(f"找不到文件：{path}")
        result = import_staffing(ledger=ledger, roster=roster, dry_run=dry_run, by=by, progress=self.progress())
        for name, n in result.counts.items():
            self.stdout.write(f"{name}：{n}")
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"提示：{warning}"))
        for error in result.errors:
            self.stdout.write(self.style.ERROR(f"错误：{error}"))
        if result.errors:
            raise CommandError(f"导入失败：共{len(result.errors)}处错误，未写入任何数据。")
        if dry_run:
            self.stdout.write(self.style.SUCCESS("检查通过（试导入，未写入任何数据）。"))
        else:
            self.stdout.write(self.style.SUCCESS("导入完成。"))

    def progress(self):
        """Report on stderr at most once a second per stage, and when a stage finishes (total 0: not known yet)."""
        last = {"stage": None, "at": 0.0}

        def report(done: int, total: int, stage: str) -> None:
            now = time.monotonic()
            finished = total and done >= total
            if stage == last["stage"] and not finished and now - last["at"] < 1:
                return
            last.update(stage=stage, at=now)
            self.stderr.write(f"{stage}：{done}/{total}" if total else f"{stage}：{done}")

        return report
