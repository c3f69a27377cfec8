from django.apps import AppConfig


class Open311Config(AppConfig):
    """Open311 GeoReport v2: lets outside apps list the matters people may report and submit and follow cases."""

    name = "jiceng.open311"
    verbose_name = "Open311接口"
