"""Notifications, preferences and announcements.

A notification stores its ``kind`` and ``params``, never a finished sentence:
the text is rendered in the reader's language when it is shown.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Kecamatan, Role


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=64)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    url = models.CharField(max_length=300, blank=True)
    params = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    #: Set for notifications an announcement created; with the recipient it
    #: makes a re-run of the announcement job harmless.
    announcement = models.ForeignKey("Announcement", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="notifications")

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notify_recipient_id_idx"),
            models.Index(fields=["recipient", "read_at"], name="notify_recipient_read_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["announcement", "recipient"], name="notify_announcement_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("In the app and by e-mail (digest)")
    OFF = "off", _("Off")


class NotificationPreference(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_prefs")
    kind = models.CharField(max_length=64)
    channel = models.CharField(max_length=16, choices=Channel.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notify_pref_once")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}={self.channel}"


class Announcement(models.Model):
    """An administrator's message to everyone, one role or one kecamatan.

    Delivered by the background worker in batches of recipients ordered by
    id; ``cursor`` is the last recipient id done, so a crashed run resumes
    without sending twice. ``active_at`` is when its delivery was last queued
    or last moved: an unfinished one idle for long lost its job (Redis lost
    its data) and is queued again (``services.announcement_requeue_stalled``).
    """

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("message"), max_length=1000)
    role = models.CharField(_("only this role"), max_length=16, choices=Role.choices, blank=True)
    kecamatan = models.CharField(_("only this kecamatan"), max_length=32, choices=Kecamatan.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    cursor = models.BigIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    active_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.title
