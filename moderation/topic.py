"""The ``modq.console`` topic kind: live updates for moderators' consoles.
Only moderators and administrators may join; the queue statistics come with
``joined``, then ``queue.event`` frames as items arrive, are claimed and
decided."""

from __future__ import annotations

from pathlib import Path

from common.errors import AppError
from moderation import selectors
from realtime.db import db_async
from realtime.errors import FORBIDDEN, NOT_FOUND
from realtime.topics import Replay, TopicKind


class ConsoleTopic(TopicKind):
    prefix = "modq"
    schema = Path(__file__).with_name("schema.json")
    presence = False

    async def join(self, user, key: str) -> str:
        if key != "console":
            raise AppError(NOT_FOUND)
        if user is None or not user.is_authenticated or not user.is_moderator:
            raise AppError(FORBIDDEN)
        return key

    async def describe(self, grant, user) -> dict:
        return {"queues": await db_async(selectors.queue_stats)()}

    async def replay(self, grant, user, since: int | None, changes_since: int | None = None) -> Replay:
        return Replay(frames=[], last_id=0)

    async def history(self, grant, user, before: int, limit: int) -> tuple[list[dict], bool]:
        return [], False
