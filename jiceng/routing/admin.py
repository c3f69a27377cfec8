from django.contrib import admin

from .models import RoutingModel


@admin.register(RoutingModel)
class RoutingModelAdmin(admin.ModelAdmin):
    """Read-only: versions are made by training and put in use by the actions (train, roll back)."""

    list_display = ("version", "created_at", "reason", "trained_by", "training_size", "classes", "active")
    list_filter = ("active", "reason")
    exclude = ("blob",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
