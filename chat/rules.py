"""The rules of a chat room: who may read, who may post, what a body may be.

One function per rule; services and the topic kind call these, nothing else
decides.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from chat.errors import CLOSED
from chat.models import PostPolicy, Room, RoomState
from common.errors import AppError
from realtime.errors import FORBIDDEN, INVALID

REGENCY_VOICES = frozenset({Role.OFFICIAL, Role.MODERATOR, Role.ADMIN})


def speaks_for_regency(user) -> bool:
    """Officials, moderators and admins: may post in read-only rooms and are
    exempt from rate limits and slow mode."""
    return user.is_authenticated and user.role in REGENCY_VOICES


def check_can_read(room: Room, user) -> None:
    if not room.is_public and not user.is_authenticated:
        raise AppError(FORBIDDEN, _("Sign in to read this room."))


def post_refusal(room: Room, user) -> AppError | None:
    """Why ``user`` may not post in ``room`` now, or ``None``."""
    if not user.is_authenticated:
        return AppError(FORBIDDEN, _("Sign in to take part."))
    if room.state == RoomState.CLOSED:
        return AppError(CLOSED)
    if speaks_for_regency(user):
        return None
    if room.state == RoomState.READ_ONLY:
        return AppError(FORBIDDEN, _("This room is read-only."))
    if room.post_policy == PostPolicy.STAFF:
        return AppError(FORBIDDEN, _("Only officials post in this room."))
    return None


def check_can_post(room: Room, user) -> None:
    refusal = post_refusal(room, user)
    if refusal is not None:
        raise refusal


#: Bidirectional embeddings, overrides and isolates (U+202A–U+202E,
#: U+2066–U+2069): they reorder what a reader sees ("Trojan Source"), so a
#: message could show another text than the one moderated and masked.
BIDI_CONTROLS = frozenset(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))


def clean_body(body: str) -> str:
    """Trimmed text of 1..CHAT_MAX_BODY characters, without control characters
    other than line breaks and tabs, and without bidirectional controls."""
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise AppError(INVALID, _("The message is empty."))
    if len(text) > settings.CHAT_MAX_BODY:
        raise AppError(INVALID, _("Messages are limited to %(max)d characters.") % {"max": settings.CHAT_MAX_BODY})
    if any((ord(ch) < 32 and ch not in "\n\t") or 0x7F <= ord(ch) < 0xA0 or 0xD800 <= ord(ch) < 0xE000
           for ch in text):
        raise AppError(INVALID, _("The message contains control characters."))
    if not BIDI_CONTROLS.isdisjoint(text):
        raise AppError(INVALID, _("The message contains text-direction control characters."))
    return text
