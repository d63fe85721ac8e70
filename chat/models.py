"""Rooms and their messages.

A message's ``seq`` is the room's *visible sequence*: assigned when the
message becomes visible (at once in an open room, at approval in a
pre-moderated one), strictly increasing and gap-free per room, so "everything
after my last id" is exact. Held and rejected messages have no ``seq``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

#: What moderation calls a chat message (``moderation.queues.TargetKind``),
#: and the queue of messages held before publication.
MESSAGE_TARGET = "chat.message"
HELD_QUEUE = "chat"


class RoomState(models.TextChoices):
    OPEN = "open", _("Open")
    READ_ONLY = "read_only", _("Read-only")
    CLOSED = "closed", _("Closed")


class PostPolicy(models.TextChoices):
    SIGNED_IN = "signed_in", _("Every signed-in user")
    STAFF = "staff", _("Officials and moderators only")


class Room(models.Model):
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(_("state"), max_length=16, choices=RoomState.choices, default=RoomState.OPEN)
    post_policy = models.CharField(
        _("who may post"), max_length=16, choices=PostPolicy.choices, default=PostPolicy.SIGNED_IN
    )
    is_public = models.BooleanField(_("guests may read"), default=True)
    premoderated = models.BooleanField(_("pre-moderation"), default=False)
    slow_mode_seconds = models.PositiveIntegerField(_("slow mode (seconds)"), default=0)
    position = models.PositiveIntegerField(_("position"), default=100)
    #: Set when the room is embedded in another app's page (a Q&A session's
    #: questions, shown at ``/sesi/<id>/``): chat then neither lists it, nor
    #: serves its page, nor lets sockets join its ``room.<slug>`` topic (its
    #: frames name authors the embedding page may hide); links to its
    #: messages point to that page. Moderation reviews its messages as usual.
    page_url = models.CharField(_("shown in page"), max_length=200, blank=True)
    last_seq = models.PositiveBigIntegerField(default=0, editable=False)
    #: Bumped by every visible change (a message shown, edited, deleted,
    #: hidden, restored): lets a client that rejoins get the changes it missed.
    last_rev = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ("position", "title")
        verbose_name = _("room")
        verbose_name_plural = _("rooms")

    def __str__(self) -> str:
        return self.title

    @property
    def topic(self) -> str:
        return f"room.{self.slug}"

    @property
    def embedded(self) -> bool:
        return bool(self.page_url)

    @property
    def url(self) -> str:
        return self.page_url or f"/ruang/{self.slug}/"


class MessageStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    HELD = "held", _("Held for review")
    REJECTED = "rejected", _("Rejected")


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chat_messages")
    client_id = models.UUIDField(default=uuid.uuid4)
    seq = models.PositiveBigIntegerField(null=True, blank=True)
    #: The room's revision of this message's latest visible change.
    rev = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=16, choices=MessageStatus.choices, default=MessageStatus.PUBLISHED)
    body = models.TextField()
    html = models.TextField()
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies")
    hold_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    #: Hidden pending review after enough reports; shown as a tombstone until
    #: a moderator keeps (restores) or removes it.
    hidden_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="chat_message_room_seq_unique"),
            # Idempotency of sends: a client_id names one message of one author in one room.
            models.UniqueConstraint(fields=["room", "author", "client_id"], name="chat_message_client_id_unique"),
        ]
        indexes = [
            models.Index(fields=["room", "rev"], name="chat_message_room_rev_idx"),
            # The auto-moderation reads an author's recent messages on every send.
            models.Index(fields=["author", "created_at"], name="chat_message_author_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.room.slug}#{self.seq or '-'} {self.body[:40]}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_shown(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


class MessageRevision(models.Model):
    """The text a message had before an edit."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("message revision")
        verbose_name_plural = _("message revisions")
        ordering = ("created_at",)

    def __str__(self) -> str:
        return f"revision of {self.message_id} at {self.created_at:%Y-%m-%d %H:%M}"
