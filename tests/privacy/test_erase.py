"""Erasing an account: the public record keeps the texts, attributed to
"Warga (akun dihapus)" with personal data masked; the personal fields are
empty; the user's sessions and open sockets end at once."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from chat.models import Message
from chat.serializers import message_to_wire
from common.errors import AppError
from forum.models import Aspiration, Follow, Reply
from notify.models import Notification
from privacy.services import ERASED_NAME, account_erase
from qa.models import Follow as SessionFollow
from qa.services import session_follow
from realtime.consumer import CLOSE_AUTH_LOST
from tests.hub import ROOM, create_user
from tests.privacy.helpers import NIK, PHONE, chat_message, footprint, interact

ERASE = reverse("privacy:erase")


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _signs_in(username: str, password: str) -> bool:
    """Through the sign-in form (django-axes needs the request)."""
    return Client().post(reverse("accounts:login"), {"username": username, "password": password}).status_code == 302


def test_erasing_keeps_the_texts_under_the_erased_name_and_empties_the_personal_fields(cast, live_session):
    siti, budi = cast["siti"], cast["budi"]
    siti.email, siti.phone, siti.title = "siti@example.org", "+6281234500011", ""
    siti.save()
    mine = footprint(siti, cast, live_session, tag="siti")
    theirs = footprint(budi, cast, live_session, tag="budi")
    interact(siti, theirs, cast["moderator"])
    session_follow(user=siti, session_id=live_session.pk)
    client = _signed_in(siti)

    response = client.post(ERASE, {"password": "pw-siti", "confirm": "on"})
    assert response.status_code == 302

    siti.refresh_from_db()
    assert siti.display_name == ERASED_NAME == "Warga (akun dihapus)"
    assert (siti.email, siti.phone, siti.kecamatan, siti.title) == ("", "", "", "")
    assert siti.username != "siti" and not siti.is_active and not siti.has_usable_password()
    assert not User.objects.filter(username="siti").exists()
    # The public record stays, under the erased name, with personal data masked for good.
    message = Message.objects.get(pk=mine["message"].pk)
    assert message_to_wire(message)["author"]["name"] == ERASED_NAME
    assert PHONE not in message.body and message.body.startswith("pesan siti hubungi 0812")
    aspiration = Aspiration.objects.get(pk=mine["aspiration"].pk)
    assert NIK not in aspiration.body and "jalan rusak (siti)" in aspiration.body
    assert Reply.objects.filter(pk=mine["reply"].pk, body="balasan siti").exists()
    public = Client().get(reverse("forum:detail", args=[aspiration.pk])).content.decode()
    assert ERASED_NAME in public and "Siti" not in public
    # What concerned only her is gone; others' data is untouched.
    assert not Notification.objects.filter(recipient=siti).exists()
    assert not Follow.objects.filter(user=siti).exists()
    assert not SessionFollow.objects.filter(user=siti).exists()
    assert Notification.objects.filter(recipient=budi).exists()
    assert Aspiration.objects.get(pk=theirs["aspiration"].pk).body.endswith("(budi)")
    assert NIK in Aspiration.objects.get(pk=theirs["aspiration"].pk).body
    # Signed out here, and the old password opens nothing.
    assert client.get(reverse("accounts:profile")).status_code == 302
    assert not _signs_in("siti", "pw-siti")


def test_a_wrong_password_erases_nothing(cast):
    client = _signed_in(cast["siti"])
    response = client.post(ERASE, {"password": "salah", "confirm": "on"})
    assert response.status_code == 200
    assert "That is not your password." in response.content.decode() or "Itu bukan" in response.content.decode()
    cast["siti"].refresh_from_db()
    assert cast["siti"].is_active and cast["siti"].display_name == "Siti"


def test_staff_accounts_are_not_erased_by_themselves(cast):
    with pytest.raises(AppError) as refused:
        account_erase(user=cast["bupati"])
    assert refused.value.code == "forbidden"
    client = _signed_in(cast["moderator"])
    client.post(ERASE, {"password": "pw-mod", "confirm": "on"})
    assert User.objects.get(pk=cast["moderator"].pk).is_active


async def test_erasing_closes_the_users_open_socket_at_once(room, make_user, connect):
    siti = await make_user("siti", role=Role.CITIZEN, established=True)
    socket = await connect(siti)
    await socket.join(ROOM)
    assert (await socket.say(ROOM, "salam dari Tayu"))["status"] == "published"

    await sync_to_async(account_erase)(user=siti)

    assert await socket.wait_closed() == CLOSE_AUTH_LOST
    # A reader joining now sees the message under the erased name.
    _joined, frames = await (await connect(None)).join(ROOM)
    shown = [f["message"] for f in frames if f["type"] == "message"][-1]
    assert (shown["author"]["name"], shown["body"]) == (ERASED_NAME, "salam dari Tayu")


def test_an_erased_accounts_username_is_free_again(cast):
    siti = cast["siti"]
    chat_message(siti, "halo")
    account_erase(user=siti)
    again = create_user("siti")
    assert again.pk != siti.pk and again.is_active
