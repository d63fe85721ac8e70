"""A page asked for while Redis is unreachable (sessions, the cache and the
throttles live there) answers a retryable 503 page in the site's language
that reloads itself, not a 500 that never recovers (issue 14 A7)."""

from __future__ import annotations

import pytest
import redis
from django.test import RequestFactory

from accounts.choices import Role
from common import redis as common_redis
from frontend.views import server_error
from tests.hub import create_user
from tests.live import free_port


@pytest.fixture
def redis_down(settings):
    """Redis goes away: the clients made from now on reach a port nobody listens on."""
    dead = f"redis://127.0.0.1:{free_port()}/0"

    def go():
        settings.REDIS_URL = dead
        settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": dead}}
        common_redis._clients.clear()

    yield go
    common_redis._clients.clear()


def assert_outage_page(response) -> str:
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    page = response.content.decode()
    assert '<meta http-equiv="refresh" content="10">' in page
    assert 'lang="id"' in page
    assert "Sementara tidak tersedia" in page
    assert "Traceback" not in page
    return page


def test_a_page_during_a_redis_outage_is_a_retryable_503(client, db, redis_down):
    client.force_login(create_user("alice", role=Role.CITIZEN))
    assert client.get("/").status_code == 200
    redis_down()
    assert_outage_page(client.get("/"))


def test_json_during_a_redis_outage_is_unavailable(client, db, redis_down):
    client.force_login(create_user("alice", role=Role.CITIZEN))
    redis_down()
    response = client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert response.json()["code"] == "unavailable"


def test_an_outage_outside_a_view_is_the_same_page(db):
    """``handler500``: a middleware (saving the session) that met the outage."""
    request = RequestFactory().get("/")
    try:
        raise redis.exceptions.ConnectionError("Error 111 connecting")
    except redis.exceptions.ConnectionError:
        response = server_error(request)
    assert_outage_page(response)
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(request).status_code == 500
