"""Bidirectional controls (right-to-left override and its kin) are refused in
chat text with ``invalid``: they make a message read differently from what
was moderated and masked (issue 14 A9)."""

from __future__ import annotations

import pytest

from accounts.choices import Role
from chat.models import Message
from tests.hub import ROOM

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("control", BIDI, ids=[f"U+{ord(c):04X}" for c in BIDI])
async def test_bidi_controls_are_refused_in_sends_and_edits(room, make_user, connect, control):
    author = await connect(await make_user("alice", role=Role.OFFICIAL))
    await author.join(ROOM)
    reply = await author.say(ROOM, f"bayar ke rekening {control}1234 5678{control}")
    assert reply["type"] == "error" and reply["code"] == "invalid", reply
    assert "arah teks" in reply["detail"]
    ack = await author.say(ROOM, "teks biasa")
    assert ack["status"] == "published"
    reply = await author.recv_ack({"type": "edit", "topic": ROOM, "id": ack["id"], "body": f"a{control}b"})
    assert reply["type"] == "error" and reply["code"] == "invalid", reply
    assert not await Message.objects.filter(body__contains=control).aexists()


async def test_marks_and_arabic_text_still_pass(room, make_user, connect):
    """Left-to-right/right-to-left *marks* (U+200E, U+200F) are not overrides."""
    author = await connect(await make_user("alice", role=Role.OFFICIAL))
    await author.join(ROOM)
    ack = await author.say(ROOM, "Salam \u200fالسلام عليكم\u200e ya")
    assert ack["status"] == "published", ack
