"""Administrators read who was shown unmasked NIK or phone numbers (read-only)."""

from django.contrib import admin

from privacy.models import UnmaskEntry


@admin.register(UnmaskEntry)
class UnmaskEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "viewer", "kinds", "target", "where", "subject")
    list_filter = ("kinds", "where")
    search_fields = ("viewer__username", "subject__username", "target")
    date_hierarchy = "created_at"
    list_select_related = ("viewer", "subject")

    # Administrators only, never changed by hand (the worker purges it).
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
