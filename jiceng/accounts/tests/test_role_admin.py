"""Role grants made in the admin follow the same rules as everywhere: a unit for unit scopes, units for 自定义."""

from jiceng.accounts.admin import RoleAssignmentForm
from jiceng.accounts.roles import Role, Scope


def test_a_unit_scope_without_a_unit_is_refused(cast):
    form = RoleAssignmentForm(data={"role": Role.WINDOW_CLERK, "scope": Scope.UNIT})
    assert not form.is_valid()
    assert "须指定所属单位" in form.errors["unit"][0]


def test_a_custom_scope_needs_units(cast):
    form = RoleAssignmentForm(data={"role": Role.DISPATCHER, "scope": Scope.CUSTOM})
    assert not form.is_valid()
    assert "至少一个单位" in form.errors["custom_units"][0]


def test_an_empty_scope_takes_the_roles_default(cast):
    form = RoleAssignmentForm(data={"role": Role.TOWNSHIP_LEADER, "unit": cast.units.west_root.pk})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["scope"] == Scope.SUBTREE
