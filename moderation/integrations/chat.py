"""Moderating chat: held messages (queue ``chat``), reported messages
(queue ``reports``), mutes in rooms, and the rules that hold a message."""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.services import user_mark_established
from moderation import rules, selectors
from moderation.models import BlockedTerm
from moderation.queues import TargetKind, premoderation_queue, register_queue, register_target, reports_queue
from realtime import pii
from realtime.chat import hooks
from realtime.chat import selectors as chat_selectors
from realtime.chat import services as chat_services
from realtime.chat.models import Message, MessageStatus
from realtime.chat.serializers import message_url
from realtime.hub.errors import MUTED, HubError
from realtime.notify.services import notification_send

TARGET = "chat.message"
QUEUE = "chat"
AROUND = 3


def _load(pk: int) -> Message | None:
    return Message.objects.select_related("author", "room", "reply_to").filter(pk=pk).first()


def _public(message: Message) -> bool:
    """Shown to everyone: only such messages can be reported."""
    return message.seq is not None and message.is_shown


def _context(message: Message) -> dict:
    if message.seq is not None:
        around = list(Message.objects.filter(room=message.room, seq__isnull=False, deleted_at__isnull=True,
                                             seq__gte=message.seq - AROUND, seq__lte=message.seq + AROUND)
                      .exclude(pk=message.pk).select_related("author").order_by("seq"))
    else:
        before = list(Message.objects.filter(room=message.room, seq__isnull=False, deleted_at__isnull=True,
                                             created_at__lte=message.created_at)
                      .select_related("author").order_by("-seq")[:AROUND])[::-1]
        around = before
    return {
        "text": message.body,
        "masked_text": pii.mask(message.body),
        "author_id": message.author_id,
        "author": {"id": message.author_id, "name": message.author.display_name, "username": message.author.username,
                   "role": message.author.role},
        "where": message.room.title,
        "room": message.room.slug,
        "url": message_url(message),
        "around": [{"id": m.seq, "author": m.author.display_name, "text": pii.mask(m.body),
                    "this": False} for m in around],
    }


def _tell_author(message: Message, kind: str, reason: str = "") -> None:
    notification_send(recipients=[message.author_id], kind=kind, url=f"/ruang/{message.room.slug}/",
                      params={"room": message.room.title, "excerpt": message.body[:80], "reason": reason})


def _publish(message: Message, redact: bool) -> None:
    if message.status != MessageStatus.HELD:
        return
    chat_services.message_decide(message=message, approve=True, body=pii.mask(message.body) if redact else None)
    _tell_author(message, "moderation.approved")


def _refuse(message: Message, reason: str) -> None:
    if message.status != MessageStatus.HELD:
        return
    chat_services.message_decide(message=message, approve=False, reason=reason)
    _tell_author(message, "moderation.rejected", reason)


def _hide(message: Message) -> None:
    chat_services.message_hide(message=message)


def _restore(message: Message) -> None:
    chat_services.message_restore(message=message)


def _remove(message: Message, moderator, reason: str) -> None:
    chat_services.message_remove(message=message, moderator=moderator)


# --- hooks into chat -------------------------------------------------------------
async def mute_guard(user, room) -> HubError | None:
    until = await selectors.active_mute_until(user_id=user.pk, room_slug=room.slug)
    return None if until is None else HubError(MUTED, until=until)


BLOCKED_TERMS_KEY = "moderation:blocked-terms"


#: Each process keeps the blocklist this long before asking the shared cache
#: again: a rule change reaches every process within this many seconds.
LOCAL_TERMS_S = 10.0
_local_terms: dict = {"at": -LOCAL_TERMS_S, "terms": []}


def blocked_terms() -> list[str]:
    """The active blocklist: in this process for ``LOCAL_TERMS_S``, in the
    shared cache until a rule changes (``rule_save``/``rule_delete`` clear it)."""
    now = time.monotonic()
    if now - _local_terms["at"] >= LOCAL_TERMS_S:
        _local_terms["terms"] = cache.get_or_set(BLOCKED_TERMS_KEY, lambda: list(
            BlockedTerm.objects.filter(active=True).values_list("term", flat=True)), 300)
        _local_terms["at"] = now
    return _local_terms["terms"]


def forget_blocked_terms() -> None:
    """This process re-reads the blocklist at the next message."""
    _local_terms["at"] = -LOCAL_TERMS_S


def screen(user, room, text: str, editing: bool = False) -> list[str]:
    terms = blocked_terms()
    hits = rules.blocked_words(text, terms) + rules.personal_data(text) + rules.too_many_links(text)
    if editing:
        return hits  # the rules below are about the author's pattern of sending
    hold_new = not user.established and settings.MODERATION_NEW_ACCOUNT_HOLD > 0
    since = (timezone.now() - timedelta(minutes=settings.MODERATION_REPEAT_MINUTES)
             if settings.MODERATION_REPEAT_MINUTES else None)
    if since is None and not hold_new:
        return hits
    repeated, published = chat_selectors.author_record(author_id=user.pk, text=text.strip(), since=since,
                                                      count_published=hold_new)
    if repeated:
        hits.append("repeated_text")
    if hold_new:
        if published < settings.MODERATION_NEW_ACCOUNT_HOLD:
            hits.append("new_account")
        else:
            user_mark_established(user=user)  # counted once; later sends skip the count
    return hits


def on_held(message: Message, reasons: list[str]) -> None:
    from moderation.services import item_enqueue

    item_enqueue(queue=QUEUE, target_kind=TARGET, target_id=message.pk, author_id=message.author_id,
                 reasons=reasons, fresh=True)


def register() -> None:
    register_target(TargetKind(key=TARGET, load=_load, context=_context, publish=_publish, refuse=_refuse,
                               hide=_hide, restore=_restore, remove=_remove, public=_public))
    register_queue(premoderation_queue(QUEUE, _("Held chat messages")))
    register_queue(reports_queue(_("Reported content")))
    hooks.send_guards.append(mute_guard)
    hooks.screens.append(screen)
    hooks.on_held.append(on_held)
