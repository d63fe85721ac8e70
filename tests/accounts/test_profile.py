"""Editing one's own profile at /akun/profil/."""

import re

import pytest
from django.urls import reverse

from accounts.choices import CitizenCategory, Kecamatan, Role
from accounts.models import User

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")


@pytest.fixture
def joko(client):
    user = User.objects.create_user(username="joko", password="pw-joko-123", display_name="Joko",
                                    category=CitizenCategory.UMUM, kecamatan=Kecamatan.PATI,
                                    phone="+6281234567890")
    client.force_login(user)
    return user


def _edit(**changes):
    data = {"display_name": "Joko Susilo", "email": "joko@example.org", "category": CitizenCategory.PNS,
            "kecamatan": Kecamatan.SUKOLILO, "phone": ""}
    data.update(changes)
    return data


def test_profile_edit_saves_and_says_so(client, joko):
    response = client.post(PROFILE, _edit(), follow=True)
    assert response.redirect_chain == [(PROFILE, 302)]
    joko.refresh_from_db()
    assert (joko.display_name, joko.email, joko.category, joko.kecamatan) == (
        "Joko Susilo", "joko@example.org", CitizenCategory.PNS, Kecamatan.SUKOLILO)
    html = response.content.decode()
    assert 'class="message success"' in html
    assert "Joko Susilo" in html


def test_profile_edit_keeps_the_phone_when_left_blank(client, joko):
    client.post(PROFILE, _edit(phone=""))
    joko.refresh_from_db()
    assert joko.phone == "+6281234567890"


def test_profile_edit_replaces_the_phone(client, joko):
    client.post(PROFILE, _edit(phone="0857 1111 2222"))
    joko.refresh_from_db()
    assert joko.phone == "+6285711112222"


def test_profile_edit_can_remove_the_phone(client, joko):
    response = client.post(PROFILE, _edit(remove_phone="on"), follow=True)
    joko.refresh_from_db()
    assert joko.phone == ""
    assert "****" not in response.content.decode()


def test_profile_edit_refuses_a_garbage_phone(client, joko):
    response = client.post(PROFILE, _edit(phone="not a number"))
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    joko.refresh_from_db()
    assert joko.phone == "+6281234567890"
    assert joko.display_name == "Joko"


def test_profile_edit_cannot_change_role_or_username(client, joko):
    client.post(PROFILE, _edit(role=Role.ADMIN, username="bupati", title="Bupati Pati"))
    joko.refresh_from_db()
    assert joko.role == Role.CITIZEN
    assert joko.username == "joko"
    assert joko.title == ""
    assert not joko.is_superuser


def test_help_texts_are_tied_to_their_inputs(client, joko):
    """Screen readers announce a field's help: every aria-describedby names an
    element that exists on the page."""
    html = client.get(PROFILE).content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert described
    for element_id in described:
        assert f'id="{element_id}"' in html
