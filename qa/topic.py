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

from dataclasses import dataclass
from pathlib import Path

from common.errors import AppError
from qa import events, ranking, selectors, services
from qa.models import Question
from realtime import presence
from realtime.db import db_async
from realtime.errors import NOT_FOUND
from realtime.topics import Replay, TopicKind


@dataclass(frozen=True)
class SessionGrant:
    session_id: int


def _question_reply(action: str, question: Question) -> dict:
    return {"type": "done", "action": action,
            "question": events.question_to_wire(selectors.question_for_wire(pk=question.pk))}


def _session_reply(action: str, session_id: int) -> dict:
    session = selectors.session_for_wire(pk=session_id)
    return {"type": "done", "action": action, "session": events.session_to_wire(
        session, waiting=selectors.questions_waiting(session_id=session_id))}


def _snapshot(session_id: int, user, audience: int) -> tuple[int, dict]:
    session = selectors.session_for_wire(pk=session_id)
    mine, voted = [], []
    if user.is_authenticated:
        mine = [events.question_to_wire(q) for q in selectors.questions_of(session_id=session_id, user_id=user.pk)]
        voted = selectors.voted_ids(session_id=session_id, user_id=user.pk)
    frame = {"type": "snapshot", "topic": events.topic_of(session_id), "id": session.rev,
             "session": events.session_to_wire(session, waiting=selectors.questions_waiting(session_id=session_id),
                                               audience=audience),
             "questions": [events.question_to_wire(q) for q in selectors.questions_shown(session_id=session_id)],
             "mine": mine, "voted": voted}
    return session.rev, frame


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

    async def join(self, user, key: str) -> SessionGrant:
        if not key.isascii() or not key.isdigit() or len(key) > 12:
            raise AppError(NOT_FOUND)
        if await db_async(selectors.session_rev)(pk=int(key)) is None:
            raise AppError(NOT_FOUND)
        ranking.attach()  # votes committed in this process are coalesced in this loop
        return SessionGrant(session_id=int(key))

    async def replay(self, grant: SessionGrant, user, since: int | None, changes_since: int | None = None) -> Replay:
        session_id = grant.session_id
        # The hub counted this socket before the replay: the audience now, and its peak.
        audience = await presence.count(events.topic_of(session_id))
        if audience > self.peaks.get(session_id, 0):
            self.peaks[session_id] = audience
            await db_async(services.session_audience_record)(session_id=session_id, count=audience)
        rev = await db_async(selectors.session_rev)(pk=session_id)
        if since is not None and since == rev:
            return Replay(frames=[], last_id=rev)
        rev, frame = await db_async(_snapshot)(session_id, user, audience)
        return Replay(frames=[frame], last_id=rev, ids=[rev])

    async def history(self, grant: SessionGrant, user, before: int, limit: int) -> tuple[list[dict], bool]:
        return [], False  # a snapshot holds the whole state

    # --- actions: each service checks who may, on every frame ------------------------------
    async def on_ask(self, grant: SessionGrant, user, frame) -> dict:
        question = await db_async(services.question_ask)(
            user=user, session_id=grant.session_id, body=frame.text("body"), client_id=frame.client_id(),
            anonymous=frame.data.get("anonymous") is True)
        return await db_async(_question_reply)("ask", question)

    async def on_vote(self, grant: SessionGrant, user, frame) -> dict:
        voted, votes = await db_async(services.vote_toggle)(
            user=user, question_id=frame.required_id("question"), session_id=grant.session_id)
        return {"type": "done", "action": "vote", "voted": voted, "votes": votes}

    async def on_answer(self, grant: SessionGrant, user, frame) -> dict:
        question = await db_async(services.question_answer)(
            user=user, session_id=grant.session_id, question_id=frame.required_id("question"),
            text=frame.text("text"), on_behalf_of=frame.optional_id("on_behalf_of"))
        return await db_async(_question_reply)("answer", question)

    async def on_highlight(self, grant: SessionGrant, user, frame) -> dict:
        question = await db_async(services.question_highlight)(
            user=user, session_id=grant.session_id, question_id=frame.required_id("question"),
            on=frame.data.get("on", True) is not False)
        return await db_async(_question_reply)("highlight", question)

    async def on_dismiss(self, grant: SessionGrant, user, frame) -> dict:
        question = await db_async(services.question_dismiss)(
            user=user, session_id=grant.session_id, question_id=frame.required_id("question"),
            reason=frame.text("reason"))
        return await db_async(_question_reply)("dismiss", question)

    async def on_hand_over(self, grant: SessionGrant, user, frame) -> dict:
        question = await db_async(services.question_hand_over)(
            user=user, session_id=grant.session_id, question_id=frame.required_id("question"),
            to_official_id=frame.optional_id("official"), to_agency_id=frame.optional_id("agency"))
        return await db_async(_question_reply)("hand_over", question)

    async def on_answer_later(self, grant: SessionGrant, user, frame) -> dict:
        category = frame.data.get("category") or "lainnya"
        question = await db_async(services.question_answer_later)(
            user=user, session_id=grant.session_id, question_id=frame.required_id("question"),
            agency_id=frame.required_id("agency"), category_slug=str(category))
        return await db_async(_question_reply)("answer_later", question)

    async def on_extend(self, grant: SessionGrant, user, frame) -> dict:
        await db_async(services.session_extend)(actor=user, session_id=grant.session_id,
                                                 minutes=frame.data.get("minutes"))
        return await db_async(_session_reply)("extend", grant.session_id)

    async def on_open_early(self, grant: SessionGrant, user, frame) -> dict:
        await db_async(services.session_open_early)(actor=user, session_id=grant.session_id)
        return await db_async(_session_reply)("open_early", grant.session_id)
