"""The ``room.<slug>`` topic kind: what joining, history, send, edit and
delete mean for a chat room. The async edge of chat: it parses frames and
runs chat's (synchronous) selectors and services in the database thread
(``db_async``); the frames it handles and their schema are its own
(``chat/schema.json``)."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from chat import checks, rules, selectors, services
from chat.models import Room
from chat.serializers import ack_frame, held_frame, message_frame, message_to_wire
from common.errors import AppError
from realtime.db import db_async
from realtime.errors import NOT_FOUND
from realtime.topics import Replay, TopicKind


@dataclass(frozen=True)
class RoomGrant:
    """The room as it was at join; rules that can change (state, policy) are
    re-read from the database on every send."""

    room_id: int
    slug: str
    room: Room


#: Public replays kept per process (``RoomTopic._replay``), and for how long.
SHARED_REPLAYS = 32
SHARED_REPLAY_SECONDS = 1.0


class RoomTopic(TopicKind):
    prefix = "room"
    schema = Path(__file__).with_name("schema.json")
    actions = {"send": "on_send", "edit": "on_edit", "delete": "on_delete"}

    def __init__(self) -> None:
        #: ``(room, since, changes_since, last id, last revision)`` -> ``(made at, frames, has_more)``.
        self.shared: OrderedDict = OrderedDict()

    def forget(self) -> None:
        self.shared.clear()

    async def join(self, user, key: str) -> RoomGrant:
        room = await db_async(selectors.room_get)(slug=key)
        if room is None or room.embedded:
            raise AppError(NOT_FOUND)  # an embedded room is followed through its own page's topic
        rules.check_can_read(room, user)
        return RoomGrant(room_id=room.pk, slug=room.slug, room=room)

    async def describe(self, grant: RoomGrant, user) -> dict:
        room = grant.room
        refusal = rules.post_refusal(room, user)
        return {"room": {
            "slug": room.slug, "title": room.title, "description": room.description, "state": room.state,
            "post_policy": room.post_policy, "premoderated": room.premoderated,
            "slow_mode": room.slow_mode_seconds,
            "can_post": refusal is None, "cannot_post_reason": None if refusal is None else str(refusal.detail),
        }}

    async def replay(self, grant: RoomGrant, user, since: int | None, changes_since: int | None = None) -> Replay:
        return await db_async(self._replay)(grant, user, since, changes_since)

    def _replay(self, grant: RoomGrant, user, since: int | None, changes_since: int | None) -> Replay:
        """The room's marks are read on every join; what everyone gets at
        those marks (the messages after ``since``, the changes after
        ``changes_since``) is read and serialized once and shared, for
        ``SHARED_REPLAY_SECONDS``, by the joiners asking for the same: a burst
        of fresh joins, or a storm of reconnecting clients that had all seen
        the same last message. Any new message, edit or removal moves the
        marks, so a join never gets a page older than the room's state when it
        asked (what does not move them — a renamed author — shows within the
        second); the author's own held messages are read for each."""
        last_id, last_rev = selectors.room_marks(room_id=grant.room_id)
        key = (grant.room_id, since, changes_since, last_id, last_rev)
        now = time.monotonic()
        shared = self.shared.get(key)
        if shared is None or now - shared[0] > SHARED_REPLAY_SECONDS:
            shared = self.shared[key] = (now, *self._public_replay(grant.room_id, since, changes_since, last_id,
                                                                    last_rev))
            while len(self.shared) > SHARED_REPLAYS:
                self.shared.popitem(last=False)
        _, public, has_more = shared
        frames = list(public)
        if user.is_authenticated:
            # Only the author sees their own messages waiting for review.
            frames += [held_frame(m) for m in selectors.held_by_author(room_id=grant.room_id, author_id=user.pk)]
        return Replay(frames=frames, last_id=last_id, has_more=has_more, extra={"last_rev": last_rev})

    @staticmethod
    def _public_replay(room_id: int, since: int | None, changes_since: int | None, last_id: int,
                       last_rev: int) -> tuple[tuple[dict, ...], bool]:
        messages, _, has_more = selectors.messages_after(room_id=room_id, since=since, last_id=last_id)
        frames = []
        if since is not None and changes_since is not None:
            # Edits and removals of messages the client has, made while it was away.
            frames = [message_frame(m, "message.updated") for m in selectors.messages_changed(
                room_id=room_id, upto=since, since_rev=changes_since, until_rev=last_rev)]
        frames += [message_frame(m) for m in messages]
        return tuple(frames), has_more

    async def history(self, grant: RoomGrant, user, before: int, limit: int) -> tuple[list[dict], bool]:
        messages, has_more = await db_async(selectors.messages_before)(
            room_id=grant.room_id, before=before, limit=limit)
        return [message_to_wire(m) for m in messages], has_more

    async def on_send(self, grant: RoomGrant, user, frame) -> dict:
        """Two trips to the database thread (prepare, store); the checks that
        read Redis run in the event loop between them. A retry of a message
        already stored is neither checked nor counted again."""
        client_id, body = frame.client_id(), frame.text("body")
        plan = await db_async(services.send_prepare)(
            user=user, room_slug=grant.slug, client_id=client_id, reply_to=frame.optional_id("reply_to"))
        if plan.stored is None:
            rules.clean_body(body)  # an invalid body costs no rate-limit hit
            await checks.send_check(user, plan.room)
        message = await db_async(services.message_store)(plan=plan, user=user, client_id=client_id, body=body)
        return ack_frame(message)

    async def on_edit(self, grant: RoomGrant, user, frame) -> dict:
        seq = frame.required_id("id")
        if user.is_authenticated:
            await checks.mute_check(user, grant.room)  # as a send; the room's state is checked by the edit
        await db_async(services.message_edit)(user=user, room_id=grant.room_id, seq=seq, body=frame.text("body"))
        return {"type": "ack", "status": "updated", "id": seq, "client_id": None, "reason": None}

    async def on_delete(self, grant: RoomGrant, user, frame) -> dict:
        seq = frame.required_id("id")
        await db_async(services.message_delete)(user=user, room_id=grant.room_id, seq=seq)
        return {"type": "ack", "status": "deleted", "id": seq, "client_id": None, "reason": None}
