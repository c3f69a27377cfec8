"""REST API of the staffing app: reports, quota accounts and moves, 用编核准, 进编/出编/调动, reform plans."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .hiring import RequestViewSet, StaffingPersonViewSet
from .ledger import AccountViewSet, MoveViewSet
from .plans import PlanViewSet
from .reports import Analysis, Report

router = DefaultRouter(trailing_slash="/?")
router.register("accounts", AccountViewSet, basename="staffing-account")
router.register("moves", MoveViewSet, basename="staffing-move")
router.register("requests", RequestViewSet, basename="staffing-request")
router.register("people", StaffingPersonViewSet, basename="staffing-person")
router.register("plans", PlanViewSet, basename="staffing-plan")

urlpatterns = [
    path("report/", Report.as_view(), name="api-staffing-report"),
    path("analysis/", Analysis.as_view(), name="api-staffing-analysis"),
    path("", include(router.urls)),
]
