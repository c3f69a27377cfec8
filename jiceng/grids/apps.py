from django.apps import AppConfig


class GridsConfig(AppConfig):
    """网格: grids with polygons and members, point → grid lookup, GeoJSON import."""

    name = "jiceng.grids"
    verbose_name = "网格"
