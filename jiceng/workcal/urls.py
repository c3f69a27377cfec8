from django.urls import path

from . import views

app_name = "workcal"
urlpatterns = [
    path("", views.calculator, name="calculator"),
    path("holidays/", views.holidays, name="holidays"),
    path("holidays/import/", views.holiday_import, name="holiday_import"),
    path("holidays/<int:pk>/delete/", views.holiday_delete, name="holiday_delete"),
    path("years/<int:pk>/unmark/", views.year_unmark, name="year_unmark"),
]
