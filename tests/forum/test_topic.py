"""The live thread (topic kind ``aspirasi.<id>``): authorized exactly like
the page, and a tab that was away reads back what it missed by id."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from accounts.choices import Role
from forum import services
from forum.models import Privacy, Status
from tests.forum import factories
from tests.hub import create_user


@pytest.fixture
def cast():
    dpupr = factories.agency()
    return {"author": create_user("siti"), "other": create_user("budi"),
            "moderator": create_user("mod", role=Role.MODERATOR),
            "kadpupr": factories.official("kadpupr", dpupr), "dpupr": dpupr}


async def test_a_reader_sees_replies_and_status_steps_live(cast, connect):
    aspiration = await sync_to_async(factories.forwarded)(cast["author"], cast["moderator"], cast["dpupr"])
    guest = await connect(None)
    joined, replayed = await guest.join(aspiration.topic)
    assert (joined["last_id"], replayed) == (aspiration.last_seq, [])
    await sync_to_async(services.reply_post)(user=cast["kadpupr"], aspiration_id=aspiration.pk,
                                             body="Perbaikan dijadwalkan Senin. NIK 3318011234567890", as_answer=True)
    reply = await guest.recv_until("reply")
    assert reply["id"] == aspiration.last_seq + 1
    assert reply["reply"]["official"] == {"title": "Kepala Dinas", "agency": cast["dpupr"].name}
    assert "3318011234567890" not in reply["reply"]["html"]
    step = await guest.recv_until("timeline")
    assert (step["id"], step["status"], step["entry"]["to"]) == (aspiration.last_seq + 2, "answered", "answered")


async def test_a_tab_that_was_away_reads_back_what_it_missed(cast, connect):
    aspiration = await sync_to_async(factories.forwarded)(cast["author"], cast["moderator"], cast["dpupr"])
    seen = aspiration.last_seq
    await sync_to_async(services.reply_post)(user=cast["other"], aspiration_id=aspiration.pk, body="Saya juga")
    await sync_to_async(services.reply_post)(user=cast["kadpupr"], aspiration_id=aspiration.pk, body="Siap",
                                             as_answer=True)
    tab = await connect(cast["other"])
    joined, replayed = await tab.join(aspiration.topic, since=seen)
    assert [frame["type"] for frame in replayed] == ["reply", "reply", "timeline"]
    assert [frame["id"] for frame in replayed] == [seen + 1, seen + 2, seen + 3] and joined["last_id"] == seen + 3


async def test_an_anonymous_authors_reply_is_anonymous_on_the_wire(cast, connect):
    aspiration = await sync_to_async(factories.forwarded)(cast["author"], cast["moderator"], cast["dpupr"],
                                                          privacy=Privacy.ANONYMOUS)
    guest = await connect(None)
    await guest.join(aspiration.topic)
    await sync_to_async(services.reply_post)(user=cast["author"], aspiration_id=aspiration.pk, body="Terima kasih")
    reply = await guest.recv_until("reply")
    assert reply["reply"]["author"]["id"] is None and "siti" not in str(reply).lower()


@pytest.mark.parametrize("who", [None, "other"])
async def test_a_confidential_or_waiting_thread_is_not_found_to_others(cast, connect, who):
    confidential = await sync_to_async(factories.forwarded)(cast["author"], cast["moderator"], cast["dpupr"],
                                                            privacy=Privacy.CONFIDENTIAL)
    waiting = await sync_to_async(factories.submit)(cast["author"], title="Belum ditinjau")
    socket = await connect(cast[who] if who else None)
    for topic in (confidential.topic, waiting.topic, "aspirasi.999999", "aspirasi.abc"):
        refused = await socket.request({"type": "join", "topic": topic, "ref": "j"})
        assert (refused["type"], refused["code"]) == ("error", "not_found"), topic


@pytest.mark.parametrize("who", ["author", "moderator", "kadpupr"])
async def test_insiders_follow_a_confidential_thread(cast, connect, who):
    confidential = await sync_to_async(factories.forwarded)(cast["author"], cast["moderator"], cast["dpupr"],
                                                            privacy=Privacy.CONFIDENTIAL)
    socket = await connect(cast[who])
    joined, _replayed = await socket.join(confidential.topic)
    assert joined["type"] == "joined"
    assert confidential.status == Status.FORWARDED
