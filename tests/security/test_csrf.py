"""CSRF on every state-changing endpoint (issue 14 B): every URL pattern of
the site, enumerated from the resolver (so a new one is covered the day it
is added), POSTed without a token by a signed-in user → refused by Django's
CSRF check (403), and nothing changed. A view made ``csrf_exempt`` — or a
pattern that cannot be reached — fails here."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.choices import Role
from tests.hub import create_user
from tests.security.attacks import CSRF_REFUSED_HEADER, Snapshot, resolves_to, routes, url_of


@pytest.fixture
def refused_by_csrf(settings):
    settings.CSRF_FAILURE_VIEW = "tests.security.attacks.csrf_refused"


def _signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/")  # the CSRF cookie is set, as in a browser that opened a page: only the token is missing
    return client


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.ADMIN])
def test_every_endpoint_refuses_a_post_without_a_token_and_nothing_changes(role, redis_client, refused_by_csrf):
    """Superuser included, so that no permission check answers before the
    CSRF check could; a POST with form data as a foreign page would send."""
    user = create_user("penyerang", role=role)
    client = _signed_in(user)
    before = Snapshot.take(redis_client)
    unprotected = []
    all_routes = routes()
    for route in all_routes:
        path = url_of(route)
        assert resolves_to(route, path), f"{path} does not reach {route.name}"
        response = client.post(path, {"body": "serangan", "action": "approve", "next": "/"})
        if response.status_code != 403 or CSRF_REFUSED_HEADER not in response:
            unprotected.append(f"{route.name} ({path}): {response.status_code}")
    assert not unprotected, "POST without a CSRF token was not refused by the CSRF check:\n" + "\n".join(unprotected)
    assert len(all_routes) > 40  # the walk found the site (the admin's patterns included)
    before.assert_unchanged(redis_client, "POSTs without a CSRF token")


def test_the_same_post_with_the_token_passes_the_check(redis_client, refused_by_csrf):
    """The control: the refusal above is the missing token's, not the endpoint's."""
    user = create_user("warga")
    client = _signed_in(user)
    token = client.cookies["csrftoken"].value
    response = client.post("/notifikasi/baca-semua/", {"csrfmiddlewaretoken": token})
    assert CSRF_REFUSED_HEADER not in response and response.status_code in (200, 302)
    response = client.post("/notifikasi/baca-semua/", {"csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403 and CSRF_REFUSED_HEADER in response


def test_a_cross_site_post_with_the_victims_cookie_but_a_foreign_origin_is_refused(redis_client, refused_by_csrf):
    """HTTPS: a foreign ``Origin`` is refused even with a valid token (Django's origin check)."""
    user = create_user("warga")
    client = _signed_in(user)
    token = client.cookies["csrftoken"].value
    before = Snapshot.take(redis_client)
    response = client.post("/notifikasi/baca-semua/", {"csrfmiddlewaretoken": token},
                           HTTP_ORIGIN="https://evil.example", secure=True)
    assert response.status_code == 403 and CSRF_REFUSED_HEADER in response
    before.assert_unchanged(redis_client)
