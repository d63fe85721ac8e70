"""The Q&A sessions in the Django admin, where administrators and
moderators schedule, move and cancel them. Every write goes through
``qa.services`` (a scheduled session needs its room, a moved one tells its
followers, a cancelled one closes its room and tells them too): the form is
checked by running the service in a transaction that is rolled back, so a
refusal is shown on the form with the service's own words, and nothing is
written twice by hand."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.errors import AppError
from qa import services
from qa.models import Question, Session

#: What a session is made of in the admin; once made, only its times move.
SCHEDULE_FIELDS = ("title", "topic", "agency", "officials", "starts_at", "ends_at", "stream_url")
RESCHEDULE_FIELDS = ("starts_at", "ends_at")


class _Rollback(Exception):
    """Ends the dry run of a form's check."""


class SessionAdminForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = SCHEDULE_FIELDS

    #: Set by ``SessionAdmin.get_form``: applies the form through the services.
    apply = None

    def clean(self):
        data = super().clean()
        if self.errors or self.apply is None:
            return data
        try:
            with transaction.atomic():
                self.apply(data)
                raise _Rollback
        except _Rollback:
            pass
        except AppError as error:
            raise forms.ValidationError(str(error.detail)) from error
        return data


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    form = SessionAdminForm
    list_display = ("title", "status", "starts_at", "ends_at", "agency")
    list_filter = ("status",)
    search_fields = ("title",)
    raw_id_fields = ("officials",)
    actions = ["cancel"]

    def get_fields(self, request, obj=None):
        return SCHEDULE_FIELDS + (("status", "opened_at", "closed_at", "cancel_reason", "peak_audience")
                                  if obj is not None else ())

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return tuple(f for f in SCHEDULE_FIELDS if f not in RESCHEDULE_FIELDS) + (
            "status", "opened_at", "closed_at", "cancel_reason", "peak_audience")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.apply = staticmethod(lambda data: self._apply(request, obj, data))
        return form

    @staticmethod
    def _apply(request, obj, data) -> Session:
        if obj is None:
            return services.session_schedule(
                actor=request.user, title=data.get("title") or "", officials=list(data.get("officials") or []),
                starts_at=data.get("starts_at"), ends_at=data.get("ends_at"), topic=data.get("topic") or "",
                agency=data.get("agency"), stream_url=data.get("stream_url") or "")
        return services.session_reschedule(actor=request.user, session_id=obj.pk,
                                           starts_at=data.get("starts_at"), ends_at=data.get("ends_at"))

    def save_model(self, request, obj, form, change):
        session = self._apply(request, obj if change else None, form.cleaned_data)
        obj.pk, obj.room_id, obj.status = session.pk, session.room_id, session.status

    def save_related(self, request, form, formsets, change):
        """The officials were set by ``session_schedule``."""

    def has_delete_permission(self, request, obj=None):
        return False  # a session is cancelled, not deleted: its questions are part of the record

    @admin.action(description=_("Cancel the selected sessions (their followers are told)"))
    def cancel(self, request, queryset):
        for session in queryset:
            try:
                services.session_cancel(actor=request.user, session_id=session.pk,
                                        reason=gettext("Cancelled by the regency."))
            except AppError as error:
                self.message_user(request, f"{session.title}: {error.detail}", messages.ERROR)
            else:
                self.message_user(request, gettext("Cancelled: %(title)s") % {"title": session.title})


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("pk", "session", "votes", "answered_at", "highlighted", "dismissed_at")
    raw_id_fields = ("message", "session", "answered_by", "answered_for", "answer_message", "handed_to_official",
                     "aspiration")
