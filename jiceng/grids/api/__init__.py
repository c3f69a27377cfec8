"""REST API of the grids app: grids with members, and point → grid lookup. Every staff role reads them."""

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from .grids import GridViewSet, Locate

router = DefaultRouter(trailing_slash="/?")
router.register("", GridViewSet, basename="grid")

urlpatterns = [
    re_path(r"^locate/?$", Locate.as_view(), name="api-grids-locate"),
    path("", include(router.urls)),
]
