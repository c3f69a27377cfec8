"""The one pattern every access function follows: invisible → 404, visible but not writable → 403."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404


def access_object(visible, pk, *, writable=None, write: bool = False):
    """Fetch `pk` from the `visible` queryset; with `write`, it must also be in `writable`."""
    try:
        obj = visible.get(pk=pk)
    except (visible.model.DoesNotExist, ValueError, TypeError):
        raise Http404("对象不存在或不在您的数据范围内。") from None
    if write and (writable is None or not writable.filter(pk=obj.pk).exists()):
        raise PermissionDenied("您没有修改此数据的权限。")
    return obj
