from django.apps import AppConfig


class CasesConfig(AppConfig):
    """办件/工单: one lifecycle for every channel, with working-day deadlines, events and evaluations."""

    name = "jiceng.cases"
    verbose_name = "办件工单"
