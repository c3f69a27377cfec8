"""API keys are created here or with `manage.py open311_key`; the key is shown once, on creation."""

from django.contrib import admin, messages

from . import actions
from .models import ApiKey, ServiceRequest


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "active", "hourly_limit", "created_at", "last_used_at"]
    list_filter = ["active"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "hourly_limit"]
        return ["name", "prefix", "active", "hourly_limit", "created_at", "last_used_at"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        raw = actions.issue_api_key(obj, by=request.user)  # the form has already checked the name is free
        messages.warning(request, f"新密钥（只显示这一次，请立即复制并安全地交给使用方）：{raw}")

    def has_delete_permission(self, request, obj=None):
        return False  # keys are revoked, not deleted: the requests they submitted refer to them

    @admin.action(description="停用所选密钥")
    def revoke(self, request, queryset):
        for key in queryset:
            actions.revoke_api_key(key, by=request.user)
        messages.success(request, f"已停用{queryset.count()}个密钥。")


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    """Which client sent which case; the requester's contact details are not shown here."""

    list_display = ["case", "api_key", "created_at"]
    list_filter = ["api_key"]
    search_fields = ["case__code"]
    fields = ["case", "api_key", "media_url", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
