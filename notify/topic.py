"""The ``notify.<user id>`` topic kind: a user's own notifications.

Every signed-in socket is on it from connect (``auto_key``); a client joins it
explicitly only to resume (``since``) after a reconnect. Nobody may join
another user's topic. Notification ids are global, so they are not gap-free
per user: the hub only drops ids it already sent.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from common.errors import AppError
from notify import selectors
from notify.serializers import notification_to_wire
from realtime.db import db_async
from realtime.errors import FORBIDDEN
from realtime.topics import Replay, TopicKind


class NotifyTopic(TopicKind):
    prefix = "notify"
    schema = Path(__file__).with_name("schema.json")
    presence = False
    contiguous_ids = False

    def auto_key(self, user) -> str | None:
        return str(user.pk) if user is not None and user.is_authenticated else None

    async def join(self, user, key: str) -> int:
        if user is None or not user.is_authenticated or key != str(user.pk):
            raise AppError(FORBIDDEN, _("You can only follow your own notifications."))
        return user.pk

    async def describe(self, grant: int, user) -> dict:
        return {"unread": await db_async(selectors.unread_count)(user=user)}

    async def replay(self, grant: int, user, since: int | None, changes_since: int | None = None) -> Replay:
        rows, newest = await db_async(selectors.notifications_after)(user_id=grant, since=since)
        topic = f"notify.{grant}"
        frames = [{"type": "notification", "topic": topic, "notification": notification_to_wire(n)} for n in rows]
        return Replay(frames=frames, last_id=newest, ids=[n.pk for n in rows])

    async def history(self, grant: int, user, before: int, limit: int) -> tuple[list[dict], bool]:
        rows, has_more = await db_async(selectors.notifications_before)(
            user_id=grant, before=before, limit=limit)
        return [notification_to_wire(n) for n in rows], has_more
