from django.urls import path

from . import agency, hotline, inbox, portal, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("workbench/", views.workbench, name="workbench"),
    path("messages/", inbox.inbox, name="inbox"),
    path("messages/read/", inbox.mark_read, name="inbox_read"),
    path("command/", views.command_centre, name="command"),
    path("window/", views.window, name="window"),
    path("call/", views.township_call, name="call"),
    path("grid/", views.grid, name="grid"),
    path("leaders/", views.leaders, name="leaders"),
    path("agent/", agency.agent, name="agent"),
    path("hotline/", hotline.hotline_import, name="hotline"),
    path("<int:pk>/", views.case, name="case"),
    path("<int:pk>/receipt/", views.receipt, name="receipt"),
    path("<int:pk>/requester/", views.reveal_requester, name="reveal"),
    path("<int:pk>/do/<str:name>/", views.case_action, name="action"),
]

portal_urlpatterns = [
    path("", portal.submit, name="submit"),
    path("track/", portal.track, name="track"),
]
