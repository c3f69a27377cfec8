from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm
from django.utils import timezone

from jiceng.lib.forms import StyledForm

from . import actions
from .audit import request_ip
from .models import LoginLog, User


class LoginForm(StyledForm, forms.Form):
    """Username and password, with lockout after repeated failures and every attempt logged."""

    username = forms.CharField(label="用户名", max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))
    password = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput)

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)

    def _log(self, username, user, outcome):
        actions.record_login(
            username,
            user,
            outcome,
            ip=request_ip(self.request),
            user_agent=self.request.META.get("HTTP_USER_AGENT", ""),
        )

    def clean(self):
        username = self.cleaned_data.get("username", "").strip()
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data
        account = User.objects.filter(username=username).first()
        if account and account.is_locked():
            self._log(username, account, LoginLog.Outcome.LOCKED)
            until = timezone.localtime(account.locked_until)
            raise forms.ValidationError(
                f"账号因连续{settings.LOGIN_FAILURE_LIMIT}次登录失败已被锁定，请于{until:%H:%M}后再试，或联系系统管理员解锁。"
            )
        user = authenticate(self.request, username=username, password=password)
        if user is None:
            if account and not account.is_active and account.check_password(password):
                self._log(username, account, LoginLog.Outcome.INACTIVE)
                raise forms.ValidationError("账号已停用，请联系系统管理员。")
            self._log(username, account, LoginLog.Outcome.BAD_PASSWORD)
            if account:
                account = actions.record_login_failure(account)
                if account.is_locked():
                    raise forms.ValidationError(f"用户名或密码错误。账号已锁定{settings.LOGIN_LOCK_MINUTES}分钟。")
                left = settings.LOGIN_FAILURE_LIMIT - account.failed_login_count
                raise forms.ValidationError(f"用户名或密码错误。再错{left}次账号将被锁定。")
            raise forms.ValidationError("用户名或密码错误。")
        actions.record_login_success(user)
        self._log(username, user, LoginLog.Outcome.SUCCESS)
        self.user_cache = user
        return self.cleaned_data

    def get_user(self):
        return self.user_cache


class StyledPasswordChangeForm(StyledForm, PasswordChangeForm):
    pass
