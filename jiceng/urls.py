from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from jiceng.cases import urls as case_urls
from jiceng.catalog import urls as catalog_urls
from jiceng.orgs import views as org_views

admin.site.site_header = admin.site.site_title = "基层治理一体化平台 · 系统管理"
admin.site.index_title = "系统管理"

api_v1 = [
    path("", include("jiceng.workcal.api")),
    path("", include("jiceng.orgs.api")),
    path("staffing/", include("jiceng.staffing.api")),
    path("catalog/", include("jiceng.catalog.api")),
    path("cases/", include("jiceng.cases.api")),
    path("grids/", include("jiceng.grids.api")),
    path("routing/", include("jiceng.routing.api")),
]

urlpatterns = [
    path("", org_views.home, name="home"),
    path("accounts/", include("jiceng.accounts.urls")),
    path("orgs/", include("jiceng.orgs.urls")),
    path("workdays/", include("jiceng.workcal.urls")),
    path("staffing/", include("jiceng.staffing.urls")),
    path("catalog/", include("jiceng.catalog.urls")),
    path("cases/", include("jiceng.cases.urls")),
    path("grids/", include("jiceng.grids.urls")),
    path("routing/", include("jiceng.routing.urls")),
    path("portal/", include((case_urls.portal_urlpatterns, "portal"))),
    path("public/", include((catalog_urls.public_urlpatterns, "public"))),
    # One login for everything, so the admin site gets the same lockout and login log.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("open311/v2/", include("jiceng.open311.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
