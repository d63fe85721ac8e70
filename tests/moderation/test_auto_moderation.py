"""Auto-moderation on the wire: a message a rule catches is held (only its
author sees it), personal data never reaches the public, and the rules that
need history (repeats, new accounts) count what they should."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from chat.models import Message
from tests.hub import assert_quiet
from tests.moderation.helpers import ROOM, aclaim, adecide

PHONE = "0812-3456-7890"


@pytest.fixture
async def people(make_user, room, connect):
    """An author, a reader (a guest) and a moderator, the two sockets on the room."""
    siti = await make_user("siti")
    mod = await make_user("mod", role=Role.MODERATOR)
    author, reader = await connect(siti), await connect(None)
    await author.join(ROOM)
    await reader.join(ROOM)
    return siti, mod, author, reader


async def _approve(mod, action: str = "approve") -> None:
    status, body = await aclaim(mod)
    assert status == 200 and body["item"] is not None
    status, body = await adecide(mod, body["item"]["id"], action)
    assert status == 200, body


@pytest.mark.parametrize(("text", "reason"), [
    ("dasar 4nj1ng kau", "blocked_word:anjing"),
    ("NIK saya 3318 0101 0190 0001", "personal_data:nik"),
    (f"hubungi saya di {PHONE}", "personal_data:phone"),
    ("kirim ke siti@example.com", "personal_data:email"),
    ("lihat https://patikab.go.id/a https://jateng.go.id www.example.com/c", "too_many_links"),
])
async def test_a_caught_message_is_held_and_only_its_author_sees_it(people, text, reason):
    _siti, _mod, author, reader = people
    ack = await author.say(ROOM, text)
    assert ack["status"] == "held" and ack["id"] is None and reason in ack["reason"]
    held = await author.recv_until("message.held")
    assert held["client_id"] == ack["client_id"]
    await assert_quiet(reader, 0.4)


async def test_two_links_are_fine(people):
    _siti, _mod, author, reader = people
    ack = await author.say(ROOM, "lihat https://patikab.go.id/a dan https://jateng.go.id")
    assert ack["status"] == "published"
    assert (await reader.recv_until("message"))["message"]["id"] == ack["id"]


async def test_approved_personal_data_stays_masked_in_public(people, connect):
    siti, mod, author, reader = people
    ack = await author.say(ROOM, f"hubungi saya di {PHONE} atau siti@example.com")
    assert ack["status"] == "held"
    await _approve(mod)
    shown = (await reader.recv_until("message"))["message"]
    assert PHONE not in shown["body"] and "3456" not in shown["body"] and "siti@" not in shown["body"]
    assert "3456" not in shown["html"] and "siti@" not in shown["html"]
    assert shown["body"].endswith("s•••@example.com")
    stored = await sync_to_async(Message.objects.get)(author=siti)
    assert PHONE in stored.body, "plain approval keeps the author's own text"

    late = await (await connect(None)).join(ROOM, since=0)
    replayed = [f["message"] for f in late[1] if f["type"] == "message"]
    assert replayed and "3456" not in replayed[0]["body"] and "3456" not in replayed[0]["html"]


async def test_approved_with_redaction_stores_the_masked_text(people):
    siti, mod, author, reader = people
    await author.say(ROOM, f"NIK 3318010101900001 hp {PHONE}")
    await _approve(mod, "approve_redacted")
    shown = (await reader.recv_until("message"))["message"]
    stored = await sync_to_async(Message.objects.get)(author=siti)
    assert "3318010101900001" not in stored.body and "3456" not in stored.body
    assert stored.body == shown["body"] and "7890" not in stored.html
    outcome = await author.recv_until("ack")
    assert outcome["status"] == "published" and outcome["id"] == shown["id"]


async def test_the_same_text_again_is_held(people, settings):
    settings.MODERATION_REPEAT_MINUTES = 10
    _siti, _mod, author, _reader = people
    assert (await author.say(ROOM, "Kapan jalan diperbaiki?"))["status"] == "published"
    again = await author.say(ROOM, "kapan jalan diperbaiki?")
    assert again["status"] == "held" and "repeated_text" in again["reason"]
    assert (await author.say(ROOM, "Terima kasih"))["status"] == "published"


async def test_the_same_text_after_the_window_is_not_held(people, settings):
    settings.MODERATION_REPEAT_MINUTES = 10
    siti, _mod, author, _reader = people
    assert (await author.say(ROOM, "Kapan jalan diperbaiki?"))["status"] == "published"
    await sync_to_async(Message.objects.filter(author=siti).update)(created_at=timezone.now() - timedelta(minutes=11))
    assert (await author.say(ROOM, "Kapan jalan diperbaiki?"))["status"] == "published"


async def test_a_new_account_is_held_for_its_first_three_messages(people, settings, make_user, connect):
    settings.MODERATION_NEW_ACCOUNT_HOLD = 3
    siti, mod, author, reader = people
    for n in range(3):
        ack = await author.say(ROOM, f"pesan ke-{n + 1}")
        assert ack["status"] == "held" and "new_account" in ack["reason"], n
        await assert_quiet(reader, 0.4)
        await _approve(mod)
        assert (await reader.recv_until("message"))["message"]["body"] == f"pesan ke-{n + 1}"
        late = await author.recv_until("ack", client_id=ack["client_id"])
        assert (late["status"], late["id"]) == ("published", n + 1)
    fourth = await author.say(ROOM, "pesan ke-4")
    assert fourth["status"] == "published" and fourth["id"] == 4
    # From then on the account counts as established: no more counting.
    assert (await sync_to_async(User.objects.get)(pk=siti.pk)).established

    old_hand = await make_user("lama", established=True)
    socket = await connect(old_hand)
    await socket.join(ROOM)
    assert (await socket.say(ROOM, "halo"))["status"] == "published"
