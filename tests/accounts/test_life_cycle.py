"""The account's life cycle (issue 13 item 3): password change, a sign-up
that chooses no kecamatan for the citizen and says what is stored, and a
banned user told why at sign-in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from moderation.services import sanction_impose
from tests.hub import create_user

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")
LOGIN = reverse("accounts:login")
CHANGE = reverse("accounts:password_change")


def _signs_in(username: str, password: str) -> bool:
    """Through the sign-in form (django-axes needs the request)."""
    return Client().post(LOGIN, {"username": username, "password": password}).status_code == 302


def test_a_user_changes_their_password_and_the_old_one_stops_working():
    siti = create_user("siti")
    client = Client()
    client.force_login(siti)
    page = client.get(CHANGE)
    assert page.status_code == 200 and "Ganti sandi saya" in page.content.decode()

    wrong = client.post(CHANGE, {"old_password": "salah", "new_password1": "kopi-tubruk-77-juwana",
                                 "new_password2": "kopi-tubruk-77-juwana"})
    assert wrong.status_code == 200
    response = client.post(CHANGE, {"old_password": "pw-siti", "new_password1": "kopi-tubruk-77-juwana",
                                    "new_password2": "kopi-tubruk-77-juwana"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change_done")
    assert client.get(reverse("accounts:profile")).status_code == 200, "this browser stays signed in"
    assert not _signs_in("siti", "pw-siti")
    assert _signs_in("siti", "kopi-tubruk-77-juwana")


def test_password_change_needs_a_signed_in_user():
    assert Client().get(CHANGE).status_code == 302


def test_sign_up_offers_no_kecamatan_and_refuses_one_not_chosen(client, signup_data):
    html = client.get(SIGNUP).content.decode()
    start = html.rindex("<select", 0, html.index('name="kecamatan"'))
    select = html[start:html.index("</select>", start)]
    assert "required" in select[:select.index(">")]
    first = select[select.index("<option"):]
    assert first.startswith('<option value="" selected>'), "the first option chooses nothing"

    response = client.post(SIGNUP, {**signup_data, "kecamatan": ""})
    assert response.status_code == 200
    assert "Pilih kecamatan Anda." in response.content.decode()
    assert not User.objects.filter(username=signup_data["username"]).exists()


def test_sign_up_shows_a_privacy_notice_and_the_word_on_e_mail(client):
    html = client.get(SIGNUP).content.decode()
    assert 'id="signup-privacy"' in html and "UU PDP" in html
    assert f'href="{reverse("privacy:notice")}"' in html
    assert "sandi yang terlupa tidak dapat diatur ulang" in html


def test_the_privacy_page_says_what_is_stored_in_indonesian(client):
    html = client.get(reverse("privacy:notice")).content.decode()
    assert "Privasi" in html and "UU PDP" in html and "180 hari" in html


def test_a_wrong_password_names_the_username_once():
    create_user("siti")
    html = Client().post(LOGIN, {"username": "siti", "password": "salah"}).content.decode()
    assert "Nama pengguna atau sandi salah." in html
    assert "nama pengguna nama pengguna" not in html.lower()


def test_a_banned_user_is_told_of_the_ban_and_how_to_appeal_only_with_the_right_password(settings):
    settings.CONTACT_EMAIL = "banding@patikab.go.id"
    siti = create_user("siti")
    with translation.override("id"):
        sanction_impose(moderator=create_user("mod", role="moderator"), user=siti, kind="ban", reason="spam berulang")

    right = Client().post(LOGIN, {"username": "siti", "password": "pw-siti"})
    html = right.content.decode()
    assert right.status_code == 200
    assert "diblokir" in html and "spam berulang" in html and "banding@patikab.go.id" in html
    assert "Nama pengguna atau sandi salah." not in html

    wrong = Client().post(LOGIN, {"username": "siti", "password": "tebakan"}).content.decode()
    assert "diblokir" not in wrong and "Nama pengguna atau sandi salah." in wrong


def test_a_muted_user_is_told_until_when_and_how_to_appeal_on_signing_in():
    siti = create_user("siti")
    sanction_impose(moderator=create_user("mod", role="moderator"), user=siti, kind="mute", duration="24h",
                    scope="room.bupati", reason="kata kasar")
    client = Client()
    response = client.post(LOGIN, {"username": "siti", "password": "pw-siti"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and response.context["user"] == siti
    assert "membisukan Anda di ruang “bupati” hingga" in html and "WIB" in html
    assert "Alasan: kata kasar." in html and "mengajukan banding" in html
    assert "membisukan" not in client.get("/").content.decode(), "said once"
