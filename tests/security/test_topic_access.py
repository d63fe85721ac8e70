"""Joins and frames for topics the user may not see (issue 14 B), each
refused, changing nothing (every table, every Redis key), and — once the
topic carries events the rightful reader receives — the attacker's socket
receives none of them. Plus forged identities in frames: the fields are
ignored, the session decides.

The single refusals (a join answered ``forbidden`` or ``not_found``) are also
in ``tests/notify``, ``tests/forum/test_topic.py``, ``tests/qa/test_live.py``;
here they are taken together, with the state and the frames around them."""

from __future__ import annotations

import uuid

import pytest
from asgiref.sync import sync_to_async

from chat.notifications import MENTION
from forum import services as forum_services
from forum.models import Privacy
from notify.services import notification_send
from qa.models import Question
from tests.forum import factories
from tests.hub import assert_quiet
from tests.qa.helpers import approve, ask, asked_and_approved
from tests.qa.test_live import act, console_frames, snapshot_of, topic
from tests.security.attacks import Snapshot

#: Each join or frame an attacker tries on a topic, with what it must be refused with.
REFUSED = ("forbidden", "not_found")


@pytest.fixture
def confidential(cast):
    return factories.forwarded(cast["siti"], cast["moderator"], cast["dpupr"], title="Pungli di kantor desa",
                               privacy=Privacy.CONFIDENTIAL)


async def _attack(socket, topics: list[str]) -> None:
    """Join, then history and leave, on each topic: every one refused."""
    for name in topics:
        for frame in ({"type": "join", "topic": name, "since": 0}, {"type": "join", "topic": name, "since": None},
                      {"type": "history", "topic": name, "before": 100, "limit": 50},
                      {"type": "leave", "topic": name}):
            reply = await socket.request({**frame, "ref": "a"})
            assert reply["type"] == "error" and reply["code"] in REFUSED + ("not_joined", "invalid"), (frame, reply)
            assert reply["code"] != "invalid" or frame["type"] != "join", (frame, reply)


@pytest.mark.parametrize("attacker", [None, "budi", "kadis", "staf_kadis"])
async def test_other_peoples_topics_are_refused_change_nothing_and_send_nothing(
        cast, confidential, live_session, connect, redis_client, attacker):
    """Siti's notifications, her confidential aspiration (forwarded to DPUPR:
    the DPUPR head may read it, Budi, a guest and the head of another agency
    may not) and the moderators' console."""
    who = cast[attacker] if attacker else None
    if attacker == "kadis":  # an official of the agency it was forwarded to is an insider: use another agency
        other = await sync_to_async(factories.agency)("dinkes", "Dinas Kesehatan")
        who = await sync_to_async(factories.official)("kadinkes", other)
    siti = await connect(cast["siti"])
    await siti.join(f"notify.{cast['siti'].pk}")
    insider = await connect(cast["moderator"])
    await insider.join(confidential.topic)
    await insider.join("modq.console")
    socket = await connect(who)
    before = await sync_to_async(Snapshot.take)(redis_client)
    await _attack(socket, [f"notify.{cast['siti'].pk}", confidential.topic, "modq.console"])
    await sync_to_async(before.assert_unchanged)(redis_client, "the refused joins")

    # the topics carry events: their readers receive them, the attacker nothing
    await sync_to_async(notification_send)(recipients=[cast["siti"].pk], kind=MENTION.key, actor=cast["budi"],
                                           params={"actor": "Budi", "where": "Ruang Bupati", "excerpt": "rahasia"})
    await siti.recv_until("notification")
    await sync_to_async(forum_services.reply_post)(user=cast["siti"], aspiration_id=confidential.pk,
                                                   body="Bukti ada pada saya")
    await insider.recv_until("reply")
    await sync_to_async(factories.submit)(cast["budi"], title="Lampu jalan mati")  # a new item for review
    await insider.recv_until("queue.event", topic="modq.console")
    await assert_quiet(socket, 0.5)


async def test_session_console_actions_change_nothing_and_reach_no_screen(cast, live_session, connect, redis_client):
    """A citizen, and an official (and a delegate) of *another* session's
    agency, send every console action: refused (``tests/qa/test_live.py``
    checks the session's fields); here every table and Redis key is
    unchanged and the audience's screens receive nothing."""
    question = await sync_to_async(asked_and_approved)(cast["siti"], live_session, cast["moderator"])
    audience = await connect(None)
    await snapshot_of(audience, live_session)
    attackers = [await connect(cast[name]) for name in ("budi", "kadis", "staf_kadis")]
    for socket in attackers:
        await snapshot_of(socket, live_session)
    before = await sync_to_async(Snapshot.take)(redis_client)
    for socket in attackers:
        for name, frame in console_frames(cast, live_session, question).items():
            refused = await act(socket, frame)
            assert (refused["type"], refused["code"]) == ("error", "forbidden"), name
    await sync_to_async(before.assert_unchanged)(redis_client, "console actions by outsiders")
    await assert_quiet(audience, 0.3)


async def test_a_forged_asker_or_author_in_a_frame_is_ignored(cast, live_session, connect):
    """Extra fields naming someone else are ignored: the question is the
    session user's; a delegate cannot answer for an official they do not act for."""
    budi = await connect(cast["budi"])
    await snapshot_of(budi, live_session)
    forged = {"author": {"id": cast["bupati"].pk, "name": "Bupati", "role": "official"}, "user": cast["bupati"].pk,
              "user_id": cast["bupati"].pk, "asker": cast["siti"].pk, "role": "official", "is_staff": True}
    done = await act(budi, {"type": "ask", "topic": topic(live_session), "client_id": str(uuid.uuid4()),
                            "body": "Siapa yang menjawab?", **forged})
    assert done["type"] == "done", done
    question = await sync_to_async(Question.objects.select_related("message").get)()
    assert question.message.author_id == cast["budi"].pk

    question = await sync_to_async(approve)(question, cast["moderator"])
    staf1 = await connect(cast["staf1"])  # the Bupati's delegate
    await snapshot_of(staf1, live_session)
    refused = await act(staf1, {"type": "answer", "topic": topic(live_session), "question": question.pk,
                                "text": "Besok.", "on_behalf_of": cast["wabup"].pk})
    assert refused["type"] == "error" and refused["code"] == "not_in_session", refused
    await sync_to_async(question.refresh_from_db)()
    assert question.answered_at is None and question.answer == ""


async def test_a_question_is_asked_under_the_session_users_name_only(cast, live_session):
    """The service behind the frame takes no author: the page's form cannot name one either."""
    question = await sync_to_async(ask)(cast["budi"], live_session)
    assert question.message.author_id == cast["budi"].pk
