import json

from django.core.management.base import BaseCommand, CommandError

from jiceng.catalog.models import MatterVersion
from jiceng.lib.errors import DomainError
from jiceng.routing import actions, training
from jiceng.routing.management.commands.evaluate_routing import read_csv
from jiceng.routing.models import Reason


class Command(BaseCommand):
    help = "用现行清单和已派单的办件（可加 --examples 样例文件）训练派单模型，启用新版本并输出版本和交叉验证指标。"

    def add_arguments(self, parser):
        parser.add_argument("--examples", help="带标注的样例 CSV（列 text、matter_code）")

    def handle(self, *args, examples=None, **options):
        extra = []
        if examples:
            read_csv(examples, ["text", "matter_code"])  # a missing file or column stops here, in Chinese
            extra = training.file_examples(examples)
            codes = set(MatterVersion.objects.values_list("matter__code", flat=True))
            unknown = sorted({e.label for e in extra} - codes)
            if unknown:
                raise CommandError(f"{examples} 中的事项编码不在清单中：{'、'.join(unknown[:5])}")
        try:
            model = actions.train_routing_model(by=None, reason=Reason.COMMAND, extra_examples=extra)
        except DomainError as e:
            raise CommandError(e.message) from e
        self.stdout.write(
            json.dumps(
                {
                    "version": model.version,
                    "training_size": model.training_size,
                    "sources": model.sources,
                    "classes": model.classes,
                    "seconds": model.seconds,
                    "metrics": model.metrics,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
