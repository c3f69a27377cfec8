"""REST API of the grids app: grids with members, point → grid lookup, patrols and 多网合一 plans."""

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from .grids import GridViewSet, Locate
from .merge import MergePlanViewSet
from .patrols import PatrolViewSet

router = DefaultRouter(trailing_slash="/?")
# Before the grids: their detail route ("{code}/") would otherwise take "patrols/" and "merge-plans/".
router.register("patrols", PatrolViewSet, basename="grid-patrol")
router.register("merge-plans", MergePlanViewSet, basename="grid-merge-plan")
router.register("", GridViewSet, basename="grid")

urlpatterns = [
    re_path(r"^locate/?$", Locate.as_view(), name="api-grids-locate"),
    path("", include(router.urls)),
]
