"""Moderators' tools outside the queue: the room page's config marks
moderators (remove any message, mute or ban its author; frontend/views.py),
the console offers the same for a claimed item's author with the author's
sanctions in force (moderation/selectors.py:active_sanctions, item_context)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from chat.models import Message, MessageStatus
from chat.services import room_upsert
from moderation import selectors
from moderation.models import Sanction
from moderation.services import item_enqueue, sanction_impose, sanction_lift
from tests.frontend.helpers import json_script

pytestmark = pytest.mark.django_db


def make(username: str, role: str = Role.CITIZEN) -> User:
    return User.objects.create_user(username=username, password="pw", display_name=username.title(), role=role)


@pytest.fixture
def room():
    return room_upsert(slug="bupati", title="Ruang Bupati")[0]


def room_config(client) -> dict:
    response = client.get(reverse("chat:room", args=["bupati"]), HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    return json_script(response, "room-config")


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN])
def test_the_room_page_marks_moderators_and_administrators(client, room, role):
    client.force_login(make("penjaga", role))
    config = room_config(client)
    assert config["is_moderator"] is True
    assert config["can_sanction_staff"] is (role == Role.ADMIN)
    assert config["sanction_url"] == reverse("moderation:sanction")
    strings = config["moderator_strings"]
    assert strings["remove"] == "Hapus" and strings["mute"] == "Bisukan…" and strings["ban"] == "Blokir"
    assert [code for code, _label in strings["durations"]] == ["10m", "1h", "24h"]
    assert [label for _code, label in strings["durations"]] == ["10 menit", "1 jam", "24 jam"]
    assert set(strings["errors"]) >= {"forbidden", "invalid", "not_found"}
    assert all(sentence.endswith(".") for sentence in strings["errors"].values())


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.OFFICIAL])
def test_citizens_and_officials_get_no_moderator_tools(client, room, role):
    client.force_login(make("warga", role))
    config = room_config(client)
    assert config["is_moderator"] is False and config["can_sanction_staff"] is False
    assert config["sanction_url"] is None and config["moderator_strings"] == {}


def test_guests_get_no_moderator_tools(client, room):
    config = room_config(client)
    assert config["is_moderator"] is False and config["sanction_url"] is None
    assert config["moderator_strings"] == {}


def test_active_sanctions_are_those_in_force(room):
    moderator, siti = make("moderator", Role.MODERATOR), make("siti")
    here = sanction_impose(moderator=moderator, user=siti, kind="mute", duration="10m", scope="room.bupati")
    everywhere = sanction_impose(moderator=moderator, user=siti, kind="mute", duration="1h")
    lifted = sanction_impose(moderator=moderator, user=siti, kind="mute", duration="24h")
    sanction_lift(moderator=moderator, sanction=lifted)
    ended = sanction_impose(moderator=moderator, user=siti, kind="mute", duration="10m")
    Sanction.objects.filter(pk=ended.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    sanction_impose(moderator=moderator, user=make("budi"), kind="mute", duration="10m")

    active = selectors.active_sanctions(siti.pk)
    assert [s["id"] for s in active] == [everywhere.pk, here.pk]
    assert active[1] == {"id": here.pk, "kind": "mute", "scope": "room.bupati", "until": here.ends_at.isoformat()}
    assert active[0]["scope"] is None

    ban = sanction_impose(moderator=moderator, user=siti, kind="ban")
    assert selectors.active_sanctions(siti.pk)[0] == {"id": ban.pk, "kind": "ban", "scope": None, "until": None}


def test_the_item_context_carries_the_authors_active_sanctions(room):
    moderator, siti = make("moderator", Role.MODERATOR), make("siti")
    held = Message.objects.create(room=room, author=siti, body="Mohon dicek.", html="Mohon dicek.",
                                  status=MessageStatus.HELD)
    item = item_enqueue(queue="chat", target_kind="chat.message", target_id=held.pk, author_id=siti.pk,
                        reasons=["premoderated"])
    assert selectors.item_context(item=item)["author_active_sanctions"] == []
    mute = sanction_impose(moderator=moderator, user=siti, kind="mute", duration="1h", scope="room.bupati")
    context = selectors.item_context(item=item)
    assert context["author_active_sanctions"] == [{"id": mute.pk, "kind": "mute", "scope": "room.bupati",
                                                   "until": mute.ends_at.isoformat()}]
    assert context["author"]["id"] == siti.pk and context["scope"] == "room.bupati"


def test_the_console_offers_the_sanction_tools(client):
    client.force_login(make("moderator", Role.MODERATOR))
    response = client.get(reverse("moderation:console"), HTTP_ACCEPT_LANGUAGE="id")
    html = response.content.decode()
    assert 'id="sanction-form"' in html and 'id="sanction-ban"' in html
    config = json_script(response, "console-config")
    assert config["urls"]["sanction"] == reverse("moderation:sanction")
    assert config["urls"]["sanction_lift"] == reverse("moderation:sanction_lift", args=[7]).replace("/7/", "/{id}/")
    assert config["urls"]["item"] == reverse("moderation:item", args=[7]).replace("/7/", "/{id}/")
    assert config["can_sanction_staff"] is False
    assert config["strings"]["sanctions"]["lift"] == "Cabut"
