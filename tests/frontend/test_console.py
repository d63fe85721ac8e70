"""The moderators' console page (moderation/views.py:console) and the room
page's way of reporting a message by its visible id (moderation/views.py:report)."""

from __future__ import annotations

import importlib
import json

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from chat.models import Message, MessageStatus
from chat.services import room_upsert
from moderation.models import RejectReason, Report
from moderation.services import item_enqueue
from tests.frontend.helpers import json_script

pytestmark = pytest.mark.django_db

_starter = importlib.import_module("moderation.migrations.0002_starter_lists")


@pytest.fixture(autouse=True)
def reasons():
    for position, (code, label_id, label_en) in enumerate(_starter.REASONS):
        RejectReason.objects.get_or_create(code=code, defaults={"label_id": label_id, "label_en": label_en,
                                                                "position": position})


def make(username: str, role: str = Role.CITIZEN) -> User:
    return User.objects.create_user(username=username, password="pw", display_name=username.title(), role=role)


def test_guests_are_sent_to_sign_in(client):
    response = client.get(reverse("moderation:console"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.OFFICIAL])
def test_citizens_and_officials_are_refused(client, role):
    client.force_login(make("someone", role))
    assert client.get(reverse("moderation:console")).status_code == 403


def test_a_moderator_sees_the_queues_reasons_and_shortcuts(client):
    client.force_login(make("moderator", Role.MODERATOR))
    response = client.get(reverse("moderation:console"), HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-queue="chat"' in html and 'data-queue="forum"' in html and 'data-queue="reports"' in html
    assert 'data-queue="escalated"' not in html  # administrators only
    first = RejectReason.objects.filter(active=True).first()
    assert f'<option value="{first.code}">{first.label_id}</option>' in html
    assert "<kbd>A</kbd>" in html and "<kbd>R</kbd>" in html
    assert '<script type="module" src="/static/frontend/js/console.js">' in html
    config = json_script(response, "console-config")
    assert config["me"] == "moderator"
    assert list(config["queues"]) == ["chat", "forum", "reports"]  # held content first, then reports
    assert config["stats"]["chat"] == {"pending": 0, "oldest_age": None}
    assert config["urls"]["claim"] == reverse("moderation:claim")
    assert config["strings"]["errors"]["already_decided"]


def test_an_administrator_also_sees_the_escalations(client):
    client.force_login(make("admin", Role.ADMIN))
    response = client.get(reverse("moderation:console"))
    assert response.status_code == 200
    assert 'data-queue="escalated"' in response.content.decode()
    assert "escalated" in json_script(response, "console-config")["queues"]


def test_the_page_counts_what_waits(client):
    room, _ = room_upsert(slug="bupati", title="Ruang Bupati", premoderated=True)
    held = Message.objects.create(room=room, author=make("siti"), body="Mohon dicek.", html="Mohon dicek.",
                                  status=MessageStatus.HELD)
    item_enqueue(queue="chat", target_kind="chat.message", target_id=held.pk, author_id=held.author_id,
                 reasons=["premoderated"])
    client.force_login(make("moderator", Role.MODERATOR))
    response = client.get(reverse("moderation:console"))
    assert json_script(response, "console-config")["stats"]["chat"]["pending"] == 1
    assert 'data-pending="1"' in response.content.decode()


def test_pages_load_their_scripts_as_modules_and_no_classic_script(client):
    """Each page script is an ES module that imports the tab's one hub
    (js/hub.js) itself: no page loads it, or anything else, as a classic script."""
    room_upsert(slug="bupati", title="Ruang Bupati")
    client.force_login(make("siti"))
    html = client.get(reverse("chat:room", args=["bupati"])).content.decode()
    assert '<script type="module" src="/static/frontend/js/room.js">' in html
    assert '<script type="module" src="/static/frontend/js/notify.js">' in html
    assert "<script src=" not in html and "js/hub.js" not in html
    client.logout()
    html = client.get(reverse("chat:room", args=["bupati"])).content.decode()
    assert '<script type="module" src="/static/frontend/js/room.js">' in html and "js/notify.js" not in html


def test_every_signed_in_page_has_the_bell_and_its_strings(client):
    client.force_login(make("siti"))
    response = client.get(reverse("frontend:home"))
    html = response.content.decode()
    assert 'id="notify-bell"' in html and '<script type="module" src="/static/frontend/js/notify.js">' in html
    strings = json_script(response, "notify-config")
    assert strings["unread_many"] == "{n} pemberitahuan belum dibaca"
    assert set(strings) == {"unread_one", "unread_many", "new", "close", "mark_read", "mark_failed"}


def report(client, payload):
    return client.post(reverse("moderation:report"), data=json.dumps(payload), content_type="application/json")


def test_a_reader_reports_a_message_by_its_visible_id(client):
    room, _ = room_upsert(slug="bupati", title="Ruang Bupati")
    message = Message.objects.create(room=room, author=make("budi"), body="Pesan yang kasar.",
                                     html="Pesan yang kasar.", seq=1)
    client.force_login(make("siti"))
    reason = RejectReason.objects.first().code
    response = report(client, {"target_kind": "chat.message", "target": f"bupati/{message.seq}", "reason": reason})
    assert response.status_code == 201, response.content
    assert Report.objects.get().target_id == message.pk
    again = report(client, {"target_kind": "chat.message", "target": f"bupati/{message.seq}", "reason": reason})
    assert again.status_code == 409 and again.json()["code"] == "already_reported"


@pytest.mark.parametrize("payload", [{"target_kind": "chat.message", "target": "bupati/99"},
                                     {"target_kind": "chat.message", "target": "nowhere/1"},
                                     {"target_kind": "chat.message", "target": "bupati/1; drop"},
                                     {"target_kind": "no.such.kind", "target": "bupati/1"}])
def test_reporting_an_unknown_message_is_not_found(client, payload):
    room_upsert(slug="bupati", title="Ruang Bupati")
    client.force_login(make("siti"))
    response = report(client, {**payload, "reason": RejectReason.objects.first().code})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_malformed_visible_id_is_invalid(client):
    room_upsert(slug="bupati", title="Ruang Bupati")
    client.force_login(make("siti"))
    response = report(client, {"target_kind": "chat.message", "target": ["bupati", 1], "reason": "spam"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_the_room_page_offers_report_reasons_to_signed_in_readers(client):
    room_upsert(slug="bupati", title="Ruang Bupati")
    assert json_script(client.get(reverse("chat:room", args=["bupati"])), "room-config")["report_reasons"] == []
    client.force_login(make("siti"))
    config = json_script(client.get(reverse("chat:room", args=["bupati"])), "room-config")
    assert config["report_url"] == reverse("moderation:report")
    assert [code for code, _label in config["report_reasons"]] == list(
        RejectReason.objects.filter(active=True).values_list("code", flat=True))
