from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def require_perm(perm: str):
    """Login required, and the user must hold a role granting `perm`."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.can(perm):
                raise PermissionDenied("您的角色没有此项权限。")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
