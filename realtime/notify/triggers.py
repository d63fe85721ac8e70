"""Chat events that notify people: a reply to someone's message, and an
``@username`` mention. Called when a message becomes visible."""

from __future__ import annotations

import re

from accounts.models import User
from realtime.chat.serializers import message_url
from realtime.notify.services import notification_send

MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_.+-]{1,150})")
MAX_MENTIONS = 10
EXCERPT = 80


def _excerpt(body: str) -> str:
    return body if len(body) <= EXCERPT else body[: EXCERPT - 1] + "…"


def notify_chat_message(message) -> None:
    """Notify the author of the message replied to, and each mentioned user
    (once, never the sender themself). Runs inside the sender's transaction."""
    author = message.author
    params = {"actor": author.display_name or author.username, "room": message.room.title,
              "excerpt": _excerpt(message.body)}
    url = message_url(message)
    notified = {author.pk}
    if message.reply_to_id and message.reply_to.author_id not in notified:
        notification_send(recipients=[message.reply_to.author_id], kind="chat.reply", actor=author, url=url,
                          params=params)
        notified.add(message.reply_to.author_id)
    names = list(dict.fromkeys(MENTION_RE.findall(message.body)))[:MAX_MENTIONS]
    if names:
        mentioned = [pk for pk in User.objects.filter(username__in=names, is_active=True)
                     .values_list("pk", flat=True) if pk not in notified]
        if mentioned:
            notification_send(recipients=mentioned, kind="chat.mention", actor=author, url=url, params=params)
