from django.contrib import admin

from chat.models import Message, Room


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "state", "post_policy", "is_public", "premoderated", "slow_mode_seconds")
    list_editable = ("state", "post_policy", "is_public", "premoderated", "slow_mode_seconds")
    readonly_fields = ("last_seq",)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("room", "seq", "author", "status", "created_at", "deleted_at")
    list_filter = ("room", "status")
    search_fields = ("body",)
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request):
        return False
