from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, roles with their data scopes, and the login and operation logs."""

    name = "jiceng.accounts"
    verbose_name = "账号与权限"
