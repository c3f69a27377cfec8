"""Access functions: the only way views and the API fetch regions, units, people, posts and absences."""

from __future__ import annotations

from jiceng.accounts.access import access_object
from jiceng.accounts.roles import Perm

from .models import Absence, Person, Post, Unit


def get_unit_for_user(user, pk, *, write: bool = False) -> Unit:
    return access_object(
        Unit.objects.visible_to(user).select_related("region", "parent", "merged_into"),
        pk,
        writable=Unit.objects.visible_to(user, Perm.CHANGE_UNIT) if user.can(Perm.CHANGE_UNIT) else None,
        write=write,
    )


def get_person_for_user(user, pk, *, write: bool = False) -> Person:
    return access_object(
        Person.objects.visible_to(user).select_related("quota_unit", "work_unit"),
        pk,
        writable=Person.objects.visible_to(user, Perm.CHANGE_PERSON) if user.can(Perm.CHANGE_PERSON) else None,
        write=write,
    )


def get_post_for_user(user, pk, *, write: bool = False) -> Post:
    return access_object(
        Post.objects.visible_to(user).select_related("unit"),
        pk,
        writable=Post.objects.visible_to(user, Perm.CHANGE_POST) if user.can(Perm.CHANGE_POST) else None,
        write=write,
    )


def get_absence_for_user(user, pk, *, write: bool = False) -> Absence:
    return access_object(
        Absence.objects.visible_to(user).select_related("person"),
        pk,
        writable=Absence.objects.visible_to(user, Perm.CHANGE_ABSENCE) if user.can(Perm.CHANGE_ABSENCE) else None,
        write=write,
    )


def can_see_pii(user, person: Person) -> bool:
    """Whether the user may reveal this person's full 身份证号 and 手机号 (each reveal is logged)."""
    return (
        user.can(Perm.VIEW_PERSON_PII)
        and Person.objects.visible_to(user, Perm.VIEW_PERSON_PII).filter(pk=person.pk).exists()
    )
