"""Sessions scheduled, moved and cancelled in the Django admin go through
``qa.services``: a scheduled session gets its room, a refused form shows the
service's words and writes nothing, a move tells the followers, a
cancellation closes the room."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.choices import Role
from chat.models import RoomState
from notify.models import Notification
from qa import services
from qa.models import Session, SessionStatus
from tests.fixtures import create_user

ADD = "/admin/qa/session/add/"
FORMAT = "%Y-%m-%d %H:%M:%S"


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(create_user("admin1", role=Role.ADMIN))
    return client


def _form(cast, start, end, **extra) -> dict:
    local = timezone.localtime
    return {"title": "Dialog Bupati", "topic": "Jalan desa", "agency": cast["setda"].pk,
            "officials": str(cast["bupati"].pk),
            "starts_at_0": local(start).strftime("%Y-%m-%d"), "starts_at_1": local(start).strftime("%H:%M:%S"),
            "ends_at_0": local(end).strftime("%Y-%m-%d"), "ends_at_1": local(end).strftime("%H:%M:%S"),
            "stream_url": "", **extra}


def test_a_session_scheduled_in_the_admin_gets_its_room(cast, admin_client):
    start = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    response = admin_client.post(ADD, _form(cast, start, start + timedelta(hours=1)))
    assert response.status_code == 302, response.content.decode()[:2000]
    session = Session.objects.get()
    assert session.title == "Dialog Bupati" and session.starts_at == start
    assert session.room.slug == f"sesi-{session.pk}" and session.room.premoderated
    assert list(session.officials.values_list("pk", flat=True)) == [cast["bupati"].pk]


def test_a_refused_form_says_why_and_writes_nothing(cast, admin_client):
    start = timezone.now() + timedelta(days=2)
    response = admin_client.post(ADD, _form(cast, start, start - timedelta(hours=1)))
    assert response.status_code == 200
    assert "A session must end after it starts." in response.content.decode() or \
        "Sesi harus berakhir setelah dimulai" in response.content.decode()
    assert not Session.objects.exists()
    response = admin_client.post(ADD, _form(cast, start, start + timedelta(hours=1),
                                            officials=str(cast["siti"].pk)))
    assert response.status_code == 200 and not Session.objects.exists()


def test_moving_a_session_in_the_admin_tells_its_followers(cast, admin_client):
    start = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    session = services.session_schedule(actor=cast["moderator"], title="Dialog", officials=[cast["bupati"]],
                                        starts_at=start, ends_at=start + timedelta(hours=1))
    services.session_follow(user=cast["siti"], session_id=session.pk)
    later = start + timedelta(days=1)
    local = timezone.localtime
    response = admin_client.post(f"/admin/qa/session/{session.pk}/change/", {
        "starts_at_0": local(later).strftime("%Y-%m-%d"), "starts_at_1": local(later).strftime("%H:%M:%S"),
        # The end's own date: an hour after a start at 23:xx WIB is the next day.
        "ends_at_0": local(later + timedelta(hours=1)).strftime("%Y-%m-%d"),
        "ends_at_1": local(later + timedelta(hours=1)).strftime("%H:%M:%S")})
    assert response.status_code == 302, response.content.decode()[:2000]
    session.refresh_from_db()
    assert session.starts_at == later
    assert Notification.objects.filter(recipient=cast["siti"], kind="qa.rescheduled").count() == 1


def test_the_cancel_action_cancels_through_the_service(cast, admin_client):
    start = timezone.now() + timedelta(days=2)
    session = services.session_schedule(actor=cast["moderator"], title="Dialog", officials=[cast["bupati"]],
                                        starts_at=start, ends_at=start + timedelta(hours=1))
    response = admin_client.post("/admin/qa/session/", {"action": "cancel", "_selected_action": [session.pk]})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED and session.room.state == RoomState.CLOSED
    assert admin_client.post(f"/admin/qa/session/{session.pk}/delete/").status_code == 403
