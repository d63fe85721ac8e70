"""The forum in Django's admin: categories are edited here (name, default
agency, deadlines, default privacy, active, position); aspirations are a
read-only list with filters — every change to them goes through the
services (the thread page, the console, the agency inbox)."""

from django.contrib import admin

from forum.models import Aspiration, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name_id", "name_en", "agency", "default_privacy", "verify_days", "followup_days",
                    "complete_days", "active", "position")
    list_editable = ("agency", "default_privacy", "active", "position")
    list_filter = ("active", "default_privacy")
    search_fields = ("name_id", "name_en", "slug")
    fields = ("slug", "name_id", "name_en", "agency", ("verify_days", "followup_days", "complete_days"),
              "default_privacy", "active", "position")
    prepopulated_fields = {"slug": ("name_id",)}

    def has_delete_permission(self, request, obj=None):
        return False  # aspirations keep their category (PROTECT); deactivate instead


@admin.register(Aspiration)
class AspirationAdmin(admin.ModelAdmin):
    list_display = ("pk", "title", "category", "kecamatan", "agency", "status", "privacy", "published", "due_at",
                    "supports", "rating", "created_at")
    list_filter = ("status", "privacy", "published", "category", "agency", "kecamatan")
    search_fields = ("title",)
    date_hierarchy = "created_at"
    list_select_related = ("category", "agency")
    ordering = ("-created_at",)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # read-only: the admin views, the services write

    def has_delete_permission(self, request, obj=None):
        return False
