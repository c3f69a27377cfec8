from django.apps import AppConfig


class RoutingConfig(AppConfig):
    """智能派单: a text model, trained per deployment on the catalog and cases, that suggests a report's matter."""

    name = "jiceng.routing"
    verbose_name = "智能派单"
