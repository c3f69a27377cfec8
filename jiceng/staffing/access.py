"""Access functions: the only way the staffing API fetches quota accounts, moves, hiring requests and plans.

Invisible → 404, visible but not writable → 403. Writing is the county staffing office's
(MANAGE_STAFFING), except what the requesting side does for itself: a unit's hiring request
(REQUEST_STAFFING: submit and withdraw) and a reorganisation plan for its own region while in 草稿.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from jiceng.accounts.access import access_object
from jiceng.accounts.roles import Perm
from jiceng.accounts.scopes import data_scope
from jiceng.orgs.access import get_person_for_user
from jiceng.orgs.models import Person, Region, Unit

from .models import HiringRequest, PlanStatus, QuotaAccount, QuotaMove, ReorgPlan


def _managed(user, queryset):
    """The part of `queryset` the user manages (None when the role cannot manage anything)."""
    return queryset.visible_to(user, Perm.MANAGE_STAFFING) if user.can(Perm.MANAGE_STAFFING) else None


def get_account_for_user(user, pk, *, write: bool = False) -> QuotaAccount:
    return access_object(
        QuotaAccount.objects.visible_to(user).select_related("unit", "pool"),
        pk,
        writable=_managed(user, QuotaAccount.objects.all()),
        write=write,
    )


def get_move_for_user(user, pk, *, write: bool = False) -> QuotaMove:
    return access_object(
        QuotaMove.objects.visible_to(user).select_related(
            "source__unit", "source__pool", "target__unit", "target__pool"
        ),
        pk,
        writable=_managed(user, QuotaMove.objects.all()),
        write=write,
    )


def requesting_units(user):
    """Units the user may submit hiring requests for: the REQUEST_STAFFING scope, plus what they manage."""
    return Unit.objects.visible_to(user, Perm.REQUEST_STAFFING) | Unit.objects.visible_to(user, Perm.MANAGE_STAFFING)


def get_request_for_user(user, pk, *, write: bool = False, decide: bool = False) -> HiringRequest:
    """`write`: withdraw (the requesting side); `decide`: 核准, 不予核准 and 进编 (the staffing office)."""
    if decide:
        writable = _managed(user, HiringRequest.objects.all())
    else:
        writable = HiringRequest.objects.filter(unit__in=requesting_units(user).values("pk"))
    return access_object(
        HiringRequest.objects.visible_to(user).select_related("unit"),
        pk,
        writable=writable,
        write=write or decide,
    )


def drafting_regions(user):
    """Regions the user may draft plans for: those of the units they may request for.

    `ReorgPlan.objects.visible_to` also shows a township the plans of the county above it; drafting
    is narrower, so a township cannot edit a county-wide plan it can read.
    """
    if data_scope(user, Perm.REQUEST_STAFFING).everything or data_scope(user, Perm.MANAGE_STAFFING).everything:
        return Region.objects.all()
    return Region.objects.filter(pk__in=requesting_units(user).values("region"))


def get_plan_for_user(user, pk, *, write: bool = False, manage: bool = False) -> ReorgPlan:
    """`write`: draft, edit and submit; `manage`: 退回, 批准, 实施 and 撤销 after 草稿."""
    if manage:
        writable = _managed(user, ReorgPlan.objects.all())
    else:
        writable = ReorgPlan.objects.filter(region__in=drafting_regions(user).values("pk"))
    return access_object(
        ReorgPlan.objects.visible_to(user).select_related("region"), pk, writable=writable, write=write or manage
    )


def get_revocable_plan_for_user(user, pk) -> ReorgPlan:
    """Whoever drafts a plan may drop it while in 草稿; after that only the staffing office may."""
    plan = get_plan_for_user(user, pk, write=True)
    return plan if plan.status == PlanStatus.DRAFT else get_plan_for_user(user, pk, manage=True)


def get_placed_person_for_user(user, pk, *, write: bool = False) -> Person:
    """A person as seen in orgs; 出编 and 调动 are for whoever manages staffing in the person's units."""
    person = get_person_for_user(user, pk)
    if write and not (
        user.can(Perm.MANAGE_STAFFING)
        and Person.objects.visible_to(user, Perm.MANAGE_STAFFING).filter(pk=person.pk).exists()
    ):
        raise PermissionDenied("您没有办理此人进编、出编或调动的权限。")
    return person
