"""REST API of the cases app: the case list, one case, registration, the requester's details, the workbench,
and one endpoint per lifecycle action.

Everyone on the staff reads the cases in their scope (VIEW_CASES); registering, handling and dispatching
follow `jiceng.cases.permissions`, the same table as the case page. Changes go through `jiceng.cases.actions`.
"""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import steps
from .cases import CaseViewSet

router = SimpleRouter(trailing_slash="/?")
router.register("", CaseViewSet, basename="api-case")

urlpatterns = [
    *steps.urlpatterns,
    path("", include(router.urls)),
]
