"""Sanctions: mutes in a room or everywhere for a fixed time, bans; live
sockets learn at once; lifting is logged; only moderators impose them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from moderation.models import AuditEntry, Sanction
from tests.hub import open_socket
from tests.moderation.helpers import ROOM, acall, call, moderator, snapshot, user

SANCTION = "/moderasi/api/sanksi/"
OTHER = "room.tayu"


def _signs_in(username: str, password: str) -> bool:
    """Through the sign-in form (django-axes needs the request)."""
    response = Client().post(reverse("accounts:login"), {"username": username, "password": password})
    return response.status_code == 302


def _lift_path(pk: int) -> str:
    return f"/moderasi/api/sanksi/{pk}/cabut/"


@pytest.fixture
async def muted_setup(make_user, make_room, room, connect):
    """siti on two rooms with one socket; a moderator."""
    await make_room("tayu", "Ruang Tayu")
    siti = await make_user("siti")
    socket = await connect(siti)
    await socket.join(ROOM)
    await socket.join(OTHER)
    return siti, socket, await make_user("mod", role=Role.MODERATOR)


async def test_a_mute_in_one_room_reaches_the_socket_at_once_and_blocks_only_that_room(muted_setup):
    siti, socket, mod = muted_setup
    status, body = await acall(mod, "POST", SANCTION, {"user": siti.pk, "kind": "mute", "duration": "10m",
                                                       "scope": "room.bupati", "reason": "kata kasar"})
    assert status == 201
    frame = await socket.recv_until("sanction")
    until = datetime.fromisoformat(frame["until"])
    assert (frame["kind"], frame["room"], frame["lifted"]) == ("mute", "bupati", False)
    assert timedelta(minutes=9) < until - timezone.now() <= timedelta(minutes=10)

    refused = await socket.say(ROOM, "halo?")
    assert refused["type"] == "error" and refused["code"] == "muted" and refused["until"] == frame["until"]
    assert (await socket.say(OTHER, "halo Tayu"))["status"] == "published", "other rooms are open to her"

    status, body = await acall(mod, "POST", _lift_path(body["sanction"]))
    assert (status, body) == (200, {"lifted": True})
    lifted = await socket.recv_until("sanction")
    assert lifted["lifted"] is True and lifted["room"] == "bupati"
    assert (await socket.say(ROOM, "terima kasih"))["status"] == "published"
    actions = await sync_to_async(list)(AuditEntry.objects.order_by("pk").values_list("action", "actor__username"))
    assert actions == [("sanction:mute", "mod"), ("lift:mute", "mod")]


async def test_a_mute_everywhere_blocks_every_room_until_it_ends(muted_setup):
    siti, socket, mod = muted_setup
    status, body = await acall(mod, "POST", SANCTION, {"user": siti.pk, "kind": "mute", "duration": "1h"})
    assert status == 201
    frame = await socket.recv_until("sanction")
    assert frame["room"] is None
    for topic in (ROOM, OTHER):
        refused = await socket.say(topic, "halo")
        assert refused["code"] == "muted" and refused["until"] == frame["until"]
    # Once the time is up she may post again.
    await sync_to_async(Sanction.objects.update)(ends_at=timezone.now() - timedelta(seconds=1))
    assert (await socket.say(ROOM, "halo lagi"))["status"] == "published"


async def test_a_ban_closes_the_sockets_and_the_account_cannot_sign_in(make_user, room, connect):
    siti = await make_user("siti")
    mod = await make_user("mod", role=Role.MODERATOR)
    browser = Client()
    await sync_to_async(browser.force_login)(siti)
    tabs = [await connect(siti, client=browser), await connect(siti, client=browser)]
    await tabs[0].join(ROOM)
    status, body = await acall(mod, "POST", SANCTION, {"user": siti.pk, "kind": "ban", "reason": "spam berulang"})
    assert status == 201
    for tab in tabs:
        assert await tab.wait_closed() == 4001

    again = await open_socket(client=browser)
    try:
        await again.join(ROOM)
        refused = await again.say(ROOM, "saya kembali")
        assert refused["type"] == "error" and refused["code"] == "forbidden"
    finally:
        await again.close()
    assert not await sync_to_async(_signs_in)("siti", "pw-siti")

    status, body = await acall(mod, "POST", _lift_path(body["sanction"]))
    assert status == 200
    assert await sync_to_async(_signs_in)("siti", "pw-siti")
    assert await sync_to_async(AuditEntry.objects.filter(action="lift:ban").count)() == 1


def test_only_moderators_impose_and_lift_sanctions():
    siti, budi, mod = user("siti"), user("budi"), moderator("mod")
    existing = Sanction.objects.create(user=siti, kind="mute", ends_at=timezone.now() + timedelta(hours=1),
                                       created_by=mod)
    before = snapshot()
    for payload in ({"user": siti.pk, "kind": "mute", "duration": "10m"}, {"user": siti.pk, "kind": "ban"},
                    {"user": 99999, "kind": "ban"}, {}):
        for who in (budi, None):
            status, body = call(who, "POST", SANCTION, payload)
            assert (status, body["code"]) == (403, "forbidden"), (who, payload)
    for pk in (existing.pk, 99999):
        status, body = call(budi, "POST", _lift_path(pk))
        assert (status, body["code"]) == (403, "forbidden")
    assert snapshot() == before


def test_a_moderator_cannot_sanction_another_moderator_but_an_admin_can():
    ani, budi, boss = moderator("ani"), moderator("budi"), user("boss", role=Role.ADMIN)
    status, body = call(ani, "POST", SANCTION, {"user": budi.pk, "kind": "mute", "duration": "10m"})
    assert (status, body["code"]) == (403, "forbidden")
    assert not Sanction.objects.exists()
    assert call(boss, "POST", SANCTION, {"user": budi.pk, "kind": "mute", "duration": "10m"})[0] == 201


@pytest.mark.parametrize(("payload", "status", "code"), [
    ({"kind": "kick"}, 400, "invalid"),
    ({"kind": "mute"}, 400, "invalid"),
    ({"kind": "mute", "duration": "5m"}, 400, "invalid"),
    ({"kind": "mute", "duration": 10}, 400, "invalid"),
    ({"kind": "mute", "duration": ["10m"]}, 400, "invalid"),
    ({"kind": "mute", "duration": {"10m": 1}}, 400, "invalid"),
    ({"kind": "ban", "duration": 10}, 400, "invalid"),
    ({"kind": "ban", "duration": ["24h"]}, 400, "invalid"),
    ({"kind": "mute", "duration": "10m", "user": "siti"}, 400, "invalid"),
    ({"kind": "mute", "duration": "10m", "user": None}, 400, "invalid"),
    ({"kind": "mute", "duration": "10m", "user": 99999}, 404, "not_found"),
])
def test_a_bad_sanction_is_refused_and_changes_nothing(payload, status, code):
    siti, mod = user("siti"), moderator("mod")
    before = snapshot()
    got_status, body = call(mod, "POST", SANCTION, {"user": siti.pk, **payload})
    assert (got_status, body["code"]) == (status, code)
    assert snapshot() == before
    siti.refresh_from_db()
    assert siti.is_active


def test_lifting_twice_or_an_unknown_sanction_is_refused():
    siti, mod = user("siti"), moderator("mod")
    status, body = call(mod, "POST", SANCTION, {"user": siti.pk, "kind": "mute", "duration": "24h"})
    pk = body["sanction"]
    assert call(mod, "POST", _lift_path(pk))[0] == 200
    before = snapshot()
    status, body = call(mod, "POST", _lift_path(pk))
    assert (status, body["code"]) == (409, "already_decided")
    status, body = call(mod, "POST", _lift_path(99999))
    assert (status, body["code"]) == (404, "not_found")
    assert snapshot() == before


