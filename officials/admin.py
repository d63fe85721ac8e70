from django.contrib import admin

from officials.models import Agency, Delegate


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "head")
    list_filter = ("kind",)
    search_fields = ("name", "short_name")


@admin.register(Delegate)
class DelegateAdmin(admin.ModelAdmin):
    list_display = ("staff", "official", "created_at")
    raw_id_fields = ("official", "staff")
