from django.core.management.base import BaseCommand, CommandError

from jiceng.accounts.models import User
from jiceng.cases.hotline import import_hotline


class Command(BaseCommand):
    help = "导入12345热线工单（CSV或Excel），按工单编号去重；有错误时不导入任何一行。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--user", help="记为登记人的用户名")

    def handle(self, *args, file, dry_run=False, user=None, **options):
        by = User.objects.filter(username=user).first() if user else None
        result = import_hotline(file, dry_run=dry_run, by=by)
        for key, value in result.counts.items():
            self.stdout.write(f"{key}：{value}")
        for error in result.errors:
            self.stderr.write(str(error))
        if result.errors:
            raise CommandError(f"发现{len(result.errors)}个问题，未导入。")
        self.stdout.write("预检通过（未写入）" if dry_run else "导入完成")
