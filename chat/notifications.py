"""Chat's notifications: a reply to someone's message, and an ``@username``
mention. Chat registers their kinds and sends them when a message becomes
visible; notify knows nothing of chat."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from chat.serializers import message_url
from common import pii
from notify.kinds import NotificationKind, register_kind
from notify.services import notification_send

MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_.+-]{1,150})")
MAX_MENTIONS = 10
EXCERPT = 80

REPLY = NotificationKind(
    "chat.reply", _("Replies to my messages"),
    _("%(actor)s replied to your message in %(where)s: “%(excerpt)s”"))
MENTION = NotificationKind(
    "chat.mention", _("Mentions of me"),
    _("%(actor)s mentioned you in %(where)s: “%(excerpt)s”"))


def register() -> None:
    register_kind(REPLY)
    register_kind(MENTION)


def _excerpt(body: str) -> str:
    body = pii.mask(body)
    return body if len(body) <= EXCERPT else body[: EXCERPT - 1] + "…"


def notify_chat_message(message) -> None:
    """Notify the author of the message replied to, and each mentioned user
    (once, never the sender themself). Runs inside the sender's transaction."""
    author = message.author
    params = {"actor": author.display_name or author.username, "where": message.room.title,
              "excerpt": _excerpt(message.body)}
    url = message_url(message)
    notified = {author.pk}
    if message.reply_to_id and message.reply_to.author_id not in notified:
        notification_send(recipients=[message.reply_to.author_id], kind=REPLY.key, actor=author, url=url,
                          params=params)
        notified.add(message.reply_to.author_id)
    names = list(dict.fromkeys(MENTION_RE.findall(message.body)))[:MAX_MENTIONS]
    if names:
        mentioned = [pk for pk in User.objects.filter(username__in=names, is_active=True)
                     .values_list("pk", flat=True) if pk not in notified]
        if mentioned:
            notification_send(recipients=mentioned, kind=MENTION.key, actor=author, url=url, params=params)
