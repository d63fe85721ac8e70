"""Aspirations (complaints and suggestions), their replies, their public
timeline, supports and follows.

An aspiration's ``status`` moves only through ``forum/lifecycle.py``; its
current deadline (``due_at``) comes from ``forum/deadlines.py`` in working
days. Its text is kept raw (``body``) and rendered once (``html``) through
the project's one sanitizer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import Kecamatan
from officials.models import Agency

#: What moderation calls an aspiration and a reply, and the forum's queue.
ASPIRATION_TARGET = "forum.aspiration"
REPLY_TARGET = "forum.reply"
HELD_QUEUE = "forum"


class Privacy(models.TextChoices):
    PUBLIC = "public", _("Public")
    ANONYMOUS = "anonymous", _("Anonymous (my name hidden from the public)")
    CONFIDENTIAL = "confidential", _("Confidential (only the agency and moderators)")


class Status(models.TextChoices):
    NEW = "new", _("Waiting for verification")
    VERIFIED = "verified", _("Verified")
    FORWARDED = "forwarded", _("Forwarded to the agency")
    ANSWERED = "answered", _("Answered by the agency")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected")


class Category(models.Model):
    """A kind of aspiration: who handles it by default, its deadlines and the
    privacy it starts with. Editable in the admin."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name_id = models.CharField(_("name (Bahasa Indonesia)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)
    agency = models.ForeignKey(Agency, verbose_name=_("default agency"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    verify_days = models.PositiveSmallIntegerField(_("working days to verify"), default=3)
    followup_days = models.PositiveSmallIntegerField(_("working days for the agency's follow-up"), default=5)
    complete_days = models.PositiveSmallIntegerField(_("working days to complete"), default=60)
    default_privacy = models.CharField(_("default privacy"), max_length=16, choices=Privacy.choices,
                                       default=Privacy.PUBLIC)
    position = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ("position", "slug")
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name_id

    def name(self, language: str | None) -> str:
        return self.name_en if (language or "").startswith("en") else self.name_id


class Aspiration(models.Model):
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"))
    html = models.TextField()
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="aspirations")
    kecamatan = models.CharField(_("kecamatan"), max_length=20, choices=Kecamatan.choices)
    desa = models.CharField(_("desa/kelurahan"), max_length=80, blank=True)
    privacy = models.CharField(_("privacy"), max_length=16, choices=Privacy.choices, default=Privacy.PUBLIC)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="aspirations")
    agency = models.ForeignKey(Agency, verbose_name=_("responsible agency"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="aspirations")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    #: Shown to the public: approved by a moderator (a held one waits).
    published = models.BooleanField(default=False)
    #: The deadline of the current step, and whether its overdue notice went out.
    due_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    supports = models.PositiveIntegerField(default=0)
    #: Bumped by every visible change (reply, status): the thread's live topic sequence.
    last_seq = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    reopened = models.PositiveSmallIntegerField(default=0)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("aspiration")
        verbose_name_plural = _("aspirations")
        indexes = [
            models.Index(fields=["published", "status", "-created_at"], name="forum_asp_list_idx"),
            # The list's orders: walked in order, filtered by visibility, stopped
            # after a page (bench/forum.py measures them).
            models.Index(fields=["-supports", "-created_at"], name="forum_asp_support_idx"),
            models.Index(fields=["due_at", "created_at"], name="forum_asp_due_idx"),
            models.Index(fields=["agency", "status", "due_at"], name="forum_asp_agency_idx"),
            models.Index(fields=["category", "kecamatan"], name="forum_asp_place_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def topic(self) -> str:
        return f"aspirasi.{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.DONE, Status.REJECTED)


def photo_path(photo: AspirationPhoto, filename: str) -> str:
    return f"aspirasi/{photo.aspiration_id}/{filename}"


class AspirationPhoto(models.Model):
    """A photo re-encoded on upload (metadata, GPS included, gone), with its thumbnail."""

    aspiration = models.ForeignKey(Aspiration, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=photo_path)
    thumbnail = models.ImageField(upload_to=photo_path)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("aspiration photo")
        verbose_name_plural = _("aspiration photos")
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return f"photo {self.position} of #{self.aspiration_id}"


class Reply(models.Model):
    """A reply in an aspiration's thread; ``parent`` nests it (depth ≤ 5).
    A deleted reply stays as a tombstone so that the thread keeps its shape."""

    aspiration = models.ForeignKey(Aspiration, on_delete=models.CASCADE, related_name="replies")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    depth = models.PositiveSmallIntegerField(default=0)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    html = models.TextField()
    #: An official's reply: their title and agency at the time of writing.
    official_title = models.CharField(max_length=120, blank=True)
    official_agency = models.CharField(max_length=160, blank=True)
    #: Position in the thread's live sequence (``Aspiration.last_seq``).
    seq = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ("pk",)
        indexes = [models.Index(fields=["aspiration", "seq"], name="forum_reply_seq_idx")]


    def __str__(self) -> str:
        return f"reply {self.pk} on #{self.aspiration_id}"

    @property
    def is_shown(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


class ReplyRevision(models.Model):
    """An earlier text of an edited reply (its visible history)."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reply revision")
        verbose_name_plural = _("reply revisions")
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"revision of reply {self.reply_id}"


class TimelineEntry(models.Model):
    """One step of an aspiration's public history: a status change, a
    forward, a reopening, a rating."""

    aspiration = models.ForeignKey(Aspiration, on_delete=models.CASCADE, related_name="timeline")
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    seq = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"#{self.aspiration_id}: {self.from_status} -> {self.to_status}"


class Support(models.Model):
    """One citizen's "dukung" of an aspiration."""

    aspiration = models.ForeignKey(Aspiration, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["aspiration", "user"], name="forum_support_once")]

    def __str__(self) -> str:
        return f"{self.user_id} supports #{self.aspiration_id}"


class Follow(models.Model):
    """Someone told of replies and status changes of an aspiration."""

    aspiration = models.ForeignKey(Aspiration, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [models.UniqueConstraint(fields=["aspiration", "user"], name="forum_follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows #{self.aspiration_id}"
