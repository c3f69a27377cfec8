"""The one way pages and the API fetch a case: outside the user's scope it does not exist (404)."""

from jiceng.accounts.access import access_object

from .models import Case


def get_case_for_user(user, pk) -> Case:
    return access_object(
        Case.objects.visible_to(user).select_related("lead_unit", "township", "matter", "matter_version"), pk
    )
