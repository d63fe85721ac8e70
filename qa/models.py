"""Officials' scheduled Q&A sessions (docs/sessions.md).

A session owns a premoderated chat room (``sesi-<id>``); a question is one of
that room's messages with a row of its own here (``Question``) for what chat
does not know: votes, the answer, the highlight, a dismissal, a hand-over and
the aspiration it was carried into. A session's ``status`` moves only through
``qa/lifecycle.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chat.models import Message, Room
from forum.models import Aspiration
from officials.models import Agency


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    LIVE = "live", _("Live")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class Session(models.Model):
    title = models.CharField(_("title"), max_length=150)
    topic = models.TextField(_("topic"), blank=True, max_length=1000)
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="qa_sessions")
    officials = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("officials"),
                                       related_name="qa_sessions")
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"), db_index=True)
    stream_url = models.URLField(_("live stream"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=SessionStatus.choices,
                              default=SessionStatus.SCHEDULED)
    #: Made by ``services.session_schedule`` right after the session (its slug needs the id).
    room = models.OneToOneField(Room, null=True, blank=True, on_delete=models.PROTECT, related_name="qa_session")
    #: When it actually opened (on time by the worker, or early) and closed.
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    peak_audience = models.PositiveIntegerField(default=0)
    #: Bumped in the transaction of every change the audience sees (a question
    #: shown, answered, voted on …; the session's status, end, waiting count):
    #: the ``sesi.<id>`` topic's ids; a client resumes from the last it applied.
    rev = models.PositiveBigIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("starts_at", "pk")
        indexes = [models.Index(fields=["status", "starts_at"], name="qa_session_status_idx")]
        verbose_name = _("Q&A session")
        verbose_name_plural = _("Q&A sessions")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open_for_questions(self) -> bool:
        return self.status in (SessionStatus.SCHEDULED, SessionStatus.LIVE)


class Question(models.Model):
    """A question: the session room's ``message`` (its text, author, status
    in moderation, visible id) and what the session adds to it."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="qa_question")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="questions")
    #: Shown as "Warga (anonim)" to the public and the officials; moderators see the author.
    anonymous = models.BooleanField(default=False)
    votes = models.PositiveIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)
    #: Who wrote the answer (an official, or a delegate) and for which official.
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answered_for = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    #: The room's message that carries the answer (a reply to the question).
    answer_message = models.OneToOneField(Message, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    highlighted = models.BooleanField(default=False)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.CharField(max_length=300, blank=True)
    handed_to_official = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    handed_to_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    #: "Answer later": the aspiration it became in the forum (its way back: ``aspiration.qa_question``).
    aspiration = models.OneToOneField(Aspiration, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="qa_question")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["session", "-votes", "created_at"], name="qa_question_rank_idx"),
            models.Index(fields=["session", "created_at"], name="qa_question_time_idx"),
        ]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return f"question {self.pk} in session {self.session_id}"

    @property
    def author_id(self) -> int:
        return self.message.author_id


class Vote(models.Model):
    """One "dukung" of a user for a question (``Question.votes`` counts them)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="vote_rows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "user"], name="qa_vote_unique")]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")

    def __str__(self) -> str:
        return f"vote of {self.user_id} for question {self.question_id}"
