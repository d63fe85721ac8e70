from django.contrib import admin

from officials.models import Agency


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "head")
    list_filter = ("kind",)
    search_fields = ("name", "short_name")
