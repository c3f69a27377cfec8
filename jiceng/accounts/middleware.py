from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from .audit import client_ip, request_ip


class AuditContextMiddleware:
    """Make the client address available to `log_operation` for the length of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_ip.set(request_ip(request))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)


class PasswordChangeRequiredMiddleware:
    """Send users whose password is temporary or too old to the change-password page first."""

    allowed_prefixes = ("/accounts/", "/static/", "/api/", "/open311/", "/public/", "/portal/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(self.allowed_prefixes) and password_expired(user):
            return redirect(reverse("accounts:password_change") + "?expired=1")
        return self.get_response(request)


def password_expired(user) -> bool:
    if user.must_change_password:
        return True
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if max_age and user.password_changed_at:
        return (timezone.now() - user.password_changed_at).days >= max_age
    return False
