"""Who may run which action on a case, and who may see its requester's full contact details.

One table for the case page (`views._do`) and the REST API, so the two interfaces cannot drift apart.
The rules of the lifecycle itself (which status allows what, time windows, limits) live in the actions.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from jiceng.accounts.roles import Perm
from jiceng.orgs.models import Unit

from .models import Case

REPORTER = "reporter"  # only the person who reported the case (核查 on site)
COOPERATOR = "cooperator"  # a unit with a 配合 task on the case, in the user's 办理 scope

# action name → what it needs:
# HANDLE_CASES    the case's lead unit is in the user's 办理 scope;
# DISPATCH_CASES  the dispatcher's role;
# REGISTER_CASES  the unit that took the case in (or the worker who reported it), or a dispatcher;
# REPORTER        the user who registered the case.
ACTION_RULES: dict[str, str] = {
    "accept": Perm.REGISTER_CASES,
    "reject": Perm.REGISTER_CASES,
    "withdraw": Perm.REGISTER_CASES,
    "rate": Perm.REGISTER_CASES,
    "follow_up": Perm.REGISTER_CASES,
    "reverse_evaluate": Perm.REGISTER_CASES,
    "dispatch": Perm.DISPATCH_CASES,
    "reassign": Perm.DISPATCH_CASES,
    "merge": Perm.DISPATCH_CASES,
    "not_duplicate": Perm.DISPATCH_CASES,
    "approve_extension": Perm.DISPATCH_CASES,
    "refuse_extension": Perm.DISPATCH_CASES,
    "archive": Perm.DISPATCH_CASES,
    "reopen": Perm.DISPATCH_CASES,
    "sign": Perm.HANDLE_CASES,
    "return": Perm.HANDLE_CASES,
    "supplement": Perm.HANDLE_CASES,
    "resume": Perm.HANDLE_CASES,
    "resume_intake": Perm.REGISTER_CASES,  # materials brought back to the desk that issued the 补正 at intake
    "request_extension": Perm.HANDLE_CASES,
    "finish": Perm.HANDLE_CASES,
    "rectify": Perm.HANDLE_CASES,
    "task_report": COOPERATOR,
    "verify": REPORTER,
    "send_back": REPORTER,
}
ACTION_RULES["extension"] = ACTION_RULES["request_extension"]  # the case page's name for it


def handling_units(user):
    """The units whose cases the user signs for and handles."""
    return Unit.objects.visible_to(user, Perm.HANDLE_CASES)


def handles(user, case: Case) -> bool:
    """The case was dispatched to a unit the user handles cases for."""
    return (
        bool(case.lead_unit_id)
        and user.can(Perm.HANDLE_CASES)
        and handling_units(user).filter(pk=case.lead_unit_id).exists()
    )


def cooperating_task(user, case: Case):
    """The user's unit's open 配合 task on this case, if any."""
    if not user.can(Perm.HANDLE_CASES):
        return None
    return (
        case.tasks.filter(unit__in=handling_units(user).values("pk"))
        .exclude(state="done")
        .select_related("unit")
        .first()
    )


def registers(user, case: Case) -> bool:
    """The user reported the case, or registers cases for the unit that took it in."""
    if not user.can(Perm.REGISTER_CASES):
        return False
    if case.registered_by_id == user.pk:
        return True
    return bool(case.registered_unit_id) and (
        Unit.objects.visible_to(user, Perm.REGISTER_CASES).filter(pk=case.registered_unit_id).exists()
    )


def registering_unit(user) -> Unit | None:
    """The unit the user registers cases for (the first active one in the unit tree)."""
    return Unit.objects.visible_to(user, Perm.REGISTER_CASES).active().order_by("path").first()


def check_action(user, case: Case, name: str) -> None:
    """Raise PermissionDenied unless the user may run action `name` on this (visible) case."""
    if name not in ACTION_RULES:
        raise PermissionDenied("没有这项操作。")
    rule = ACTION_RULES[name]
    if rule == REPORTER:
        if case.registered_by_id != user.pk:
            raise PermissionDenied("只有上报人可以核查。")
        return
    if rule == COOPERATOR:
        if cooperating_task(user, case) is None:
            raise PermissionDenied("您所在单位不是该办件的配合单位，或已反馈。")
        return
    if rule == Perm.HANDLE_CASES:
        if not handles(user, case):
            raise PermissionDenied("该办件不是派给您所在单位的。")
        return
    if not user.can(rule):
        raise PermissionDenied("您的角色不能执行此操作。")
    if rule == Perm.REGISTER_CASES and not (registers(user, case) or user.can(Perm.DISPATCH_CASES)):
        raise PermissionDenied("只有登记该办件的单位可以执行此操作。")


def acts_for_requester(user, case: Case) -> bool:
    """受理与回访: the registering side, or a dispatcher (who also answers for portal and hotline cases)."""
    return user.can(Perm.REGISTER_CASES) and (registers(user, case) or user.can(Perm.DISPATCH_CASES))


def can_see_requester(user, case: Case) -> bool:
    """Whether the user may see the requester's full name, phone, ID number and address (each view is logged).

    Those who must reach the requester: the dispatcher (回访), the unit that took the case in (or the
    worker who reported it) and the unit handling it. Everyone else — leaders, cooperating units — sees
    masked values only. Lists and exports are always masked.
    """
    return user.can(Perm.DISPATCH_CASES) or registers(user, case) or handles(user, case)
