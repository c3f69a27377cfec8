from django.core.management.base import BaseCommand, CommandError

from jiceng.lib.errors import DomainError
from jiceng.open311 import actions
from jiceng.open311.models import ApiKey


class Command(BaseCommand):
    help = "管理 Open311 的 api_key：create 名称（新建并显示密钥，仅此一次）、list（列出）、revoke 名称（停用）。"

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True, metavar="{create,list,revoke}")
        create = commands.add_parser("create", help="新建密钥并显示（只显示这一次）")
        create.add_argument("name", help="使用方名称，如“12345热线系统”")
        create.add_argument("--limit", type=int, default=100, help="每小时最多提交的件数，0为不限（默认100）")
        commands.add_parser("list", help="列出全部密钥（只显示前缀）")
        revoke = commands.add_parser("revoke", help="停用密钥")
        revoke.add_argument("name")

    def handle(self, *args, command, **options):
        if command == "create":
            self.create(options["name"], options["limit"])
        elif command == "list":
            self.list()
        else:
            self.revoke(options["name"])

    def create(self, name: str, limit: int) -> None:
        if limit < 0:
            raise CommandError("--limit 不能为负数。")
        try:
            raw = actions.issue_api_key(ApiKey(name=name.strip(), hourly_limit=limit), by=None)
        except DomainError as e:
            raise CommandError(e.message) from None
        self.stdout.write(f"已创建密钥“{name.strip()}”。密钥只显示这一次，请立即复制并安全地交给使用方：")
        self.stdout.write(raw)

    def list(self) -> None:
        keys = ApiKey.objects.all()
        if not keys:
            self.stdout.write("还没有密钥。用 open311_key create 名称 创建。")
        for key in keys:
            used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "从未使用"
            state = "启用" if key.active else "已停用"
            limit = f"每小时{key.hourly_limit}件" if key.hourly_limit else "不限"
            self.stdout.write(f"{key.name}\t{key.prefix}…\t{state}\t{limit}\t创建于{key.created_at:%Y-%m-%d}\t{used}")

    def revoke(self, name: str) -> None:
        key = ApiKey.objects.filter(name=name.strip()).first()
        if key is None:
            raise CommandError(f"没有名为“{name}”的密钥。")
        if not key.active:
            self.stdout.write(f"密钥“{key.name}”已是停用状态。")
            return
        actions.revoke_api_key(key, by=None)
        self.stdout.write(f"已停用密钥“{key.name}”。")
