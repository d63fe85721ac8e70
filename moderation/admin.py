"""Admin: rules (blocklist, reasons) are edited here, each change logged;
everything else is read-only (decisions happen in the console)."""

from django.contrib import admin

from moderation import services
from moderation.models import AuditEntry, BlockedTerm, QueueItem, RejectReason, Sanction


class RuleAdmin(admin.ModelAdmin):
    # Moderators keep the rules too, not only administrators.
    # Django calls has_view/change/delete_permission with ``obj`` and
    # has_module/add_permission without it, so each keeps its own signature.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_moderator

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    has_change_permission = has_delete_permission = has_view_permission

    def save_model(self, request, obj, form, change):
        services.rule_save(actor=request.user, rule=obj, changed_fields=list(form.changed_data))

    def delete_model(self, request, obj):
        services.rule_delete(actor=request.user, rule=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.rule_delete(actor=request.user, rule=obj)


@admin.register(BlockedTerm)
class BlockedTermAdmin(RuleAdmin):
    list_display = ("term", "language", "active")
    list_filter = ("language", "active")
    search_fields = ("term",)


@admin.register(RejectReason)
class RejectReasonAdmin(RuleAdmin):
    list_display = ("code", "label_id", "label_en", "active", "position")
    list_editable = ("active", "position")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "action", "target", "subject", "reason")
    list_filter = ("action",)
    search_fields = ("target", "reason", "actor__username", "subject__username")


@admin.register(QueueItem)
class QueueItemAdmin(ReadOnlyAdmin):
    list_display = ("pk", "queue", "target_kind", "target_id", "status", "claimed_by", "delivery_count", "created_at")
    list_filter = ("queue", "status")


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "scope", "ends_at", "created_by", "lifted_at")
    list_filter = ("kind",)
