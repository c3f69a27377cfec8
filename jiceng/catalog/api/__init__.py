"""REST API of the catalog app: resolution, areas and catalog units, matters, delegated powers, admissions.

Everyone on the staff reads the catalog (VIEW_CATALOG); the county staffing office keeps it (CHANGE_CATALOG);
departments ask to add to it (REQUEST_ADMISSION). Writes go through `jiceng.catalog.actions`.
"""

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from .admissions import AdmissionViewSet
from .matters import MatterViewSet
from .powers import DelegationProgress, PowerViewSet
from .resolution import Resolve
from .units import AreaViewSet, CatalogUnitViewSet

router = DefaultRouter(trailing_slash="/?")
router.register("areas", AreaViewSet, basename="catalog-area")
router.register("units", CatalogUnitViewSet, basename="catalog-unit")
router.register("matters", MatterViewSet, basename="catalog-matter")
router.register("powers", PowerViewSet, basename="catalog-power")
router.register("admissions", AdmissionViewSet, basename="catalog-admission")

urlpatterns = [
    # The slash is optional here as in the router: `resolve?matter=…` is how integrators write it.
    re_path(r"^resolve/?$", Resolve.as_view(), name="api-catalog-resolve"),
    re_path(r"^delegation-progress/?$", DelegationProgress.as_view(), name="api-catalog-delegation-progress"),
    path("", include(router.urls)),
]
