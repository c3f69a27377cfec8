"""Load the demo county (示范县) with its townships, people, AB posts, staffing and one account per role."""

import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jiceng.accounts.models import User
from jiceng.cases import demo as cases_demo
from jiceng.catalog import demo as catalog_demo
from jiceng.grids import demo as grids_demo
from jiceng.orgs import demo
from jiceng.staffing import demo as staffing_demo


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = (
        "生成示范县演示数据（区划、单位、人员、AB岗、请假外出、机构编制和改革方案、职责清单和赋权事项）"
        "和各角色演示账号；已存在时不作改动。"
    )

    def handle(self, *args, **options):
        def staffing(today):
            # Right after the orgs seed, in the same transaction, recorded as the 县编办 account; then the
            # duty catalog (清单), which the 县编办 publishes too.
            by = User.objects.get(username=staffing_demo.STAFFING_USERNAME)
            return (
                staffing_demo.seed(today=today, by=by)
                + catalog_demo.seed(today=today, by=by)
                + grids_demo.seed_grids()  # before the cases: a case's point finds its grid, village and township
                + cases_demo.seed(today=today)
            )

        try:
            with transaction.atomic():
                accounts = demo.seed(self.stdout, then=staffing)
        except demo.SeedError as e:
            raise CommandError(str(e)) from e
        rows = [("角色", "用户名", "密码", "说明")] + [
            (label, username, demo.DEMO_PASSWORD, description) for label, username, description in accounts
        ]
        widths = [max(_width(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {demo.DEMO_PASSWORD}）：")
        for i, row in enumerate(rows):
            line = "  ".join(_pad(cell, widths[j]) for j, cell in enumerate(row[:3])) + "  " + row[3]
            self.stdout.write(self.style.MIGRATE_HEADING(line) if i == 0 else line)
