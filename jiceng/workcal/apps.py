from django.apps import AppConfig


class WorkcalConfig(AppConfig):
    """The working-day calendar: the editable holiday table and deadline arithmetic on it."""

    name = "jiceng.workcal"
    verbose_name = "工作日历"
