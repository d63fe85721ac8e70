from django.contrib import admin

from qa.models import Question, Session


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "starts_at", "ends_at", "agency")
    list_filter = ("status",)
    search_fields = ("title",)
    raw_id_fields = ("officials", "room", "created_by")
    readonly_fields = ("status", "opened_at", "closed_at", "peak_audience")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("pk", "session", "votes", "answered_at", "highlighted", "dismissed_at")
    raw_id_fields = ("message", "session", "answered_by", "answered_for", "answer_message", "handed_to_official",
                     "aspiration")
