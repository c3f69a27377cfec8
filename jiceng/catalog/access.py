"""Access functions: the only way the catalog's views and API fetch its areas, units, matters, powers and admissions.

The catalog is county-wide: everyone with VIEW_CATALOG reads all of it, and the county staffing
office (CHANGE_CATALOG) keeps it. Admission requests are the exception: a department sees only
its own units' requests. Invisible → 404, visible but not writable → 403.
"""

from __future__ import annotations

from jiceng.accounts.access import access_object
from jiceng.accounts.roles import ROLE_PERMISSIONS, Perm
from jiceng.orgs.models import Unit

from .models import AdmissionRequest, Area, CatalogUnit, DelegatedPower, Matter


def readable(user, queryset):
    """All of `queryset` for a user who may read the catalog, none of it otherwise."""
    return queryset if user.can(Perm.VIEW_CATALOG) else queryset.none()


def _kept(user, queryset):
    return queryset if user.can(Perm.CHANGE_CATALOG) else None


def get_area_for_user(user, pk) -> Area:
    return access_object(readable(user, Area.objects.all()), pk)


def get_catalog_unit_for_user(user, pk, *, write: bool = False) -> CatalogUnit:
    return access_object(
        readable(user, CatalogUnit.objects.select_related("unit")),
        pk,
        writable=_kept(user, CatalogUnit.objects.all()),
        write=write,
    )


def get_matter_for_user(user, pk, *, write: bool = False) -> Matter:
    return access_object(
        readable(user, Matter.objects.select_related("area")),
        pk,
        writable=_kept(user, Matter.objects.all()),
        write=write,
    )


def get_power_for_user(user, pk, *, write: bool = False) -> DelegatedPower:
    return access_object(
        readable(user, DelegatedPower.objects.select_related("matter", "county_unit", "township_role")),
        pk,
        writable=_kept(user, DelegatedPower.objects.all()),
        write=write,
    )


def requesting_departments(user):
    """Units the user may submit admission requests for: their REQUEST_ADMISSION scope."""
    return Unit.objects.visible_to(user, Perm.REQUEST_ADMISSION)


def own_departments(user) -> list[Unit]:
    """The units the user's REQUEST_ADMISSION roles are anchored on: the default 申请部门."""
    return [
        a.unit
        for a in user.role_assignments()
        if a.unit_id and Perm.REQUEST_ADMISSION in ROLE_PERMISSIONS.get(a.role, ())
    ]


def admissions_for_user(user):
    if user.can(Perm.CHANGE_CATALOG):
        return AdmissionRequest.objects.all()
    return AdmissionRequest.objects.filter(department__in=requesting_departments(user).values("pk"))


def get_admission_for_user(user, pk, *, decide: bool = False) -> AdmissionRequest:
    """`decide`: 准予纳入清单 or 不予准入 (the staffing office)."""
    return access_object(
        admissions_for_user(user).select_related("department", "area", "matter", "submitted_by", "decided_by"),
        pk,
        writable=_kept(user, AdmissionRequest.objects.all()),
        write=decide,
    )
