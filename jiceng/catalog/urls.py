from django.urls import path

from . import public, views

app_name = "catalog"
urlpatterns = [
    path("", views.matters, name="matters"),
    path("matters/new/", views.matter_edit, name="matter_new"),
    path("matters/<int:pk>/", views.matter, name="matter"),
    path("matters/<int:pk>/edit/", views.matter_edit, name="matter_edit"),
    path("powers/", views.powers, name="powers"),
    path("powers/<int:pk>/", views.power, name="power"),
    path("bindings/", views.bindings, name="bindings"),
    path("import/", views.catalog_import, name="import"),
    path("admissions/", views.admissions, name="admissions"),
    path("admissions/<int:pk>/", views.admission, name="admission"),
    path("admissions/<int:pk>/<str:decision>/", views.admission_decide, name="admission_decide"),
]

public_urlpatterns = [
    path("", public.index, name="public_index"),
    path("guide/", public.guide, name="guide"),
    path("guide/<str:code>/", public.guide_item, name="guide_item"),
    path("townships/<str:code>/<str:kind>/", public.township_list, name="township_list"),
]
