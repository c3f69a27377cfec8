from django.contrib import admin

from .models import Grid, GridMember, MergeIssue, MergeMapping, MergePlan, MergePlanEvent, Patrol, PatrolFinding


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


class ReadOnlyInline(admin.TabularInline):
    """Plans and patrols change only through their actions (pages, API): the admin shows them."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PlanEventInline(ReadOnlyInline):
    model = MergePlanEvent


class MappingInline(ReadOnlyInline):
    model = MergeMapping
    fields = ("source_code", "source_name", "source_layer", "village", "target", "overlap_m2", "share", "is_main")


class IssueInline(ReadOnlyInline):
    model = MergeIssue
    fields = ("kind", "village", "grid_a", "grid_b", "other_village", "area_m2", "note")


@admin.register(MergePlan)
class MergePlanAdmin(admin.ModelAdmin):
    list_display = ("name", "township", "status", "created_by", "created_at", "approved_at", "document_no")
    list_filter = ("status",)
    search_fields = ("name", "document_no")
    inlines = [MappingInline, IssueInline, PlanEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FindingInline(ReadOnlyInline):
    model = PatrolFinding
    raw_id_fields = ("case",)


@admin.register(Patrol)
class PatrolAdmin(admin.ModelAdmin):
    list_display = ("grid", "user", "status", "started_at", "ended_at", "distance_m")
    list_filter = ("status",)
    search_fields = ("grid__code", "grid__name", "user__username", "user__full_name")
    date_hierarchy = "started_at"
    raw_id_fields = ("grid", "user", "member")
    inlines = [FindingInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
