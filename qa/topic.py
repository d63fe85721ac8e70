"""The ``sesi.<id>`` topic kind: a Q&A session followed live by its public
page and by the officials' console (the same topic: the console is the
audience page plus actions). The async edge of ``qa``: it parses frames and
runs qa's selectors and services in the database thread (``db_async``);
every action is authorized by the service it calls, on every frame.

Ids are the session's revision (``Session.rev``), not gap-free: joining with
``since`` = the last revision applied gets one ``snapshot`` when the session
changed since, else nothing; events carry no hub sequence number (the frame's
own ``id`` tells a client whether it is newer than what it has).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from chat import checks as chat_checks
from common.errors import AppError
from qa import ranking, selectors, services, wire
from qa.models import Question
from realtime import presence
from realtime.db import db_async
from realtime.errors import NOT_FOUND
from realtime.topics import Replay, TopicKind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionGrant:
    session_id: int


def _question_reply(action: str, question: Question) -> dict:
    return {"type": "done", "action": action, "question": wire.question_to_wire(question)}


def _acted(action: str, service):
    """Run a console service and build its reply in one call of the
    database thread (one wait in its queue, not two)."""
    def run(**kwargs) -> dict:
        question = service(**kwargs)
        return _question_reply(action, selectors.question_for_wire(pk=question.pk))
    return db_async(run)


def _session_reply(action: str, session_id: int) -> dict:
    session = selectors.session_for_wire(pk=session_id)
    return {"type": "done", "action": action, "session": wire.session_to_wire(
        session, waiting=selectors.questions_waiting(session_id=session_id))}


def _session_acted(action: str, service):
    def run(**kwargs) -> dict:
        service(**kwargs)
        return _session_reply(action, kwargs["session_id"])
    return db_async(run)


def _public_snapshot(session_id: int, rev: int) -> dict:
    """What every joiner at revision ``rev`` sees, read after ``rev`` (so at
    least as new as it): built once per (session, revision) and shared."""
    session = selectors.session_for_wire(pk=session_id)
    return {"type": "snapshot", "topic": wire.topic_of(session_id), "id": rev,
            "session": wire.session_to_wire(session, waiting=selectors.questions_waiting(session_id=session_id)),
            "questions": [wire.question_to_wire(q) for q in selectors.questions_shown(session_id=session_id)],
            "mine": [], "voted": []}


def _replay(session_id: int, user, since: int | None, audience: int, peak: int | None,
            cache: dict[int, tuple[int, dict]]) -> tuple[int, dict | None]:
    """One call of the database thread per join: the peak audience (when it
    grew), the revision, and a snapshot unless ``since`` is current — its
    public part from ``cache`` when built at this revision, the joiner's own
    questions and votes read only for a signed-in user."""
    if peak is not None:
        services.session_audience_record(session_id=session_id, count=peak)
    rev = selectors.session_rev(pk=session_id)
    if rev is None or (since is not None and since == rev):
        return rev or 0, None
    cached = cache.get(session_id)
    if cached is None or cached[0] != rev:
        cached = cache[session_id] = (rev, _public_snapshot(session_id, rev))
    frame = {**cached[1], "session": {**cached[1]["session"], "audience": audience}}
    if user.is_authenticated:
        frame["mine"] = [wire.question_to_wire(q)
                         for q in selectors.questions_of(session_id=session_id, user_id=user.pk)]
        frame["voted"] = selectors.voted_ids(session_id=session_id, user_id=user.pk)
    return rev, frame


#: A join writes the peak audience when it is this much above the last one written ...
PEAK_STEP = 1.05
#: ... else a deferred write records it within this many seconds.
PEAK_WRITE_SECONDS = 1.0


class SessionTopic(TopicKind):
    prefix = "sesi"
    presence = True
    contiguous_ids = False
    schema = Path(__file__).with_name("schema.json")
    actions = {"ask": "on_ask", "vote": "on_vote", "answer": "on_answer", "highlight": "on_highlight",
               "dismiss": "on_dismiss", "hand_over": "on_hand_over", "answer_later": "on_answer_later",
               "extend": "on_extend", "open_early": "on_open_early"}

    def __init__(self) -> None:
        #: The largest audience this process recorded per session (spares a write per join).
        self.peaks: dict[int, int] = {}
        #: The peak last written per session, and the deferred writes pending.
        self.peak_written: dict[int, int] = {}
        self.peak_tasks: dict[int, asyncio.Task] = {}
        #: The public part of each session's snapshot, by revision (``_replay``).
        self.snapshots: dict[int, tuple[int, dict]] = {}
        #: Sessions known to exist: a join needs the database only for the first.
        self.known: set[int] = set()

    def forget(self) -> None:
        self.peaks.clear()
        self.peak_written.clear()
        self.snapshots.clear()
        self.known.clear()

    def _peak_to_write(self, session_id: int, audience: int) -> int | None:
        """The peak to write with this join, if any. While the audience grows
        a join writes only when it is ``PEAK_STEP`` above the last peak
        written (a burst of 2,000 joins writes about 150 times, not 2,000);
        a peak reached in between is written by a deferred task within
        ``PEAK_WRITE_SECONDS``, so the largest one is always recorded."""
        if audience <= self.peaks.get(session_id, 0):
            return None
        self.peaks[session_id] = audience
        if audience >= self.peak_written.get(session_id, 0) * PEAK_STEP:
            self.peak_written[session_id] = audience
            return audience
        if session_id not in self.peak_tasks:
            self.peak_tasks[session_id] = asyncio.get_running_loop().create_task(self._write_peak_later(session_id))
        return None

    async def _write_peak_later(self, session_id: int) -> None:
        try:
            await asyncio.sleep(PEAK_WRITE_SECONDS)
            peak = self.peak_written[session_id] = self.peaks[session_id]
            await db_async(services.session_audience_record)(session_id=session_id, count=peak)
        except Exception:
            log.warning("peak audience of session %s not recorded", session_id, exc_info=True)
        finally:
            self.peak_tasks.pop(session_id, None)

    async def join(self, user, key: str) -> SessionGrant:
        if not key.isascii() or not key.isdigit() or len(key) > 12:
            raise AppError(NOT_FOUND)
        session_id = int(key)
        if session_id not in self.known:
            if await db_async(selectors.session_rev)(pk=session_id) is None:
                raise AppError(NOT_FOUND)
            self.known.add(session_id)  # sessions are never deleted (cancelled ones stay, and say so)
        ranking.attach()  # votes committed in this process are coalesced in this loop
        return SessionGrant(session_id=session_id)

    async def replay(self, grant: SessionGrant, user, since: int | None, changes_since: int | None = None) -> Replay:
        session_id = grant.session_id
        # The hub counted this socket before the replay: the audience now, and its peak.
        audience = await presence.count(wire.topic_of(session_id))
        peak = self._peak_to_write(session_id, audience)
        rev, frame = await db_async(_replay)(session_id, user, since, audience, peak, self.snapshots)
        if frame is None:
            return Replay(frames=[], last_id=rev)
        return Replay(frames=[frame], last_id=rev, ids=[rev])

    async def history(self, grant: SessionGrant, user, before: int, limit: int) -> tuple[list[dict], bool]:
        return [], False  # a snapshot holds the whole state

    # --- actions: each service checks who may, on every frame ------------------------------
    async def on_ask(self, grant: SessionGrant, user, frame) -> dict:
        # As ``services.question_ask``, with chat's mute and rate limit (Redis)
        # awaited here rather than from the database thread.
        plan = await db_async(services.question_ask_check)(
            user=user, session_id=grant.session_id, body=frame.text("body"), client_id=frame.client_id())
        if plan.stored is None:
            await chat_checks.send_check(user, plan.room)
        question = await db_async(services.question_ask_store)(
            user=user, session_id=grant.session_id, plan=plan, anonymous=frame.data.get("anonymous") is True)
        return _question_reply("ask", question)

    async def on_vote(self, grant: SessionGrant, user, frame) -> dict:
        voted, votes = await db_async(services.vote_toggle)(
            user=user, question_id=frame.required_id("question"), session_id=grant.session_id)
        return {"type": "done", "action": "vote", "voted": voted, "votes": votes}

    async def on_answer(self, grant: SessionGrant, user, frame) -> dict:
        return await _acted("answer", services.question_answer)(
            user=user, session_id=grant.session_id, question_id=frame.required_id("question"),
            text=frame.text("text"), on_behalf_of=frame.optional_id("on_behalf_of"))

    async def on_highlight(self, grant: SessionGrant, user, frame) -> dict:
        return await _acted("highlight", services.question_highlight)(
            user=user, session_id=grant.session_id, question_id=frame.required_id("question"),
            on=frame.data.get("on", True) is not False)

    async def on_dismiss(self, grant: SessionGrant, user, frame) -> dict:
        return await _acted("dismiss", services.question_dismiss)(
            user=user, session_id=grant.session_id, question_id=frame.required_id("question"),
            reason=frame.text("reason"))

    async def on_hand_over(self, grant: SessionGrant, user, frame) -> dict:
        return await _acted("hand_over", services.question_hand_over)(
            user=user, session_id=grant.session_id, question_id=frame.required_id("question"),
            to_official_id=frame.optional_id("official"), to_agency_id=frame.optional_id("agency"))

    async def on_answer_later(self, grant: SessionGrant, user, frame) -> dict:
        category = frame.data.get("category") or "lainnya"
        return await _acted("answer_later", services.question_answer_later)(
            user=user, session_id=grant.session_id, question_id=frame.required_id("question"),
            agency_id=frame.required_id("agency"), category_slug=str(category))

    async def on_extend(self, grant: SessionGrant, user, frame) -> dict:
        return await _session_acted("extend", services.session_extend)(
            actor=user, session_id=grant.session_id, minutes=frame.data.get("minutes"))

    async def on_open_early(self, grant: SessionGrant, user, frame) -> dict:
        return await _session_acted("open_early", services.session_open_early)(
            actor=user, session_id=grant.session_id)
