from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiceng.grids.importing import import_grids
from jiceng.grids.models import COMPREHENSIVE_LAYER


class Command(BaseCommand):
    help = "从 GeoJSON 导入网格范围（FeatureCollection，properties 含 code、name、kind）；有错误时不导入任何网格。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只预检，不写入")
        parser.add_argument("--layer", default=COMPREHENSIVE_LAYER, help="图层：综合（默认）或部门网格图层名")

    def handle(self, *args, file, dry_run=False, layer=COMPREHENSIVE_LAYER, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"找不到文件：{file}")
        result = import_grids(path.read_bytes(), dry_run=dry_run, layer=layer)
        for key, value in result.counts.items():
            self.stdout.write(f"{key}：{value}")
        for error in result.errors:
            self.stderr.write(str(error))
        if result.errors:
            raise CommandError(f"发现{len(result.errors)}个问题，未导入。")
        self.stdout.write("预检通过（未写入）" if dry_run else "导入完成")
