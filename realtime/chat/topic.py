"""The ``room.<slug>`` topic kind: what joining, history, send, edit and
delete mean for a chat room. Parses frames, calls selectors and services."""

from __future__ import annotations

from dataclasses import dataclass

from realtime.chat import rules, selectors, services
from realtime.chat.models import Room
from realtime.chat.serializers import ack_frame, held_frame, message_frame, message_to_wire
from realtime.hub.db import db_async
from realtime.hub.errors import NOT_FOUND, HubError
from realtime.hub.topics import Replay, TopicKind


@dataclass(frozen=True)
class RoomGrant:
    """The room as it was at join; rules that can change (state, policy) are
    re-read from the database on every send."""

    room_id: int
    slug: str
    room: Room


class RoomTopic(TopicKind):
    prefix = "room"
    actions = frozenset({"send", "edit", "delete"})

    async def join(self, user, key: str) -> RoomGrant:
        room = await db_async(selectors.room_get)(slug=key)
        if room is None:
            raise HubError(NOT_FOUND)
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

    @staticmethod
    def _replay(grant: RoomGrant, user, since: int | None, changes_since: int | None) -> Replay:
        last_id, last_rev = selectors.room_marks(room_id=grant.room_id)
        messages, last_id, has_more = selectors.messages_after(room_id=grant.room_id, since=since, last_id=last_id)
        frames = []
        if since is not None and changes_since is not None:
            # Edits and removals of messages the client has, made while it was away.
            frames = [message_frame(m, "message.updated") for m in selectors.messages_changed(
                room_id=grant.room_id, upto=since, since_rev=changes_since, until_rev=last_rev)]
        frames += [message_frame(m) for m in messages]
        if user.is_authenticated:
            # Only the author sees their own messages waiting for review.
            frames += [held_frame(m) for m in selectors.held_by_author(room_id=grant.room_id, author_id=user.pk)]
        return Replay(frames=frames, last_id=last_id, has_more=has_more, extra={"last_rev": last_rev})

    async def history(self, grant: RoomGrant, user, before: int, limit: int) -> tuple[list[dict], bool]:
        messages, has_more = await db_async(selectors.messages_before)(
            room_id=grant.room_id, before=before, limit=limit)
        return [message_to_wire(m) for m in messages], has_more

    async def handle(self, action: str, grant: RoomGrant, user, frame) -> dict:
        if action == "send":
            message = await services.message_send(
                user=user, room_slug=grant.slug, client_id=frame.client_id(), body=frame.text("body"),
                reply_to=frame.optional_id("reply_to"))
            return ack_frame(message)
        seq = frame.required_id("id")
        if action == "edit":
            await services.message_edit(user=user, room_id=grant.room_id, seq=seq, body=frame.text("body"))
            return {"type": "ack", "status": "updated", "id": seq, "client_id": None, "reason": None}
        await services.message_delete(user=user, room_id=grant.room_id, seq=seq)
        return {"type": "ack", "status": "deleted", "id": seq, "client_id": None, "reason": None}
