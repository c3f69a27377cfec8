from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("profile/", views.profile, name="profile"),
    path("profile/token/", views.reset_token, name="reset_token"),
    path("roles/", views.roles_matrix, name="roles"),
    path("logs/", views.logs, name="logs"),
]
