from django.contrib import admin

from .models import Grid, GridMember


class MemberInline(admin.TabularInline):
    model = GridMember
    extra = 0


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "village", "kind", "layer", "area_m2", "active")
    list_filter = ("layer", "kind", "active")
    search_fields = ("code", "name", "village__name")
    readonly_fields = ("min_lon", "min_lat", "max_lon", "max_lat", "area_m2")
    inlines = [MemberInline]
