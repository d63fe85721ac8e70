"""The hub's WebSocket consumer: one per browser tab, many topics.

Thin by design: it parses frames (``protocol``), authorizes the socket,
dispatches to the topic kind (``topics``) and forwards events from the
process fan-out, dropping duplicates and filling gaps by sequence number.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

import redis.exceptions
from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.network import scope_client_address
from common.errors import AppError
from common.logs import connection_id as logged_connection_id
from common.metrics import FRAMES_IN, FRAMES_OUT_REPLY, JOINS
from realtime import presence, topics
from realtime.auth import RECHECK_S, connect_user, reload_user, session_hash
from realtime.daphne import SCOPE_KEY as SEND_BUFFER
from realtime.daphne import text_frame
from realtime.errors import INTERNAL, NOT_JOINED, RATE_LIMITED, UNAVAILABLE, UNKNOWN_TYPE, error_frame
from realtime.events import CLOSE, CONTROL, REAUTHORIZE, deferred_publish, session_topic, user_topic
from realtime.fanout import get_fanout
from realtime.language import language_from_scope
from realtime.local import get_local
from realtime.protocol import CORE_TYPES, encode, parse_frame, schema_refusal, unknown_type
from realtime.ratelimit import MovingWindow
from realtime.sequence import GAP, SEND

log = logging.getLogger(__name__)

#: ``_fast_text``'s answer for an event that needs the slow path.
_SLOW = object()

CLOSE_AUTH_LOST = 4001
#: The client does not read what it is sent (HUB_MAX_BUFFERED_BYTES waiting):
#: reconnect and resume by id.
CLOSE_TOO_SLOW = 4008
#: Too many sockets for this account, or guest sockets for this address.
CLOSE_TOO_MANY = 4029
#: Policy violation: the client kept sending frames after it was told to wait.
CLOSE_FLOODING = 1008
#: Events waiting for a slow socket beyond this are dropped, then re-read from
#: the database (the socket resyncs by id).
INBOX_SIZE = 2000
#: Redis unreachable: the frame is answered ``unavailable`` (retryable), not ``internal``.
REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
#: What ``unavailable`` tells the client to wait before retrying, in seconds.
UNAVAILABLE_RETRY_S = 5


class HubConsumer(AsyncWebsocketConsumer):
    # No channel-layer channel per socket: the process fan-out delivers.
    channel_layer_alias = "hub-has-no-per-socket-channel"

    async def dispatch(self, message):
        """As Channels' own, without the ``aclose_old_connections()`` it runs
        before every message: that is a hop to the single database thread per
        frame, and every ORM call here goes through ``db_async``,
        which closes stale connections itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        session = self.scope.get("session")
        self.user = await connect_user(self.scope.get("user"), session)
        self.user_id = self.user.pk if self.user is not None and self.user.is_authenticated else None
        #: The fan-out writes to this socket before the audience's (``Fanout.leading``).
        self.leads = self.user_id is not None and self.user.is_regency_staff
        self.session_key = session.session_key if session is not None else None
        self.connection_id = uuid.uuid4().hex
        logged_connection_id.set(self.connection_id)  # this socket's task: every log line names it
        self.language = language_from_scope(self.scope)
        self.member = presence.member(self.user_id, self.connection_id)
        self.subs: dict[str, topics.Subscription] = {}
        self.lock = asyncio.Lock()
        self.inbox: asyncio.Queue = asyncio.Queue(maxsize=INBOX_SIZE)
        self.overflowed = False
        self.checked_at = time.monotonic()
        self.control_topics: list[str] = []
        self.pump: asyncio.Task | None = None
        self.closing = False
        self.guest_address: str | None = None
        #: Under Daphne: whether the transport's buffer is full (realtime/daphne.py).
        self.send_buffer = self.scope.get(SEND_BUFFER)
        self.too_slow = False
        #: Frames this socket may send, replayed messages it may ask for.
        self.frames = MovingWindow(settings.HUB_FRAME_RATE_COUNT, settings.HUB_FRAME_RATE_SECONDS)
        self.refused = MovingWindow(settings.HUB_FRAME_RATE_COUNT, settings.HUB_FRAME_RATE_SECONDS)
        self.replays = MovingWindow(settings.HUB_REPLAY_RATE_COUNT, settings.HUB_REPLAY_RATE_SECONDS)
        if self.user_id is not None:
            limit = settings.HUB_MAX_SOCKETS_PER_USER
            if not await presence.connection_open(self.user_id, self.connection_id, limit):
                self.user_id = None  # nothing was counted for this socket
                with translation.override(self.language):
                    await self._refuse(_("Too many open connections for this account; close other tabs."))
                return
            self.control_topics.append(user_topic(self.user_id))
            if (digest := session_hash(self.session_key)) is not None:
                self.control_topics.append(session_topic(digest))
        elif (address := scope_client_address(self.scope)) is not None:
            limit = settings.HUB_MAX_GUEST_SOCKETS_PER_ADDRESS
            if not await presence.guest_open(address, self.connection_id, limit):
                with translation.override(self.language):
                    await self._refuse(_("Too many open connections from your network; close other tabs."))
                return
            self.guest_address = address
        fanout = get_fanout()
        for topic in self.control_topics:
            await fanout.subscribe(topic, self)
        # Accept only once on the control topics: a sign-out made after the
        # client saw the socket open can no longer be missed.
        await self.accept()
        get_local().add(self)
        self.pump = asyncio.get_running_loop().create_task(self._pump())
        await self._auto_join()

    async def _refuse(self, detail: str):
        """Over a socket limit: say so, close with 4029. Nothing was counted,
        and frames that arrive before the close are ignored (``closing``), so
        the socket never joins anything nor counts as present."""
        self.closing = True
        await self.accept()
        await self.send_frame(error_frame(AppError(RATE_LIMITED, detail, retry_after=30), None))
        await self.close(CLOSE_TOO_MANY)

    async def _auto_join(self):
        """Join the topics every socket of this user is on without asking."""
        for kind in topics.all_kinds():
            key = kind.auto_key(self.user)
            if key is None:
                continue
            topic = f"{kind.prefix}.{key}"
            grant = await kind.join(self.user, key)
            await get_fanout().subscribe(topic, self)
            replay = await kind.replay(grant, self.user, None)
            sub = self.subs[topic] = topics.Subscription(topic=topic, kind=kind, key=key, grant=grant)
            sub.sequence.joined(replay.last_id, replay.ids)

    async def disconnect(self, code):
        self.closing = True
        if not hasattr(self, "subs"):
            return
        if self.guest_address is not None:
            await presence.guest_close(self.guest_address, self.connection_id)
        if self.pump is not None:
            self.pump.cancel()
        fanout = get_fanout()
        local = get_local()
        local.remove(self)
        for topic in list(self.subs):
            await self._leave(topic)
        for topic in self.control_topics:
            await fanout.unsubscribe(topic, self)
        if self.user_id is not None:
            await presence.connection_close(self.user_id, self.connection_id)

    # --- frames from the client ------------------------------------------
    async def receive(self, text_data=None, bytes_data=None):
        with translation.override(self.language):
            await self._receive(text_data, bytes_data)

    async def _receive(self, text_data, bytes_data):
        if self.closing:
            return  # refused or closing: nothing more is handled (nor counted)
        FRAMES_IN.inc()
        now = time.monotonic()
        refusal = None
        if (wait := self.frames.hit(now)) is not None:
            if self.refused.hit(now) is not None:
                # As many frames again after being told to wait: a flood.
                log.info("hub socket closed for flooding (%s)", self.guest_address or f"user {self.user_id}")
                self.closing = True
                await self.close(CLOSE_FLOODING)
                return
            refusal = AppError(RATE_LIMITED, _("Too many frames; slow down."), retry_after=wait)
        ref = None
        try:
            frame = parse_frame(text_data, bytes_data)
            ref = frame.ref
            if refusal is not None:
                raise refusal
            if not await self._still_authorized():
                return
            if frame.type in CORE_TYPES:
                handler = getattr(self, f"on_{frame.type}")
            elif topics.is_action(frame.type):
                handler = self._action
            else:
                raise unknown_type(frame.type)
            async with self.lock, deferred_publish():
                await handler(frame)
        except AppError as exc:
            await self.send_frame(error_frame(exc, ref if ref is not None else exc.ref))
        except REDIS_DOWN:
            log.warning("hub frame failed: Redis unreachable", exc_info=True)
            await self.send_frame(error_frame(AppError(UNAVAILABLE, retry_after=UNAVAILABLE_RETRY_S), ref))
        except Exception:
            log.exception("hub frame failed")
            await self.send_frame(error_frame(AppError(INTERNAL), ref))

    async def _still_authorized(self, force: bool = False) -> bool:
        """Re-read the session now and then; close on authentication loss.
        (``LocalSockets`` also forces this for sockets that only listen, when
        their session is gone from the cache.)"""
        if self.user_id is None or (not force and time.monotonic() - self.checked_at < RECHECK_S):
            return True
        user = await reload_user(self.session_key)
        self.checked_at = time.monotonic()
        if not user.is_authenticated or user.pk != self.user_id:
            await self._close_auth_lost()
            return False
        self.user = user  # role and status changes take effect here
        return True

    async def _close_auth_lost(self):
        if not self.closing:
            self.closing = True
            with translation.override(self.language):
                detail = _("You are signed out; reconnect to continue as a guest.")
            await self.send_frame({"type": "error", "code": "auth_lost", "detail": detail})
            await self.close(CLOSE_AUTH_LOST)

    async def _reauthorize(self, control_topic: str):
        """Rights changed (a role, a topic's audience): re-read the user, then
        ask each topic's kind again — every topic for a control sent to the
        user or session, else only the topic it came on. A topic now refused
        is left with an unsolicited ``left`` frame naming why."""
        if self.closing:
            return
        if self.user_id is not None and not await self._still_authorized(force=True):
            return
        on = list(self.subs) if control_topic in self.control_topics else [control_topic]
        for topic in on:
            sub = self.subs.get(topic)
            if sub is None:
                continue
            try:
                sub.grant = await sub.kind.join(self.user, sub.key)
            except AppError as refusal:
                await self._leave(topic)
                with translation.override(self.language):
                    await self.send_frame({"type": "left", "topic": topic, "code": refusal.code,
                                           "detail": str(refusal.detail)})

    async def on_ping(self, frame):
        await self.send_frame(self._reply({"type": "pong"}, frame))

    def _check_replay_budget(self) -> float:
        """Joins and history replay stored messages: refused once this
        socket's budget of replayed messages for the window is spent (so
        repeated joins cannot amplify a few bytes into megabytes)."""
        now = time.monotonic()
        if (wait := self.replays.wait(now)) is not None:
            raise AppError(RATE_LIMITED, _("Too much history asked for; wait a moment."), retry_after=wait)
        return now

    async def on_join(self, frame):
        topic = frame.topic()
        since = frame.optional_id("since")
        since_rev = frame.optional_id("since_rev")
        asked_at = self._check_replay_budget()
        kind, key = topics.resolve(topic)
        grant = await kind.join(self.user, key)
        sub = self.subs.get(topic)
        if sub is None:
            sub = topics.Subscription(topic=topic, kind=kind, key=key, grant=grant)
            # Subscribe before reading history: an event racing the read is
            # queued, then dropped as a duplicate or sent in order.
            await get_fanout().subscribe(topic, self)
            if kind.presence:
                await presence.enter(topic, self.member)
                get_local().schedule_recount(topic)
            self.subs[topic] = sub
            JOINS.labels(kind.prefix).inc()
        else:
            sub.grant = grant
        replay = await kind.replay(grant, self.user, since, since_rev)
        self.replays.add(asked_at, len(replay.frames))
        joined = {"type": "joined", "topic": topic, "last_id": replay.last_id, "has_more": replay.has_more,
                  **replay.extra}
        joined["presence"] = await presence.count(topic) if kind.presence else 0
        joined.update(await kind.describe(grant, self.user))
        await self.send_frame(self._reply(joined, frame))
        for message_frame in replay.frames:
            await self.send_frame(message_frame)
        sub.sequence.joined(replay.last_id, replay.ids)

    async def on_leave(self, frame):
        topic = frame.topic()
        if topic not in self.subs:
            raise AppError(NOT_JOINED)
        await self._leave(topic)
        await self.send_frame(self._reply({"type": "left", "topic": topic}, frame))

    async def on_history(self, frame):
        sub = self._subscription(frame)
        before = frame.required_id("before")
        asked_at = self._check_replay_budget()
        messages, has_more = await sub.kind.history(sub.grant, self.user, before, frame.limit(50))
        self.replays.add(asked_at, len(messages))
        await self.send_frame(self._reply(
            {"type": "history", "topic": sub.topic, "messages": messages, "has_more": has_more}, frame))

    async def _action(self, frame):
        """A frame one of the topic kinds handles: the socket's subscription
        names the kind; the frame must match the kind's schema for it."""
        sub = self._subscription(frame)
        action = topics.action(sub.kind.prefix, frame.type)
        if action is None:
            raise AppError(UNKNOWN_TYPE, _("%(kind)s topics do not accept '%(type)s'.")
                           % {"kind": sub.kind.prefix, "type": frame.type})
        errors = list(action.validator.iter_errors(frame.data))
        if errors:
            raise schema_refusal(errors)
        reply = await action.handler(sub.grant, self.user, frame)
        reply.setdefault("topic", sub.topic)
        await self.send_frame(self._reply(reply, frame))

    def _subscription(self, frame) -> topics.Subscription:
        sub = self.subs.get(frame.topic())
        if sub is None:
            raise AppError(NOT_JOINED)
        return sub

    async def _leave(self, topic: str):
        sub = self.subs.pop(topic, None)
        if sub is None:
            return
        await get_fanout().unsubscribe(topic, self)
        if sub.kind.presence:
            await presence.leave(topic, self.member)
            get_local().schedule_recount(topic)

    # --- events from the fan-out --------------------------------------------
    async def deliver(self, message: dict) -> None:
        """Called by the process fan-out for each event of a topic this socket
        is on. The common case — the socket idle, nothing waiting, the next
        id in sequence — is sent right here in the fan-out's task: no queue,
        no task switch per socket. Anything else (a frame being handled, a
        gap to fill, a control action) is queued, in order, for ``_pump``."""
        user = message.get("user")
        if user is not None and user != self.user_id:
            return
        if self.lock.locked() or self.overflowed or not self.inbox.empty():
            self.enqueue(message)
            return
        text = self._fast_text(message)
        if text is _SLOW:
            self.enqueue(message)
        elif text is not None:
            buffer = self.send_buffer
            if buffer is not None:
                # Under Daphne: the frame's bytes, built once per event and
                # language for every socket of this process, written as is.
                frames = message.get("_wire")
                if frames is None:
                    frames = message["_wire"] = {}
                frame = frames.get(text)
                if frame is None:
                    frame = frames[text] = text_frame(text.encode())
                if await self._over_send_cap(len(frame)):
                    return
                if buffer.write_frame(frame):
                    return
                await super().send(text_data=text)  # the cap above counted it
                return
            await self.send(text_data=text)

    def _fast_text(self, message: dict):
        """What to send at once for ``message``: its text, ``None`` to drop it
        (already sent), or ``_SLOW`` when it needs ``_forward``. Updates the
        subscription's position before anything is awaited."""
        if message.get("type") == CONTROL or message["topic"] in self.control_topics:
            return _SLOW
        sub = self.subs.get(message["topic"])
        if sub is None:
            return None
        verdict = sub.sequence.offer(message.get("seq"))
        if verdict == GAP:
            return _SLOW  # _forward reads the missing ones from the database
        return self._text_of(message) if verdict == SEND else None

    def enqueue(self, message: dict) -> None:
        """Queue an event for ``_pump``; never blocks, never raises."""
        try:
            self.inbox.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed = True

    async def _pump(self):
        while True:
            message = await self.inbox.get()
            try:
                async with self.lock:
                    if self.overflowed or message.get("type") == "hub.resync":
                        self.overflowed = False
                        await self._resync_all()
                    else:
                        await self._forward(message)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("hub event delivery failed")

    async def _forward(self, message: dict):
        if message.get("type") == CONTROL:
            if message.get("action") == CLOSE:
                await self._close_auth_lost()
            elif message.get("action") == REAUTHORIZE:
                await self._reauthorize(message["topic"])
            return
        if message["topic"] in self.control_topics:
            # Events addressed to the user or session themself (a mute).
            await self.send(text_data=self._text_of(message))
            return
        sub = self.subs.get(message["topic"])
        if sub is None:
            return
        seq = message.get("seq")
        verdict = sub.sequence.offer(seq)
        if verdict == GAP:
            await self._resync(sub)  # read the missing ones from the database
            verdict = sub.sequence.offer(seq)
        if verdict == SEND:
            await self.send(text_data=self._text_of(message))

    def _text_of(self, message: dict) -> str:
        """The event's frame, in this socket's language when it comes in several."""
        by_language = message.get("frames")
        if by_language:
            return by_language.get(self.language) or next(iter(by_language.values()))
        return message["frame"]

    async def _resync(self, sub: topics.Subscription):
        replay = await sub.kind.replay(sub.grant, self.user, sub.sequence.last_id)
        if not sub.kind.contiguous_ids:
            for message_frame, frame_id in zip(replay.frames, replay.ids, strict=True):
                if sub.sequence.offer(frame_id) == SEND:
                    await self.send_frame(message_frame)
            return
        if replay.has_more:
            # Fell behind by more than a replay: say so as on join; the client
            # pages back with `history`.
            await self.send_frame({"type": "joined", "topic": sub.topic, "last_id": replay.last_id,
                                   "has_more": True, "presence": await presence.count(sub.topic)})
        for message_frame in replay.frames:
            await self.send_frame(message_frame)
        sub.sequence.caught_up(replay.last_id)

    async def _resync_all(self):
        for sub in list(self.subs.values()):
            await self._resync(sub)

    # --- helpers -------------------------------------------------------------
    def presence_topics(self) -> list[str]:
        return [topic for topic, sub in self.subs.items() if sub.kind.presence]

    @staticmethod
    def _reply(frame: dict, request) -> dict:
        if request.ref is not None:
            frame["ref"] = request.ref
        return frame

    async def send_frame(self, frame: dict):
        FRAMES_OUT_REPLY.inc()
        await self.send(text_data=encode(frame))

    async def send(self, text_data=None, bytes_data=None, close=False):
        """Every frame to the client goes through here. While the transport
        says its buffer is full (the client is not reading), count what is
        written; past ``HUB_MAX_BUFFERED_BYTES`` close with 4008 (the client
        reconnects and resumes by id) and send nothing more."""
        buffer = self.send_buffer
        if buffer is not None and buffer.full:
            size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
            if await self._over_send_cap(size):
                return
        await super().send(text_data, bytes_data, close)

    async def _over_send_cap(self, size: int) -> bool:
        """Whether ``size`` more bytes must not be sent: the socket was, or is
        now, closed as too slow (past ``HUB_MAX_BUFFERED_BYTES`` written while
        its transport's buffer is full)."""
        buffer = self.send_buffer
        if buffer is None or not buffer.full:
            return self.too_slow
        if self.too_slow:
            return True
        buffer.written += size
        if buffer.written > settings.HUB_MAX_BUFFERED_BYTES:
            self.too_slow = self.closing = True
            log.warning("hub socket closed: the client reads too slowly (%d bytes waiting)", buffer.written)
            await self.close(CLOSE_TOO_SLOW)
            return True
        return False
