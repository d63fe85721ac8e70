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
from chat.services import message_hide, message_restore
from moderation.models import QueueItem
from moderation.services import item_claim_next, item_decide
from qa import ranking, services
from qa.models import Question, Session, Vote
from realtime import bus
from realtime.fanout import get_fanout
from tests.hub import assert_quiet, create_user, wait_until
from tests.qa.helpers import approve, ask, asked_and_approved


def topic(session) -> str:
    return f"sesi.{session.pk}"


def ask_frame(session, body="Kapan jalan Tayu–Dukuhseti diperbaiki?", client_id=None, **extra) -> dict:
    return {"type": "ask", "topic": topic(session), "client_id": client_id or str(uuid.uuid4()), "body": body,
            **extra}


async def act(socket, frame: dict, *, checked: bool = True) -> dict:
    """Send ``frame``; its reply (``done`` or ``error``), events in between
    skipped. ``checked=False``: a frame the schema refuses, sent as is."""
    ref = uuid.uuid4().hex[:12]
    await (socket.send if checked else socket.send_unchecked)({**frame, "ref": ref})
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

    # A question asked is held: the asker sees it as theirs, everyone the waiting count — in
    # the next ranking frame, not a whole session per question asked.
    asked = await act(budi, ask_frame(live_session, "Bagaimana dengan pasar Juwana?"))
    assert asked["question"]["state"] == "pending" and asked["question"]["seq"] is None
    waiting = await guest.recv()
    assert (waiting["type"], waiting["votes"], waiting["waiting"]) == ("ranking", [], 1)
    question = await sync_to_async(Question.objects.get)(pk=asked["question"]["id"])
    await sync_to_async(approve)(question, cast["moderator"])
    # The approval: the question appears, with the new waiting count; no session frame.
    appeared = await guest.recv()
    assert (appeared["type"], appeared["question"]["id"], appeared["question"]["state"], appeared["waiting"]) == (
        "question", question.pk, "public", 0)
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
    # The highlight's revision, and the vote's ranking frame's when it went out first.
    assert snapshot["type"] == "snapshot" and snapshot["id"] == behind["last_id"] in (seen + 1, seen + 2)
    [shown] = snapshot["questions"]
    assert (shown["votes"], shown["highlighted"]) == (1, True)


async def test_a_resume_after_coalesced_votes_gets_the_current_counts(cast, live_session, connect, settings):
    """Votes do not bump the revision one by one: each ranking frame bumps it
    once for its batch, so a client that missed the frames still resumes to
    the counts they carried."""
    settings.QA_RANKING_INTERVAL_MS = 1000
    question = await sync_to_async(asked_and_approved)(cast["siti"], live_session, cast["moderator"])
    guest = await connect(None)
    await snapshot_of(guest, live_session)
    budi = await connect(cast["budi"])
    joined, _frames = await snapshot_of(budi, live_session)
    seen = joined["last_id"]
    await budi.request({"type": "leave", "topic": topic(live_session)})

    voters = [await connect(await sync_to_async(create_user)(f"warga{i}")) for i in range(4)]
    for socket in voters:
        await snapshot_of(socket, live_session)
        await act(socket, {"type": "vote", "topic": topic(live_session), "question": question.pk})
    while (last := await guest.recv_until("ranking"))["votes"] != [[question.pk, 4]]:
        pass
    assert last["id"] > seen

    behind, [snapshot] = await snapshot_of(budi, live_session, since=seen)
    assert snapshot["id"] == behind["last_id"] == last["id"]
    assert [(q["id"], q["votes"]) for q in snapshot["questions"]] == [(question.pk, 4)]
    await budi.request({"type": "leave", "topic": topic(live_session)})
    again, frames = await snapshot_of(budi, live_session, since=last["id"])  # nothing new since that frame
    assert (again["last_id"], frames) == (last["id"], [])


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


async def test_an_ask_over_the_limits_costs_no_chat_rate_limit_hit(cast, live_session, connect, settings):
    """Refused for the per-citizen limits, an ask must not use up the room's
    rate limit: once the limit allows it again, the next ask goes through."""
    settings.QA_QUESTION_INTERVAL_SECONDS = 0
    settings.QA_QUESTIONS_PER_SESSION = 1
    settings.CHAT_RATE_COUNT = 2
    budi = await connect(cast["budi"])
    await snapshot_of(budi, live_session)
    assert (await act(budi, ask_frame(live_session, "Pertanyaan pertama")))["type"] == "done"
    for _ in range(3):
        refused = await act(budi, ask_frame(live_session, "Pertanyaan kedua"))
        assert refused["code"] == "question_quota_reached"
    settings.QA_QUESTIONS_PER_SESSION = 2
    second = await act(budi, ask_frame(live_session, "Pertanyaan kedua"))
    assert second["type"] == "done", second
    assert await sync_to_async(Question.objects.filter(session=live_session).count)() == 2


# --- votes: exact, coalesced -------------------------------------------------------------
async def test_concurrent_voters_end_with_exact_counts_on_every_screen(cast, live_session, connect):
    question = await sync_to_async(asked_and_approved)(cast["siti"], live_session, cast["moderator"])
    guest = await connect(None)
    await snapshot_of(guest, live_session)
    voters = [await sync_to_async(create_user)(f"warga{i}") for i in range(8)]
    sockets = [await connect(voter) for voter in voters]
    for socket in sockets:
        await snapshot_of(socket, live_session)
    vote = {"type": "vote", "topic": topic(live_session), "question": question.pk}
    replies = await asyncio.gather(*(act(socket, vote) for socket in sockets))
    assert all(reply["type"] == "done" and reply["voted"] for reply in replies)
    seen = []
    while not seen or seen[-1] != 8:
        frame = await guest.recv_until("ranking")
        [[question_id, votes]] = frame["votes"]
        assert question_id == question.pk
        seen.append(votes)
    assert seen == sorted(seen)  # absolute counts read after commit: never backwards
    assert await sync_to_async(Vote.objects.filter(question=question).count)() == 8
    assert (await sync_to_async(Question.objects.get)(pk=question.pk)).votes == 8

    withdrawn = await act(sockets[0], vote)
    assert (withdrawn["voted"], withdrawn["votes"]) == (False, 7)
    # A flush already under way may repeat 8; then 7 comes.
    while (votes := (await guest.recv_until("ranking"))["votes"]) != [[question.pk, 7]]:
        assert votes == [[question.pk, 8]]


async def test_votes_within_an_interval_go_out_in_one_frame(cast, live_session, connect, settings):
    settings.QA_RANKING_INTERVAL_MS = 3000
    questions = [await sync_to_async(asked_and_approved)(asker, live_session, cast["moderator"], body)
                 for asker, body in ((cast["siti"], "Jalan?"), (cast["budi"], "Pasar?"))]
    guest = await connect(None)
    await snapshot_of(guest, live_session)
    voters = [await connect(await sync_to_async(create_user)(f"warga{i}")) for i in range(5)]
    for socket in voters:
        await snapshot_of(socket, live_session)
    for socket in voters:
        for question in questions:
            await act(socket, {"type": "vote", "topic": topic(live_session), "question": question.pk})
    first = await guest.recv_until("ranking")  # the first vote after a quiet interval goes out at once
    assert first["votes"] == [[questions[0].pk, 1]]
    rest = await guest.recv_until("ranking")  # the nine others, together, with their final counts
    assert rest["votes"] == [[questions[0].pk, 5], [questions[1].pk, 5]] and rest["id"] > first["id"]


class SlowSocket:
    """A socket on the topic that takes as long to write to as the test
    says: the process's fan-out of each event waits for it."""

    user_id = None
    leads = False  # an audience socket

    def __init__(self) -> None:
        self.writable = asyncio.Event()
        #: Writes begun (and held until ``writable``).
        self.begun = 0

    async def deliver(self, message: dict) -> None:
        self.begun += 1
        await self.writable.wait()


@pytest.mark.parametrize("lost", [False, True])
async def test_a_ranking_frame_waits_until_the_previous_one_went_out_here(cast, live_session, connect, settings,
                                                                          monkeypatch, lost):
    """A server too slow to write each frame to its whole audience in an
    interval sends the next one only after the last one went out, with every
    vote since: frames never queue behind each other (qa/ranking.py). One
    that never comes back (``lost``: delivery is at most once) holds the next
    for ``SETTLE_MAX_S`` only."""
    settings.QA_RANKING_INTERVAL_MS = 0
    monkeypatch.setattr(ranking, "SETTLE_MAX_S", 1.5 if lost else 30)
    question = await sync_to_async(asked_and_approved)(cast["siti"], live_session, cast["moderator"])
    guest = await connect(None)
    await snapshot_of(guest, live_session)
    voters = [await connect(await sync_to_async(create_user)(f"warga{i}")) for i in range(4)]
    for socket in voters:
        await snapshot_of(socket, live_session)
    published = []

    async def record(event: dict) -> None:
        if json.loads(event["frame"])["type"] == "ranking":
            published.append(json.loads(event["frame"])["votes"])

    listener = bus.Subscription(on_message=record, on_lost=lambda: None)
    await listener.subscribe(bus.channel_for(topic(live_session)))
    slow = SlowSocket()
    await get_fanout().subscribe(topic(live_session), slow)
    try:
        vote = {"type": "vote", "topic": topic(live_session), "question": question.pk}
        for socket in voters:  # one after the other: four commits, four marks
            assert (await act(socket, vote))["votes"] > 0
        await wait_until(lambda: published, what="the first ranking frame")
        await asyncio.sleep(0.5)
        # The first frame is still being written here: no second one yet.
        assert published == [[[question.pk, 1]]]
        if not lost:
            slow.writable.set()
        await wait_until(lambda: len(published) == 2, what="the frame after it")
        assert published[1] == [[question.pk, 4]]  # the three votes since, in one frame
        slow.writable.set()
        seen = [(await guest.recv_until("ranking"))["votes"] for _ in range(2)]
        assert seen == published
    finally:
        slow.writable.set()
        await get_fanout().unsubscribe(topic(live_session), slow)
        await listener.unsubscribe(bus.channel_for(topic(live_session)))


async def test_the_console_gets_each_frame_before_the_audience(cast, live_session, connect, settings):
    """With thousands of sockets on a session the fan-out takes a while to
    write an event to all of them: the official's console (a socket of the
    regency's staff) is written first, so its ranking stays current even
    while every audience socket's write lags (here: is held)."""
    settings.QA_RANKING_INTERVAL_MS = 0
    question = await sync_to_async(asked_and_approved)(cast["siti"], live_session, cast["moderator"])
    audience = [SlowSocket() for _ in range(20)]
    for socket in audience:  # joined before the console
        await get_fanout().subscribe(topic(live_session), socket)
    try:
        bupati = await connect(cast["bupati"])
        await snapshot_of(bupati, live_session)
        voter = await connect(await sync_to_async(create_user)("warga-konsol"))
        await snapshot_of(voter, live_session)
        # The official's socket leads; the citizen's does not.
        assert len(get_fanout().leading[topic(live_session)]) == 1
        assert (await act(voter, {"type": "vote", "topic": topic(live_session), "question": question.pk}))["votes"] == 1
        ranked = await bupati.recv_until("ranking")
        assert ranked["votes"] == [[question.pk, 1]]
        # The fan-out got to the audience after the console, and is held at its first socket.
        assert sum(socket.begun for socket in audience) == 1
    finally:
        for socket in audience:
            socket.writable.set()
        for socket in audience:
            await get_fanout().unsubscribe(topic(live_session), socket)


# --- the console over the socket -----------------------------------------------------------
def console_frames(cast, session, question) -> dict[str, dict]:
    base = {"topic": topic(session), "question": question.pk}
    return {
        "answer": {"type": "answer", **base, "text": "Bulan depan."},
        "highlight": {"type": "highlight", **base, "on": True},
        "dismiss": {"type": "dismiss", **base, "reason": "Di luar topik"},
        "hand_over": {"type": "hand_over", **base, "official": cast["wabup"].pk},
        "answer_later": {"type": "answer_later", **base, "agency": cast["dpupr"].pk},
        "extend": {"type": "extend", "topic": topic(session), "minutes": 15},
        "open_early": {"type": "open_early", "topic": topic(session)},
    }


def state_of(session, question) -> tuple:
    question.refresh_from_db()
    session.refresh_from_db()
    return (question.answer, question.answered_at, question.highlighted, question.dismissed_at,
            question.handed_to_official_id, question.handed_to_agency_id, question.aspiration_id,
            session.ends_at, session.status, session.rev)


@pytest.mark.parametrize("outsider", [None, "siti", "kadis", "staf_kadis"])
async def test_every_console_action_is_refused_to_others_over_the_socket(cast, live_session, connect, outsider):
    question = await sync_to_async(asked_and_approved)(cast["siti"], live_session, cast["moderator"])
    before = await sync_to_async(state_of)(live_session, question)
    socket = await connect(cast[outsider] if outsider else None)
    await snapshot_of(socket, live_session)
    for name, frame in console_frames(cast, live_session, question).items():
        refused = await act(socket, frame)
        assert (refused["type"], refused["code"]) == ("error", "forbidden"), name
    assert await sync_to_async(state_of)(live_session, question) == before


async def test_a_delegate_answers_and_everyone_sees_who_wrote_for_whom(cast, live_session, connect):
    question = await sync_to_async(asked_and_approved)(cast["siti"], live_session, cast["moderator"])
    guest = await connect(None)
    await snapshot_of(guest, live_session)
    staf = await connect(cast["staf1"])
    await snapshot_of(staf, live_session)
    done = await act(staf, {"type": "answer", "topic": topic(live_session), "question": question.pk,
                            "text": "Dimulai Senin. Hubungi 081234567890"})
    answer = done["question"]["answer"]
    assert (answer["by"], answer["for"]) == ({"name": "Staf1", "staff": True}, {"name": "Bupati", "title": "Bupati"})
    seen = await guest.recv_until("question")
    assert seen["question"]["state"] == "answered" and seen["question"]["answer"] == answer
    assert "081234567890" not in json.dumps(seen)
    told = await sync_to_async(lambda: list(cast["siti"].notifications.values_list("kind", flat=True)))()
    assert "qa.answered" in told


async def test_two_delegates_answering_at_once_one_wins_the_other_is_told(cast, live_session, connect):
    question = await sync_to_async(asked_and_approved)(cast["siti"], live_session, cast["moderator"])
    first, second = await connect(cast["staf1"]), await connect(cast["staf2"])
    for socket in (first, second):
        await snapshot_of(socket, live_session)
    frame = {"type": "answer", "topic": topic(live_session), "question": question.pk, "text": "Ya."}
    replies = await asyncio.gather(act(first, frame), act(second, frame))
    assert sorted(reply["type"] for reply in replies) == ["done", "error"]
    [refused] = [reply for reply in replies if reply["type"] == "error"]
    assert refused["code"] == "already_answered" and refused["answered_by"] in ("Staf1", "Staf2")
    room = await sync_to_async(lambda: live_session.room)()
    assert await sync_to_async(room.messages.filter(reply_to=question.message).count)() == 1


async def test_console_actions_reach_the_audience(cast, live_session, connect):
    question = await sync_to_async(asked_and_approved)(cast["siti"], live_session, cast["moderator"])
    other = await sync_to_async(asked_and_approved)(cast["budi"], live_session, cast["moderator"], "Pasar?")
    guest = await connect(None)
    await snapshot_of(guest, live_session)
    bupati = await connect(cast["bupati"])
    await snapshot_of(bupati, live_session)
    frames = console_frames(cast, live_session, question)
    await act(bupati, frames["highlight"])
    assert (await guest.recv_until("question"))["question"]["highlighted"] is True
    await act(bupati, frames["hand_over"])
    assert (await guest.recv_until("question"))["question"]["handed_to"] == {"official": "Wabup"}
    later = await act(bupati, frames["answer_later"])
    assert later["question"]["aspiration"]["url"].startswith("/aspirasi/")
    assert (await guest.recv_until("question"))["question"]["aspiration"] == later["question"]["aspiration"]
    await act(bupati, {**frames["dismiss"], "question": other.pk})
    assert (await guest.recv_until("question"))["question"]["state"] == "dismissed"
    extended = await act(bupati, frames["extend"])
    pushed = await guest.recv_until("session")
    assert pushed["session"]["ends_at"] == extended["session"]["ends_at"]
    assert pushed["session"]["audience"] is None
    kinds = await sync_to_async(lambda: sorted(cast["siti"].notifications.values_list("kind", flat=True)))()
    assert {"qa.handed_over", "qa.carried_over"} <= set(kinds)


async def test_a_scheduled_session_opened_early_says_so_to_its_watchers(cast, connect):
    now = timezone.now()
    session = await sync_to_async(services.session_schedule)(
        actor=cast["moderator"], title="Tanya Wakil Bupati", officials=[cast["wabup"]],
        starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
    guest = await connect(None)
    _joined, [snapshot] = await snapshot_of(guest, session)
    assert snapshot["session"]["status"] == "scheduled"
    wabup = await connect(cast["wabup"])
    await snapshot_of(wabup, session)
    done = await act(wabup, {"type": "open_early", "topic": topic(session)})
    assert done["session"]["status"] == "live"
    assert (await guest.recv_until("session"))["session"]["status"] == "live"


# --- ended and cancelled sessions -------------------------------------------------------------
async def test_an_ended_session_is_read_only_and_a_cancelled_one_says_so(cast, live_session, connect):
    question = await sync_to_async(asked_and_approved)(cast["siti"], live_session, cast["moderator"])
    budi = await connect(cast["budi"])
    await snapshot_of(budi, live_session)
    await sync_to_async(services.sessions_tick)(now=live_session.ends_at + timedelta(seconds=1))
    assert (await budi.recv_until("session"))["session"]["status"] == "ended"
    bupati = await connect(cast["bupati"])
    await snapshot_of(bupati, live_session)
    ended = [await act(budi, ask_frame(live_session)),
             await act(budi, {"type": "vote", "topic": topic(live_session), "question": question.pk}),
             await act(bupati, console_frames(cast, live_session, question)["answer"])]
    assert [reply["code"] for reply in ended] == ["closed"] * 3

    now = timezone.now()
    cancelled = await sync_to_async(services.session_schedule)(
        actor=cast["moderator"], title="Tanya Bupati lagi", officials=[cast["bupati"]],
        starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
    await snapshot_of(budi, cancelled)
    await sync_to_async(services.session_cancel)(actor=cast["bupati"], session_id=cancelled.pk,
                                                 reason="Bupati bertugas ke Jakarta")
    pushed = await budi.recv_until("session", topic=topic(cancelled))
    assert (pushed["session"]["status"], pushed["session"]["cancel_reason"]) == (
        "cancelled", "Bupati bertugas ke Jakarta")
    refused = await act(budi, ask_frame(cancelled))
    assert refused["code"] == "closed" and refused["detail"] != ended[0]["detail"]
    assert "batal" in refused["detail"].lower()


# --- anonymity --------------------------------------------------------------------------------
async def test_no_frame_names_an_anonymous_asker_to_the_public_or_the_officials(cast, live_session, connect):
    guest, bupati, staf = await connect(None), await connect(cast["bupati"]), await connect(cast["staf1"])
    for socket in (guest, bupati, staf):
        await snapshot_of(socket, live_session)
    siti = await connect(cast["siti"])
    await snapshot_of(siti, live_session)
    asked = await act(siti, ask_frame(live_session, "Kapan lampu jalan di desa kami dipasang?", anonymous=True))
    question = await sync_to_async(Question.objects.get)(pk=asked["question"]["id"])
    await sync_to_async(approve)(question, cast["moderator"])
    replies = [await act(staf, console_frames(cast, live_session, question)[name]) for name in ("highlight", "answer")]
    seen = {"guest": await guest.ping(ref="end"), "bupati": await bupati.ping(ref="end"), "staf": replies}
    _joined, seen["late"] = await snapshot_of(await connect(cast["wabup"]), live_session)
    for who, frames in seen.items():
        shown = [frame["question"] for frame in frames if frame.get("question")] + [
            q for frame in frames if frame["type"] == "snapshot" for q in frame["questions"]]
        assert shown, f"{who} saw the question"
        assert all(q["author"] == {"name": "Warga (anonim)", "anonymous": True} for q in shown), who
        text = json.dumps(frames).lower()
        assert "siti" not in text and "author_id" not in text, who


# --- chat no longer serves a session's room ------------------------------------------------
async def test_chat_neither_joins_nor_lists_nor_serves_a_session_room(cast, live_session, connect):
    room = await sync_to_async(Room.objects.get)(pk=live_session.room_id)
    socket = await connect(cast["budi"])
    refused = await socket.request({"type": "join", "topic": f"room.{room.slug}", "since": None})
    assert (refused["type"], refused["code"]) == ("error", "not_found")
    client = Client()
    listing = await sync_to_async(client.get)("/ruang/")
    assert listing.status_code == 200 and room.slug not in listing.content.decode()
    page = await sync_to_async(client.get)(f"/ruang/{room.slug}/")
    assert (page.status_code, page["Location"]) == (302, f"/sesi/{live_session.pk}/")


# --- bad input ------------------------------------------------------------------------------
async def test_bad_input_is_refused_with_a_stable_code_and_changes_nothing(cast, live_session, connect):
    public = await sync_to_async(asked_and_approved)(cast["siti"], live_session, cast["moderator"])
    asker = await sync_to_async(create_user)("ani")
    dismissed = await sync_to_async(asked_and_approved)(asker, live_session, cast["moderator"], "Di luar topik?")
    await sync_to_async(services.question_dismiss)(user=cast["bupati"], session_id=live_session.pk,
                                                   question_id=dismissed.pk, reason="Di luar topik")
    now = timezone.now()
    other = await sync_to_async(services.session_schedule)(
        actor=cast["moderator"], title="Sesi lain", officials=[cast["bupati"]],
        starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1))
    await sync_to_async(services.sessions_tick)(now=now)
    elsewhere = await sync_to_async(asked_and_approved)(cast["siti"], other, cast["moderator"], "Di sesi lain")
    pending = await sync_to_async(ask)(cast["budi"], live_session, "Masih menunggu?")
    before = await sync_to_async(lambda: (list(Vote.objects.values_list("pk", flat=True)),
                                          state_of(live_session, public), Session.objects.get(pk=other.pk).rev))()
    citizen = await connect(cast["wabup"])
    staf = await connect(cast["staf1"])
    for socket in (citizen, staf):
        await snapshot_of(socket, live_session)
    vote = {"type": "vote", "topic": topic(live_session)}
    answer = {"type": "answer", "topic": topic(live_session), "text": "Ya."}
    cases = [
        (citizen, {**vote, "question": pending.pk}, "question_not_visible"),
        (citizen, {**vote, "question": dismissed.pk}, "question_not_visible"),
        (citizen, {**vote, "question": elsewhere.pk}, "question_of_another_session"),
        (citizen, {**vote, "question": 999999}, "not_found"),
        (staf, {**answer, "question": elsewhere.pk}, "question_of_another_session"),
        (staf, {**answer, "question": public.pk, "on_behalf_of": cast["wabup"].pk}, "not_in_session"),
        (staf, {"type": "hand_over", "topic": topic(live_session), "question": public.pk,
                "official": cast["kadis"].pk}, "not_in_session"),
        (staf, {"type": "hand_over", "topic": topic(live_session), "question": public.pk}, "invalid"),
        (staf, {"type": "dismiss", "topic": topic(live_session), "question": public.pk, "reason": " "},
         "reason_required"),
        (staf, {"type": "extend", "topic": topic(live_session), "minutes": 500}, "invalid"),
        (citizen, ask_frame(live_session, "x" * 281), "question_too_long"),
        (citizen, ask_frame(live_session, "   "), "invalid"),
    ]
    for socket, frame, code in cases:
        refused = await act(socket, frame, checked=False)
        assert (refused["type"], refused["code"]) == ("error", code), frame
    guest = await connect(None)
    await snapshot_of(guest, live_session)
    for frame in (ask_frame(live_session), {**vote, "question": public.pk}):
        assert (await act(guest, frame))["code"] == "forbidden"  # guests watch; asking and voting need an account
    refused = await guest.request({"type": "join", "topic": "sesi.999999", "since": None})
    assert refused["code"] == "not_found"
    after = await sync_to_async(lambda: (list(Vote.objects.values_list("pk", flat=True)),
                                         state_of(live_session, public), Session.objects.get(pk=other.pk).rev))()
    assert after == before
    assert await sync_to_async(Question.objects.filter(session=live_session).count)() == 3


async def test_presence_keeps_the_peak_audience(cast, live_session, connect):
    for who in (None, cast["siti"], cast["budi"]):
        await snapshot_of(await connect(who), live_session)
    # Recorded while each join was answered.
    assert await sync_to_async(lambda: Session.objects.get(pk=live_session.pk).peak_audience)() == 3
    late = await connect(None)
    _joined, [snapshot] = await snapshot_of(late, live_session)
    assert snapshot["session"]["audience"] == 4


async def test_a_refused_question_tells_its_asker_and_a_hidden_one_leaves_every_screen(cast, live_session, connect):
    public = await sync_to_async(asked_and_approved)(cast["siti"], live_session, cast["moderator"])
    guest, budi = await connect(None), await connect(cast["budi"])
    for socket in (guest, budi):
        await snapshot_of(socket, live_session)
    asked = await act(budi, ask_frame(live_session, "Pertanyaan yang akan ditolak"))
    assert (await guest.recv_until("ranking"))["waiting"] == 1

    def refuse():
        item = QueueItem.objects.get(target_kind="chat.message", status="pending")
        assert item_claim_next(moderator=cast["moderator"], queue="chat").pk == item.pk
        item_decide(moderator=cast["moderator"], item_id=item.pk, action="reject", reason_code="spam")

    await sync_to_async(refuse)()
    # Nobody else sees a refused question: the new count comes in a ranking frame.
    assert (await guest.recv_until("ranking"))["waiting"] == 0
    while (mine := await budi.recv_until("mine"))["question"]["state"] == "pending":
        pass
    assert (mine["question"]["id"], mine["question"]["state"]) == (asked["question"]["id"], "refused")

    message = await sync_to_async(lambda: public.message)()
    await sync_to_async(message_hide)(message=message)
    gone = await guest.recv_until("question")
    assert (gone["question"]["id"], gone["question"]["state"], gone["question"]["html"]) == (public.pk, "hidden", "")


async def test_an_answer_hidden_after_reports_leaves_the_question_on_every_screen_and_returns(cast, live_session,
                                                                                              connect, client):
    """The answer is also a message of the session's room: hidden there
    after reports, its text leaves the question for everyone — live, in a
    new snapshot and on the page — and comes back if a moderator keeps it."""
    question = await sync_to_async(asked_and_approved)(cast["siti"], live_session, cast["moderator"])
    await sync_to_async(services.question_answer)(user=cast["bupati"], session_id=live_session.pk,
                                                  question_id=question.pk, text="Perbaikan dimulai bulan depan.")
    guest = await connect(None)
    _joined, frames = await snapshot_of(guest, live_session)
    answer = next(frame for frame in frames if frame["type"] == "snapshot")["questions"][0]["answer"]
    assert answer["hidden"] is False and "Perbaikan dimulai" in answer["html"]

    reply = await sync_to_async(lambda: Question.objects.select_related("answer_message").get(
        pk=question.pk).answer_message)()
    await sync_to_async(message_hide)(message=reply)
    hidden = (await guest.recv_until("question"))["question"]
    assert (hidden["id"], hidden["state"]) == (question.pk, "answered")
    assert (hidden["answer"]["hidden"], hidden["answer"]["html"]) == (True, "")
    assert hidden["answer"]["for"]["name"]  # who answered is still said, not what
    late = await connect(None)
    _joined, frames = await snapshot_of(late, live_session)
    [shown] = next(frame for frame in frames if frame["type"] == "snapshot")["questions"]
    assert shown["answer"]["hidden"] is True and "Perbaikan" not in json.dumps(shown)
    page = await sync_to_async(client.get)(f"/sesi/{live_session.pk}/")
    assert "Perbaikan dimulai" not in page.content.decode()
    assert "Jawaban ini disembunyikan selama ditinjau moderator." in page.content.decode()

    await sync_to_async(message_restore)(message=reply)
    back = (await guest.recv_until("question"))["question"]
    assert back["answer"]["hidden"] is False and "Perbaikan dimulai" in back["answer"]["html"]


async def test_an_askers_own_frames_reach_every_tab_of_theirs_and_nobody_else(cast, live_session, connect):
    """``mine`` frames are addressed to one user: the hub hands them to that
    user's sockets on the topic (``realtime.fanout``'s index by user), all
    of them, and to no other socket — also after one of the tabs left."""
    tab1, tab2 = await connect(cast["budi"]), await connect(cast["budi"])
    siti, guest = await connect(cast["siti"]), await connect(None)
    for socket in (tab1, tab2, siti, guest):
        await snapshot_of(socket, live_session)
    asked = await act(tab1, ask_frame(live_session, "Dari tab pertama"))
    mine = await tab2.recv_until("mine")
    assert (mine["question"]["id"], mine["question"]["state"]) == (asked["question"]["id"], "pending")
    # The others get the waiting count only (a ranking frame), never the asker's own question.
    for other in (siti, guest):
        assert (await other.recv_until("ranking"))["waiting"] == 1
        await assert_quiet(other, 0.3)

    assert (await act(tab2, {"type": "leave", "topic": topic(live_session)}))["type"] == "left"
    question = await sync_to_async(Question.objects.get)(pk=asked["question"]["id"])
    await sync_to_async(approve)(question, cast["moderator"])
    while (mine := await tab1.recv_until("mine"))["question"]["state"] == "pending":
        pass
    assert mine["question"]["state"] == "public"
    for other in (siti, guest):
        appeared = await other.recv_until("question")
        assert appeared["question"]["id"] == question.pk
        await assert_quiet(other, 0.3, ignoring=("presence", "ranking"))
    await assert_quiet(tab2, 0.3, ignoring=("presence", "notification"))  # its bell still rings: not the session
