"""Admin for accounts: the only place officials, moderators and admins are made."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "role", "category", "kecamatan", "is_active")
    list_filter = ("role", "category", "kecamatan", "is_active")
    search_fields = ("username", "display_name", "email")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Profile"), {"fields": ("display_name", "email", "phone", "category", "kecamatan")}),
        (_("Role"), {"fields": ("role", "title", "is_active")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "display_name", "role", "title",
                                                  "password1", "password2")}),
    )
    filter_horizontal = ()
