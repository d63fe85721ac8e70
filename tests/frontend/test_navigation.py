"""Navigation by role (issue 13 item 1): the header's places and the home
page's, for a guest, a citizen, an official with and without an agency, a
delegate (the officials' console), a moderator (with the count of waiting items) and an administrator; the home
page's rooms, latest aspirations and greeting."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.choices import Kecamatan, Role
from chat.models import Message, MessageStatus
from chat.services import room_upsert
from forum.models import Aspiration, Category, Privacy, Status
from moderation.services import item_enqueue
from officials.models import Agency, Official
from officials.services import delegate_add
from tests.hub import create_user

pytestmark = pytest.mark.django_db

HOME = reverse("frontend:home")
PUBLIC = {"/ruang/", "/aspirasi/", "/sesi/"}
CITIZEN = PUBLIC | {"/aspirasi/saya/", "/aspirasi/kirim/"}
OFFICIAL = CITIZEN | {"/aspirasi/instansi/", "/konsol/"}
#: Staff acting for an official (officials.Delegate): the officials' console, no agency inbox.
DELEGATE = CITIZEN | {"/konsol/"}
MODERATOR = CITIZEN | {"/moderasi/"}
ADMIN = MODERATOR | {"/notifikasi/umumkan/", "/moderasi/audit/", "/admin/"}
#: Every place that depends on the role: what the header and home show of them must be exact.
ROLE_PLACES = ADMIN | OFFICIAL


def section(html: str, start: str, end: str) -> str:
    begin = html.index(start)
    return html[begin:html.index(end, begin)]


def places_in(fragment: str) -> set[str]:
    return {href for href in re.findall(r'href="([^"]+)"', fragment) if href in ROLE_PLACES}


def header_places(response) -> set[str]:
    return places_in(section(response.content.decode(), '<header class="site-header"', "</header>"))


def home_places(response) -> set[str]:
    return places_in(section(response.content.decode(), 'id="home-places"', "</nav>"))


def visit(client, user=None):
    if user is not None:
        client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response


def official(username: str, *, with_agency: bool):
    user = create_user(username, role=Role.OFFICIAL)
    if with_agency:
        agency = Agency.objects.create(slug="dpupr", name="Dinas Pekerjaan Umum", kind="dinas")
        Official.objects.create(user=user, title="Kepala Bidang Jalan", agency=agency)
    return user


def hold_one(author) -> None:
    room, _ = room_upsert(slug="bupati", title="Ruang Bupati", premoderated=True)
    held = Message.objects.create(room=room, author=author, body="Mohon dicek.", html="Mohon dicek.",
                                  status=MessageStatus.HELD)
    item_enqueue(queue="chat", target_kind="chat.message", target_id=held.pk, author_id=author.pk,
                 reasons=["premoderated"])


@pytest.mark.parametrize(("who", "expected"), [
    ("guest", PUBLIC),
    ("citizen", CITIZEN),
    ("official without agency", CITIZEN),
    ("official", OFFICIAL),
    ("delegate", DELEGATE),
    ("moderator", MODERATOR),
    ("admin", ADMIN),
])
def test_each_role_sees_exactly_its_places_in_the_header_and_on_the_home_page(client, who, expected):
    user = {
        "guest": lambda: None,
        "citizen": lambda: create_user("siti"),
        "official without agency": lambda: official("pejabat", with_agency=False),
        "official": lambda: official("pejabat", with_agency=True),
        "delegate": lambda: delegate_add(official=official("pejabat", with_agency=True),
                                         staff=create_user("staf", role=Role.OFFICIAL)).staff,
        "moderator": lambda: create_user("moderator", role=Role.MODERATOR),
        "admin": lambda: create_user("admin", role=Role.ADMIN),
    }[who]()
    response = visit(client, user)
    assert header_places(response) == expected
    assert home_places(response) == expected


def test_the_header_shows_the_places_on_every_page_not_only_home(client):
    client.force_login(create_user("admin", role=Role.ADMIN))
    response = client.get(reverse("chat:rooms"))
    assert header_places(response) == ADMIN


def test_a_moderator_sees_the_count_of_waiting_items(client):
    siti = create_user("siti")
    hold_one(siti)
    response = visit(client, create_user("moderator", role=Role.MODERATOR))
    html = response.content.decode()
    header = section(html, '<header class="site-header"', "</header>")
    console = section(header, 'id="nav-console"', "</a>")
    assert '<span class="nav-badge">1</span>' in console
    assert '<span class="visually-hidden"> item menunggu</span>' in console  # read after the count
    assert '<span class="nav-badge" aria-hidden="true">1</span>' in header  # on the closed menu's button
    assert '<span class="nav-badge">1</span>' in section(html, 'id="home-places"', "</nav>")


def test_a_moderator_with_nothing_waiting_sees_zero_and_no_badge_on_the_menu(client):
    response = visit(client, create_user("moderator", role=Role.MODERATOR))
    header = section(response.content.decode(), '<header class="site-header"', "</header>")
    assert '<span class="nav-badge is-zero">0</span>' in header
    assert 'aria-hidden="true">0<' not in header


def test_the_header_of_citizens_and_guests_shows_no_count(client):
    hold_one(create_user("siti"))
    assert "nav-badge" not in visit(client, create_user("budi")).content.decode()
    client.logout()
    assert "nav-badge" not in visit(client).content.decode()


def test_the_home_page_lists_the_rooms_and_the_latest_visible_aspirations(client):
    room_upsert(slug="bupati", title="Ruang Bupati", description="Tanya langsung Bupati Pati.")
    author = create_user("penulis")
    category = Category.objects.get(slug="jalan-infrastruktur")
    for n in range(7):
        Aspiration.objects.create(title=f"Aspirasi nomor {n}", body="Isi.", html="Isi.", category=category,
                                  kecamatan=Kecamatan.PATI, author=author, status=Status.VERIFIED, published=True)
    Aspiration.objects.create(title="Rahasia pribadi", body="Isi.", html="Isi.", category=category,
                              kecamatan=Kecamatan.PATI, author=author, privacy=Privacy.CONFIDENTIAL,
                              status=Status.VERIFIED, published=True)
    html = visit(client).content.decode()
    rooms = section(html, 'id="home-rooms"', "</section>")
    assert 'href="/ruang/bupati/"' in rooms and "Ruang Bupati" in rooms
    aspirations = section(html, 'id="home-aspirations"', "</section>")
    assert re.findall(r"Aspirasi nomor \d", aspirations) == [f"Aspirasi nomor {n}" for n in (6, 5, 4, 3, 2)]
    assert "Rahasia pribadi" not in aspirations  # a guest may not see it


def test_a_guest_is_welcomed_and_a_returning_user_welcomed_back(client):
    html = visit(client).content.decode()
    assert "Selamat datang" in html and "Selamat datang kembali" not in html
    html = visit(client, create_user("siti", display_name="Siti Aminah")).content.decode()
    assert "Selamat datang kembali, Siti Aminah." in html


def test_a_user_who_just_signed_up_is_welcomed_not_welcomed_back(client):
    response = client.post(reverse("accounts:signup"), {
        "username": "warga_baru", "display_name": "Warga Baru", "password1": "kopi-tubruk-juwana-77",
        "password2": "kopi-tubruk-juwana-77", "category": "umum", "kecamatan": "pati",
    }, follow=True)
    html = response.content.decode()
    assert response.request["PATH_INFO"] == HOME
    assert "Selamat datang, Warga Baru." in html
    assert "Selamat datang kembali" not in html
