"""``POST /sesi/<id>/ikuti/``: the follow button, by fetch (JSON) and by a
plain form (redirect), and its include ``qa/_follow.html``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import timezone

from qa import selectors, services
from qa.models import Follow

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def upcoming(cast):
    start = timezone.now() + timedelta(days=2)
    return services.session_schedule(actor=cast["moderator"], title="Dialog Wakil Bupati",
                                     officials=[cast["wabup"]], starts_at=start, ends_at=start + timedelta(hours=1))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_fetch_follows_and_unfollows_with_json(cast, upcoming):
    client = signed_in(cast["siti"])
    url = f"/sesi/{upcoming.pk}/ikuti/"
    assert client.post(url, {"follow": "1"}, **JSON).json() == {"following": True, "followers": 1}
    assert client.post(url, {"follow": "1"}, **JSON).json() == {"following": True, "followers": 1}
    assert client.post(url, {}, **JSON).json() == {"following": False, "followers": 0}  # no field: toggled
    assert not Follow.objects.exists()


def test_a_plain_form_redirects_back_with_a_message(cast, upcoming):
    client = signed_in(cast["siti"])
    response = client.post(f"/sesi/{upcoming.pk}/ikuti/", {"follow": "1", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == f"/sesi/{upcoming.pk}/"
    assert Follow.objects.filter(session=upcoming, user=cast["siti"]).exists()
    response = client.post(f"/sesi/{upcoming.pk}/ikuti/", {"follow": "0", "next": "/?x=1#follow"})
    assert response["Location"] == "/?x=1#follow"
    assert not Follow.objects.exists()


def test_refusals_change_nothing(cast, upcoming):
    url = f"/sesi/{upcoming.pk}/ikuti/"
    guest = Client()
    response = guest.post(url, {"follow": "1"})
    assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/?next=")
    refused = guest.post(url, {"follow": "1"}, **JSON)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert signed_in(cast["siti"]).get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast["siti"])
    assert strict.post(url, {"follow": "1"}).status_code == 403
    services.session_cancel(actor=cast["moderator"], session_id=upcoming.pk)
    response = signed_in(cast["siti"]).post(url, {"follow": "1"}, **JSON)
    assert response.status_code == 403 and response.json()["code"] == "closed"
    page = signed_in(cast["siti"]).post(url, {"follow": "1"})
    assert page.status_code == 403 and "dibatalkan" in page.content.decode()
    bad = signed_in(cast["siti"]).post(url, {"follow": "yes"}, **JSON)
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert signed_in(cast["siti"]).post("/sesi/999999/ikuti/", {"follow": "1"}, **JSON).status_code == 404
    assert not Follow.objects.exists()


def test_the_include_shows_the_button_in_indonesian(cast, upcoming):
    request = RequestFactory().get(f"/sesi/{upcoming.pk}/")
    request.user = cast["siti"]
    html = render_to_string("qa/_follow.html", {**selectors.follow_state(user=cast["siti"], session=upcoming),
                                                "user": cast["siti"]}, request=request)
    assert "Ikuti sesi ini" in html and f'action="/sesi/{upcoming.pk}/ikuti/"' in html
    services.session_follow(user=cast["siti"], session_id=upcoming.pk)
    html = render_to_string("qa/_follow.html", {**selectors.follow_state(user=cast["siti"], session=upcoming),
                                                "user": cast["siti"]}, request=request)
    assert "Berhenti mengikuti" in html and 'value="0"' in html and "1 pengikut" in html


def test_the_session_page_offers_the_follow_button_and_it_follows(cast, upcoming):
    client = signed_in(cast["siti"])
    page = client.get(f"/sesi/{upcoming.pk}/").content.decode()
    assert f'action="/sesi/{upcoming.pk}/ikuti/"' in page and 'aria-pressed="false"' in page
    client.post(f"/sesi/{upcoming.pk}/ikuti/", {"follow": "1", "next": f"/sesi/{upcoming.pk}/#follow"})
    page = client.get(f"/sesi/{upcoming.pk}/").content.decode()
    assert 'aria-pressed="true"' in page and selectors.is_following(user=cast["siti"], session_id=upcoming.pk)
