"""Resume by id: concurrent senders, a receiver that drops and rejoins with
``since`` sees every id exactly once; long absences page back with history;
gaps on a live socket are filled from the database."""

from __future__ import annotations

import asyncio

from asgiref.sync import sync_to_async

from accounts.choices import Role
from chat.selectors import MAX_REPLAY
from tests.hub import ROOM, assert_quiet, message_ids, seed_messages, wait_until

SENDERS = 3
PER_SENDER = 15


async def test_resume_with_concurrent_senders_has_no_gap_and_no_duplicate(room, make_user, connect):
    total = SENDERS * PER_SENDER
    officials = [await make_user(f"pejabat{n}", role=Role.OFFICIAL) for n in range(SENDERS)]
    senders = [await connect(user) for user in officials]
    for sock in senders:
        await sock.join(ROOM)
    first = await connect(None)
    await first.join(ROOM)
    acked: list[int] = []

    async def send_all(sock, tag):
        for n in range(PER_SENDER):
            ack = await sock.say(ROOM, f"{tag} {n}")
            assert ack["status"] == "published", ack
            acked.append(ack["id"])
            await asyncio.sleep(0)

    async def receive():
        before: list[int] = []
        while len(before) < total // 3:
            before += message_ids([await first.recv()])
        await first.close()  # drops whatever was on its way
        # The senders keep going meanwhile: each gets at least one more
        # message published while nobody is listening.
        away = len(acked)
        await wait_until(lambda: len(acked) >= min(total, away + SENDERS),
                         what="messages published while the receiver is away")
        second = await connect(None)
        joined, replay = await second.join(ROOM, since=before[-1])
        assert joined["has_more"] is False
        after = message_ids(replay)
        while not after or after[-1] < total:
            after += message_ids([await second.recv()])
        return before, after

    results = await asyncio.gather(receive(), *(send_all(s, f"s{i}") for i, s in enumerate(senders)))
    before, after = results[0]
    assert sorted(acked) == list(range(1, total + 1))
    assert before == list(range(1, len(before) + 1))  # in order, no gap, before the drop
    assert after == list(range(before[-1] + 1, total + 1))  # exactly the rest, in order
    assert sorted(before + after) == list(range(1, total + 1))
    assert len(after) > 0 and len(before) < total


async def test_long_absence_replays_newest_page_and_history_pages_back(room, make_user, connect):
    alice = await make_user("alice")
    last = await sync_to_async(seed_messages)(room, alice, MAX_REPLAY + 60)
    assert last == 260
    sock = await connect(None)
    joined, replay = await sock.join(ROOM, since=10)
    assert joined["has_more"] is True and joined["last_id"] == last
    assert message_ids(replay) == list(range(last - MAX_REPLAY + 1, last + 1))  # exactly the newest 200

    oldest = message_ids(replay)[0]
    paged: list[int] = []
    before, has_more = oldest, True
    while has_more:
        page = await sock.request({"type": "history", "topic": ROOM, "before": before, "limit": 20, "ref": "h"})
        ids = [m["id"] for m in page["messages"]]
        assert ids == sorted(ids) and ids and ids[-1] == before - 1
        paged = ids + paged
        before, has_more = ids[0], page["has_more"]
    assert paged == list(range(1, oldest))
    missed = [i for i in paged if i > 10] + message_ids(replay)
    assert missed == list(range(11, last + 1))


async def test_initial_join_without_since_gets_the_latest_page(room, make_user, connect):
    alice = await make_user("alice")
    await sync_to_async(seed_messages)(room, alice, 70)
    sock = await connect(None)
    joined, replay = await sock.join(ROOM)
    assert joined["has_more"] is True and message_ids(replay) == list(range(21, 71))


async def test_a_gap_on_a_live_socket_is_filled_from_the_database(room, speaker_and_listener):
    """Messages whose events never arrived (here: written without any) are
    read back as soon as a later id shows the gap, in order, each once."""
    alice, speaker, listener = speaker_and_listener
    await speaker.say(ROOM, "satu")
    await sync_to_async(seed_messages)(room, alice, 5, prefix="terlewat")  # ids 2..6, no events
    await speaker.say(ROOM, "tujuh")
    frames = await listener.until_message(7)
    assert message_ids(frames) == [1, 2, 3, 4, 5, 6, 7]
    await assert_quiet(listener, 0.3)  # each once


async def test_falling_more_than_a_replay_behind_says_has_more(room, speaker_and_listener):
    alice, speaker, listener = speaker_and_listener
    await sync_to_async(seed_messages)(room, alice, MAX_REPLAY + 30)  # ids 1..230, no events
    ack = await speaker.say(ROOM, "terbaru")
    frames = await listener.until_message(ack["id"])
    resync = [f for f in frames if f["type"] == "joined"]
    assert len(resync) == 1 and resync[0]["has_more"] is True and "ref" not in resync[0]
    assert message_ids(frames) == list(range(ack["id"] - MAX_REPLAY + 1, ack["id"] + 1))
    await assert_quiet(listener, 0.3)  # one resync, each message once
