"""The live topic ``sesi.<id>`` over real sockets and real Redis: a snapshot
on join and on resume when behind, asking and voting, the console's actions
authorized on every frame, moderation reaching the audience, anonymity on
the wire, and chat no longer serving a session's room."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.utils import timezone

from chat.models import Room
from qa import services
from qa.models import Question, Session, Vote
from tests.hub import assert_quiet, create_user, wait_until
from tests.qa.helpers import approve, ask, asked_and_approved


def topic(session) -> str:
    return f"sesi.{session.pk}"


def ask_frame(session, body="Kapan jalan Tayu–Dukuhseti diperbaiki?", client_id=None, **extra) -> dict:
    return {"type": "ask", "topic": topic(session), "client_id": client_id or str(uuid.uuid4()), "body": body,
            **extra}


async def act(socket, frame: dict) -> dict:
    """Send ``frame``; its reply (``done`` or ``error``), events in between skipped."""
    ref = uuid.uuid4().hex[:12]
    await socket.send({**frame, "ref": ref})
    while (reply := await socket.recv()).get("ref") != ref:
        pass
    return reply


async def snapshot_of(socket, session, since=None) -> tuple[dict, list[dict]]:
    joined, frames = await socket.join(topic(session), since=since)
    return joined, [frame for frame in frames if frame["type"] != "presence"]


async def test_a_guest_watches_a_snapshot_then_questions_and_votes_live(cast, live_session, connect):
    first = await sync_to_async(asked_and_approved)(cast["siti"], live_session, cast["moderator"])
    guest = await connect(None)
    joined, frames = await snapshot_of(guest, live_session)
    [snapshot] = frames
    assert snapshot["type"] == "snapshot" and snapshot["id"] == joined["last_id"] > 0
    assert [q["id"] for q in snapshot["questions"]] == [first.pk]
    assert snapshot["session"]["status"] == "live" and snapshot["session"]["audience"] == 1
    assert (snapshot["mine"], snapshot["voted"]) == ([], [])

    budi = await connect(cast["budi"])
    await snapshot_of(budi, live_session)
    reply = await act(budi, {"type": "vote", "topic": topic(live_session), "question": first.pk})
    assert (reply["type"], reply["voted"], reply["votes"]) == ("done", True, 1)
    ranking = await guest.recv_until("ranking")
    assert ranking["votes"] == [[first.pk, 1]] and ranking["id"] > snapshot["id"]

    # A question asked is held: the asker sees it as theirs, everyone the waiting count.
    asked = await act(budi, ask_frame(live_session, "Bagaimana dengan pasar Juwana?"))
    assert asked["question"]["state"] == "pending" and asked["question"]["seq"] is None
    waiting = await guest.recv_until("session")
    assert waiting["session"]["waiting"] == 1
    question = await sync_to_async(Question.objects.get)(pk=asked["question"]["id"])
    await sync_to_async(approve)(question, cast["moderator"])
    appeared = await guest.recv_until("question")
    assert (appeared["question"]["id"], appeared["question"]["state"]) == (question.pk, "public")
    assert (await guest.recv_until("session"))["session"]["waiting"] == 0
    assert (await budi.recv_until("mine"))["question"]["state"] == "pending"  # when asked
    mine = await budi.recv_until("mine")
    assert (mine["question"]["id"], mine["question"]["state"]) == (question.pk, "public")


async def test_resume_gets_a_snapshot_only_when_something_changed(cast, live_session, connect):
    question = await sync_to_async(asked_and_approved)(cast["siti"], live_session, cast["moderator"])
    budi = await connect(cast["budi"])
    joined, _frames = await snapshot_of(budi, live_session)
    seen = joined["last_id"]
    await budi.request({"type": "leave", "topic": topic(live_session)})

    again, frames = await snapshot_of(budi, live_session, since=seen)
    assert (again["last_id"], frames) == (seen, [])
    await budi.request({"type": "leave", "topic": topic(live_session)})

    await sync_to_async(services.vote_toggle)(user=cast["siti"], question_id=question.pk)
    await sync_to_async(services.question_highlight)(user=cast["bupati"], session_id=live_session.pk,
                                                     question_id=question.pk)
    behind, frames = await snapshot_of(budi, live_session, since=seen)
    [snapshot] = frames
    assert snapshot["type"] == "snapshot" and snapshot["id"] == behind["last_id"] == seen + 2
    [shown] = snapshot["questions"]
    assert (shown["votes"], shown["highlighted"]) == (1, True)


async def test_the_joiner_sees_their_own_questions_and_votes(cast, live_session, connect):
    voted = await sync_to_async(asked_and_approved)(cast["siti"], live_session, cast["moderator"])
    await sync_to_async(services.vote_toggle)(user=cast["budi"], question_id=voted.pk)
    pending = await sync_to_async(ask)(cast["budi"], live_session, "Kapan pasar dibuka?", anonymous=True)
    budi = await connect(cast["budi"])
    _joined, [snapshot] = await snapshot_of(budi, live_session)
    assert snapshot["voted"] == [voted.pk]
    assert [(q["id"], q["state"]) for q in snapshot["mine"]] == [(pending.pk, "pending")]
    assert snapshot["session"]["waiting"] == 1


async def test_ask_is_idempotent_by_client_id(cast, live_session, connect):
    budi = await connect(cast["budi"])
    await snapshot_of(budi, live_session)
    client_id = str(uuid.uuid4())
    first = await act(budi, ask_frame(live_session, client_id=client_id))
    retry = await act(budi, ask_frame(live_session, client_id=client_id))
    assert first["question"]["id"] == retry["question"]["id"]
    assert await sync_to_async(Question.objects.filter(session=live_session).count)() == 1
