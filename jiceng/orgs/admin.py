"""Admin registrations for lookups; day-to-day editing happens in the platform's own pages."""

from django.contrib import admin

from .models import Person, Region, Unit


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent"]
    search_fields = ["code", "name"]
    list_filter = ["kind"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "status"]
    search_fields = ["name", "short_name"]
    list_filter = ["kind", "status"]

    def has_add_permission(self, request):
        return False  # units are created through the platform so that paths and history are kept

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "work_unit", "staffing_kind"]
    search_fields = ["name"]
    exclude = ["id_number", "phone"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
