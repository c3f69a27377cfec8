"""Data scopes (数据范围) evaluated on the unit tree and combined across a user's role assignments.

A scope is computed for one permission: only the assignments whose role grants that permission
contribute, so a user who may view a township but edit only one office gets exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from .roles import ROLE_PERMISSIONS, Perm, Scope


@dataclass(frozen=True)
class DataScope:
    everything: bool
    unit_q: Q  # a filter on Unit; Q(pk__in=[]) selects nothing
    person_id: int | None  # the user's own person record, for 仅本人

    @property
    def is_empty(self) -> bool:
        return not self.everything and self.unit_q == NOTHING and self.person_id is None


NOTHING = Q(pk__in=[])


def data_scope(user, perm: str = Perm.VIEW_ORGS) -> DataScope:
    if not user.is_authenticated or not user.is_active:
        return DataScope(False, NOTHING, None)
    if user.is_superuser:
        return DataScope(True, Q(), user.person_id)
    q = NOTHING
    own = False
    for a in user.role_assignments():
        if perm not in ROLE_PERMISSIONS.get(a.role, ()):
            continue
        if a.scope == Scope.ALL:
            return DataScope(True, Q(), user.person_id)
        if a.scope == Scope.SUBTREE and a.unit_id:
            q |= Q(path__startswith=a.unit.path)
        elif a.scope == Scope.UNIT and a.unit_id:
            q |= Q(pk=a.unit_id)
        elif a.scope == Scope.CUSTOM:
            ids = [u.pk for u in a.custom_units.all()]
            if ids:
                q |= Q(pk__in=ids)
        own = True  # every scope includes the user's own records
    return DataScope(False, q, user.person_id if own else None)
