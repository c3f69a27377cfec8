import logging
import signal
import time

from django.core.management.base import BaseCommand

from jiceng.cases.actions import refine_suggestions
from jiceng.cases.worker import deliver_outbox, sweep_alerts
from jiceng.routing.schedule import retrain_if_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "后台任务：办件到期催办、超期督办和通报，发送站内消息和短信，每天重新训练智能派单模型，"
        "对待派办件做语义复核。"
        "可在多台机器上同时运行多个。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只运行一轮后退出")
        parser.add_argument("--interval", type=float, default=10.0, help="两轮之间的秒数")

    def handle(self, *args, once=False, interval=10.0, **options):
        stop = {"now": False}
        signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
        self.stdout.write("后台任务已启动（Ctrl+C 停止）")
        while not stop["now"]:
            alerts, sent = sweep_alerts(), deliver_outbox()
            if alerts or sent:
                self.stdout.write(f"提醒 {alerts} 件，发送消息 {sent} 条")
            model = retrain_if_due()
            if model is not None:
                self.stdout.write(f"已训练派单模型 v{model.version}（样本 {model.training_size} 条）")
            try:
                refined = refine_suggestions()
            except Exception:  # an optional second opinion (a native library): the alerts must go on regardless
                logger.exception("语义复核失败")
                refined = 0
            if refined:
                self.stdout.write(f"语义复核待派办件 {refined} 件")
            if once:
                break
            try:
                time.sleep(interval)
            except KeyboardInterrupt:
                break
