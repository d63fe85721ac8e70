"""The room list and room pages (frontend/views.py): what each visitor sees
before the hub socket takes over."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from chat.services import room_upsert
from tests.frontend.helpers import json_script

pytestmark = pytest.mark.django_db


@pytest.fixture
def rooms():
    bupati, _ = room_upsert(slug="bupati", title="Ruang Bupati", description="Tanya langsung Bupati Pati.")
    room_upsert(slug="dinkes", title="Ruang Dinkes", position=200)
    room_upsert(slug="internal", title="Ruang Internal", is_public=False, position=300)
    room_upsert(slug="pengumuman", title="Pengumuman", post_policy="staff", position=400)
    return bupati


@pytest.fixture
def citizen():
    return User.objects.create_user(username="warga", password="pw", display_name="Siti Warga")


@pytest.fixture
def official():
    return User.objects.create_user(username="bupati", password="pw", display_name="Haryanto",
                                    role=Role.OFFICIAL, title="Bupati Pati")


def test_the_list_shows_public_rooms_to_guests(client, rooms):
    response = client.get(reverse("chat:rooms"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ruang Bupati" in html and "Ruang Dinkes" in html and "Pengumuman" in html
    assert "Ruang Internal" not in html
    assert html.index("Ruang Bupati") < html.index("Ruang Dinkes")
    assert reverse("chat:room", args=["bupati"]) in html


def test_the_list_shows_every_room_when_signed_in(client, rooms, citizen):
    client.force_login(citizen)
    html = client.get(reverse("chat:rooms")).content.decode()
    assert "Ruang Internal" in html


def test_the_nav_links_to_the_rooms(client, rooms):
    html = client.get(reverse("frontend:home")).content.decode()
    assert f'href="{reverse("chat:rooms")}"' in html


def test_a_signed_in_citizen_gets_the_composer(client, rooms, citizen):
    client.force_login(citizen)
    response = client.get(reverse("chat:room", args=["bupati"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="composer"' in html and 'id="composer-body"' in html
    assert "Ruang Bupati" in html and "Tanya langsung Bupati Pati." in html
    assert 'id="read-only-notice"' not in html
    composer = html[html.index('id="composer-body"'):html.index("</textarea>")]
    assert "disabled" not in composer
    config = json_script(response, "room-config")
    assert config["topic"] == "room.bupati"
    assert config["user_id"] == citizen.pk
    assert config["max_body"] == 2000
    assert '<script type="module" src="/static/frontend/js/room.js">' in html


def test_a_guest_reads_a_public_room_without_a_composer(client, rooms):
    response = client.get(reverse("chat:room", args=["bupati"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="read-only-notice"' in html
    assert 'id="composer"' not in html
    assert f'{reverse("accounts:login")}?next=/ruang/bupati/' in html
    assert json_script(response, "room-config")["user_id"] is None


def test_a_guest_is_sent_to_sign_in_for_a_members_room(client, rooms):
    response = client.get(reverse("chat:room", args=["internal"]))
    assert response.status_code == 302
    assert response["Location"] == f'{reverse("accounts:login")}?next=/ruang/internal/'


def test_a_member_opens_a_members_room(client, rooms, citizen):
    client.force_login(citizen)
    assert client.get(reverse("chat:room", args=["internal"])).status_code == 200


def test_a_citizen_sees_why_they_cannot_post_in_an_officials_room(client, rooms, citizen):
    client.force_login(citizen)
    html = client.get(reverse("chat:room", args=["pengumuman"])).content.decode()
    composer = html[html.index('id="composer-body"'):html.index("</textarea>")]
    assert "disabled" in composer
    assert "Hanya pejabat yang menulis di ruang ini." in html  # the site's language is Indonesian


def test_an_official_may_post_in_an_officials_room(client, rooms, official):
    client.force_login(official)
    html = client.get(reverse("chat:room", args=["pengumuman"])).content.decode()
    composer = html[html.index('id="composer-body"'):html.index("</textarea>")]
    assert "disabled" not in composer


def test_an_unknown_room_is_404(client, rooms):
    assert client.get(reverse("chat:room", args=["tidak-ada"])).status_code == 404
    assert client.get("/ruang/Bukan Slug/").status_code == 404


def test_room_text_is_escaped(client):
    room_upsert(slug="xss", title="<script>alert(1)</script>", description="<img src=x onerror=alert(1)>")
    html = client.get(reverse("chat:room", args=["xss"])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
