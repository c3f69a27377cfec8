from django.urls import path

from .views import hiring, imports, moves, plans, reports

app_name = "staffing"
urlpatterns = [
    path("", reports.report, name="report"),
    path("export/", reports.export, name="export"),
    path("analysis/", reports.analysis, name="analysis"),
    path("analysis/draft/", reports.draft_from_suggestion, name="draft_from_suggestion"),
    path("accounts/<int:pk>/", reports.account, name="account"),
    path("entries/new/", reports.entry_new, name="entry_new"),
    path("requests/", hiring.requests, name="requests"),
    path("requests/new/", hiring.request_new, name="request_new"),
    path("requests/<int:pk>/", hiring.request_detail, name="request"),
    path("requests/<int:pk>/print/", hiring.request_print, name="request_print"),
    path("requests/<int:pk>/enter/", hiring.request_enter, name="request_enter"),
    path("requests/<int:pk>/withdraw/", hiring.request_withdraw, name="request_withdraw"),
    path("requests/<int:pk>/<str:decision>/", hiring.request_decide, name="request_decide"),
    path("people/<int:pk>/", hiring.person, name="person"),
    path("moves/", moves.moves, name="moves"),
    path("moves/new/", moves.move_new, name="move_new"),
    path("moves/<int:pk>/", moves.move_detail, name="move"),
    path("moves/<int:pk>/cancel/", moves.move_cancel, name="move_cancel"),
    path("plans/", plans.plans, name="plans"),
    path("plans/new/", plans.plan_new, name="plan_new"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("plans/<int:pk>/execute/", plans.plan_execute, name="plan_execute"),
    path("plans/<int:pk>/status/<str:to>/", plans.plan_transition, name="plan_transition"),
    path("plans/<int:pk>/<str:what>/<int:item>/remove/", plans.plan_remove, name="plan_remove"),
    path("import/", imports.import_page, name="import"),
    path("import/<int:pk>/", imports.import_job, name="import_job"),
    path("import/<int:pk>/commit/", imports.import_commit, name="import_commit"),
    path("import/template/<str:kind>/", imports.import_template, name="import_template"),
]
