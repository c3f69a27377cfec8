"""Admin for the one thing the pages do not create: the county's 编制周转池."""

from django.contrib import admin

from .models import QuotaPool


@admin.register(QuotaPool)
class QuotaPoolAdmin(admin.ModelAdmin):
    list_display = ["name", "region"]
