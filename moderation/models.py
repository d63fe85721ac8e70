"""Moderation records. The database row of a queue item is the truth; the
Redis stream only carries references to it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ESCALATED = "escalated", _("Escalated")


class QueueItem(models.Model):
    """One thing waiting for a moderator: ``target_kind``/``target_id`` name it
    (``chat.message`` 42); ``queue`` says why it is here (``chat``: held before
    publication, ``reports``: reported after)."""

    queue = models.CharField(max_length=32)
    target_kind = models.CharField(max_length=32)
    target_id = models.PositiveBigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    reasons = models.JSONField(default=list, help_text="rule hits or report reasons that put it here")
    stream = models.CharField(max_length=64, blank=True)
    stream_id = models.CharField(max_length=32, blank=True)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivery_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decision_reason = models.CharField(max_length=32, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("moderation item")
        verbose_name_plural = _("moderation items")
        constraints = [models.UniqueConstraint(fields=["queue", "target_kind", "target_id"],
                                               name="moderation_item_once_per_queue")]
        indexes = [models.Index(fields=["status", "queue"], name="moderation_item_status_idx")]

    def __str__(self) -> str:
        return f"{self.queue}:{self.target_kind}:{self.target_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in (ItemStatus.PENDING, ItemStatus.ESCALATED)


class RejectReason(models.Model):
    """The configurable list of reasons a moderator picks from when rejecting."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    label_id = models.CharField(_("label (Bahasa Indonesia)"), max_length=120)
    label_en = models.CharField(_("label (English)"), max_length=120)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(default=100)

    class Meta:
        verbose_name = _("reason for refusal")
        verbose_name_plural = _("reasons for refusal")
        ordering = ("position", "code")

    def __str__(self) -> str:
        return self.code

    def label(self, language: str | None) -> str:
        return self.label_en if (language or "").startswith("en") else self.label_id


class BlockedTerm(models.Model):
    """A word that holds a message for review, matched through spacing, case,
    repeated letters and digit-for-letter swaps (``moderation.rules``)."""

    term = models.CharField(_("term"), max_length=60, unique=True)
    language = models.CharField(_("language"), max_length=8, choices=[("id", "Bahasa Indonesia"), ("en", "English"),
                                                                      ("jv", "Basa Jawa")])
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("blocked term")
        verbose_name_plural = _("blocked terms")
        ordering = ("term",)

    def __str__(self) -> str:
        return self.term


class Report(models.Model):
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    target_kind = models.CharField(max_length=32)
    target_id = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=32)
    note = models.CharField(max_length=300, blank=True)
    #: The reporter's standing when they reported, in hundredths of one full
    #: report (``moderation.standing.report_weight``).
    weight = models.PositiveIntegerField(default=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [models.UniqueConstraint(fields=["reporter", "target_kind", "target_id"],
                                               name="moderation_report_once")]

    def __str__(self) -> str:
        return f"{self.reporter_id} reported {self.target_kind}:{self.target_id}"


class SanctionKind(models.TextChoices):
    MUTE = "mute", _("Mute")
    BAN = "ban", _("Ban")


class Sanction(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions")
    kind = models.CharField(max_length=8, choices=SanctionKind.choices)
    scope = models.CharField(max_length=90, blank=True,
                             help_text="the topic it applies to (room.bupati); empty: everywhere")
    ends_at = models.DateTimeField(null=True, blank=True, help_text="empty: until lifted")
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        indexes = [models.Index(fields=["user", "lifted_at"], name="moderation_sanction_user_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id} {self.scope or '*'}"


class AuditQuerySet(models.QuerySet):
    """Bulk writes would bypass ``AuditEntry.save``/``delete``: refuse them too."""

    def update(self, **kwargs):
        raise PermissionError("the audit log is append-only")

    def delete(self):
        raise PermissionError("the audit log is append-only")


class AuditEntry(models.Model):
    """Append-only: every moderation action. Rows are never updated or deleted."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=40)
    target = models.CharField(max_length=80, blank=True, help_text="what it was done to, e.g. chat.message:42")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", help_text="the user it concerns")
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ("-id",)

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the audit log is append-only")
