from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import actions
from .audit import log_operation
from .models import LoginLog, OperationLog, RoleAssignment, User
from .roles import DEFAULT_SCOPE, Scope


class RoleAssignmentForm(forms.ModelForm):
    """The same rules as `actions.assign_role`: a unit for unit-based scopes, units for 自定义."""

    class Meta:
        model = RoleAssignment
        fields = ["role", "unit", "scope", "custom_units"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].required = False
        self.fields["scope"].help_text = "留空则取该角色的默认数据范围"

    def clean(self):
        data = super().clean()
        role, scope = data.get("role"), data.get("scope")
        if role and not scope:
            data["scope"] = scope = DEFAULT_SCOPE[role]
        if scope in (Scope.SUBTREE, Scope.UNIT) and not data.get("unit"):
            self.add_error("unit", "数据范围为“本级及下级”或“本单位”时须指定所属单位。")
        if scope == Scope.CUSTOM and not data.get("custom_units"):
            self.add_error("custom_units", "数据范围为“自定义”时须选择至少一个单位。")
        return data


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    form = RoleAssignmentForm
    extra = 0
    autocomplete_fields = ["unit", "custom_units"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "is_active", "locked_until", "last_login"]
    search_fields = ["username", "full_name"]
    inlines = [RoleAssignmentInline]
    autocomplete_fields = ["person"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("平台信息", {"fields": ("full_name", "phone", "person")}),
        ("账号状态", {"fields": ("is_active", "must_change_password", "locked_until", "last_login", "date_joined")}),
        ("后台权限", {"classes": ("collapse",), "fields": ("is_staff", "is_superuser", "user_permissions")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "full_name", "password1", "password2", "must_change_password")}),)
    readonly_fields = ["last_login", "date_joined"]
    actions = ["unlock"]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is RoleAssignment:
            for assignment in formset.new_objects + [obj for obj, _ in formset.changed_objects]:
                log_operation(request.user, "授予角色", assignment.user, detail=str(assignment))
            for assignment in formset.deleted_objects:
                log_operation(request.user, "撤销角色", form.instance, detail=str(assignment))

    @admin.action(description="解锁所选账号")
    def unlock(self, request, queryset):
        for user in queryset:
            actions.unlock_user(user, by=request.user)
        messages.success(request, f"已解锁 {queryset.count()} 个账号。")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LoginLog)
class LoginLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "username", "outcome", "ip"]
    list_filter = ["outcome"]
    search_fields = ["username", "ip"]


@admin.register(OperationLog)
class OperationLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "action", "target", "ip"]
    search_fields = ["action", "target", "user__username"]
