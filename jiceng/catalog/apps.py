from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """清单: areas, matters with their responsibilities and versions, service items, delegated powers."""

    name = "jiceng.catalog"
    verbose_name = "职责清单"
