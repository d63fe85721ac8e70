"""The ``aspirasi.<id>`` topic kind: an open thread page follows its
aspiration live — new and changed replies, status steps. Joining is
authorized exactly like the page (``forum.selectors.aspiration_seen``): a
confidential aspiration is ``not_found`` to others. Read-only: writes go
through the page's forms (``forum/views``)."""

from __future__ import annotations

from pathlib import Path

from common.errors import AppError
from forum import selectors
from forum.events import reply_frame, timeline_frame
from forum.models import Aspiration
from realtime.db import db_async
from realtime.errors import NOT_FOUND
from realtime.topics import Replay, TopicKind

#: At most this many changes are replayed on join; older ones the page has.
MAX_REPLAY = 200


class AspirationTopic(TopicKind):
    prefix = "aspirasi"
    presence = False
    schema = Path(__file__).with_name("schema.json")

    async def join(self, user, key: str) -> int:
        if not key.isascii() or not key.isdigit():
            raise AppError(NOT_FOUND)
        seen = await db_async(selectors.aspiration_seen)(user=user, pk=int(key))
        return seen.aspiration.pk

    async def replay(self, grant: int, user, since: int | None, changes_since: int | None = None) -> Replay:
        return await db_async(self._replay)(grant, since)

    @staticmethod
    def _replay(aspiration_id: int, since: int | None) -> Replay:
        aspiration = Aspiration.objects.get(pk=aspiration_id)
        if since is None:
            # The page was rendered just now: from here on, live.
            return Replay(frames=[], last_id=aspiration.last_seq)
        replies, entries = selectors.changes_after(aspiration_id=aspiration_id, since=since)
        frames = sorted([reply_frame(r, aspiration) for r in replies]
                        + [timeline_frame(e, aspiration) for e in entries], key=lambda frame: frame["id"])
        return Replay(frames=frames[:MAX_REPLAY], last_id=aspiration.last_seq, has_more=len(frames) > MAX_REPLAY)

    async def history(self, grant: int, user, before: int, limit: int) -> tuple[list[dict], bool]:
        return [], False  # the page holds the thread; the socket only carries what changes
