"""Signing in and out, and resetting a forgotten password by e-mail."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")
HOME = reverse("frontend:home")


@pytest.fixture
def dewi():
    return User.objects.create_user(username="dewi", password="old-password-1x", display_name="Dewi Lestari",
                                    email="dewi@example.org")


def test_sign_in_with_the_right_password(client, dewi):
    response = client.post(LOGIN, {"username": "dewi", "password": "old-password-1x"})
    assert response.status_code == 302
    assert response["Location"] == HOME
    home = client.get(HOME)
    assert home.context["user"] == dewi
    assert "Dewi Lestari" in home.content.decode()
    assert f'action="{LOGOUT}"' in home.content.decode()


def test_sign_in_with_a_wrong_password_shows_an_error(client, dewi):
    response = client.post(LOGIN, {"username": "dewi", "password": "wrong"})
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    assert 'role="alert"' in response.content.decode()
    assert not client.get(HOME).context["user"].is_authenticated


def test_sign_in_follows_next(client, dewi):
    response = client.post(f"{LOGIN}?next=/akun/profil/",
                           {"username": "dewi", "password": "old-password-1x", "next": "/akun/profil/"})
    assert response["Location"] == "/akun/profil/"


def test_sign_out(client, dewi):
    client.force_login(dewi)
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert response["Location"] == HOME
    home = client.get(HOME)
    assert not home.context["user"].is_authenticated
    assert f'href="{LOGIN}"' in home.content.decode()


def test_profile_needs_sign_in(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def _reset_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/akun/sandi/atur/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_mail_link_sets_a_new_password(client, dewi):
    response = client.post(reverse("accounts:password_reset"), {"email": "DEWI@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dewi@example.org"]
    assert "Dewi Lestari" in message.body
    assert "Balai Warga" in message.subject

    # The link redirects to a URL without the token, which shows the form.
    response = client.get(_reset_link(message), follow=True)
    assert response.status_code == 200
    assert response.context["validlink"] is True
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "baru-sekali-2026", "new_password2": "baru-sekali-2026"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")

    client.logout()
    assert client.post(LOGIN, {"username": "dewi", "password": "baru-sekali-2026"})["Location"] == HOME
    assert not User.objects.get(pk=dewi.pk).check_password("old-password-1x")


def test_password_reset_link_works_only_once(client, dewi):
    client.post(reverse("accounts:password_reset"), {"email": "dewi@example.org"})
    link = _reset_link(mail.outbox[0])
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "baru-sekali-2026", "new_password2": "baru-sekali-2026"})

    response = client.get(link, follow=True)
    assert response.context["validlink"] is False


def test_password_reset_for_an_unknown_address_sends_nothing_but_looks_the_same(client, dewi):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []
