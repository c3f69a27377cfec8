from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from jiceng.lib.excel import xlsx_response

from . import actions
from .audit import log_operation, request_ip
from .decorators import require_perm
from .forms import LoginForm, StyledPasswordChangeForm
from .models import LoginLog, OperationLog
from .roles import DEFAULT_SCOPE, ROLE_PERMISSIONS, Perm, Role, Scope
from .scopes import data_scope

PAGE_SIZE = 50


def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user())
        target = request.POST.get("next") or request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
            target = ""
        return redirect(target or "home")
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        actions.record_login(
            request.user.username,
            request.user,
            LoginLog.Outcome.LOGOUT,
            ip=request_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("accounts:login")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = StyledPasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
        log_operation(user, "修改密码", user)
        messages.success(self.request, "密码已修改。")
        return response


@login_required
def profile(request):
    token = Token.objects.filter(user=request.user).first()
    return render(
        request,
        "accounts/profile.html",
        {"assignments": request.user.role_assignments(), "token": token, "scope": data_scope(request.user)},
    )


@require_POST
@login_required
def reset_token(request):
    Token.objects.filter(user=request.user).delete()
    Token.objects.create(user=request.user)
    log_operation(request.user, "重置API令牌", request.user)
    messages.success(request, "已生成新的 API 令牌，旧令牌立即失效。")
    return redirect("accounts:profile")


@require_perm(Perm.VIEW_ORGS)
def roles_matrix(request):
    perms = list(Perm)
    rows = [
        (role.label, Scope(DEFAULT_SCOPE[role]).label, [p in ROLE_PERMISSIONS[role] for p in perms]) for role in Role
    ]
    return render(request, "accounts/roles.html", {"perms": perms, "rows": rows})


@require_perm(Perm.VIEW_LOGS)
def logs(request):
    kind = request.GET.get("kind", "operation")
    q = request.GET.get("q", "").strip()
    if kind == "login":
        qs = LoginLog.objects.select_related("user")
        if q:
            qs = qs.filter(Q(username__icontains=q) | Q(ip__startswith=q))
        headers = ["时间", "用户名", "结果", "IP地址", "浏览器"]
        rows = lambda items: [(x.at, x.username, x.get_outcome_display(), x.ip, x.user_agent) for x in items]  # noqa: E731
    else:
        qs = OperationLog.objects.select_related("user")
        if q:
            qs = qs.filter(
                Q(user__username__icontains=q)
                | Q(user__full_name__icontains=q)
                | Q(action__icontains=q)
                | Q(target__icontains=q)
            )
        headers = ["时间", "操作人", "操作", "对象", "详情", "IP地址"]
        rows = lambda items: [(x.at, str(x.user or ""), x.action, x.target, x.detail, x.ip) for x in items]  # noqa: E731
    if request.GET.get("export") == "xlsx":
        name = "登录日志" if kind == "login" else "操作日志"
        return xlsx_response(f"{name}.xlsx", name, headers, rows(qs[:50000]))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "accounts/logs.html", {"kind": kind, "q": q, "page": page, "headers": headers, "rows": rows(page)}
    )
