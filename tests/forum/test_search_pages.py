"""Search from the list page and the suggestions while composing, through
the pages: the same visibility as everywhere else."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.choices import Role
from forum.models import Privacy
from tests.forum import factories
from tests.hub import create_user


@pytest.fixture
def cast():
    dpupr = factories.agency()
    author, moderator = create_user("siti"), create_user("mod", role=Role.MODERATOR)
    public = factories.forwarded(author, moderator, dpupr, title="Jembatan Juwana retak",
                                 body="Retak di tiang kedua jembatan.")
    secret = factories.forwarded(author, moderator, dpupr, title="Jembatan Tayu retak rahasia",
                                 body="Retak, mohon ditangani diam-diam.", privacy=Privacy.CONFIDENTIAL)
    return {"author": author, "other": create_user("budi"), "public": public, "secret": secret,
            "kadpupr": factories.official("kadpupr", dpupr)}


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(("who", "sees_secret"), [(None, False), ("other", False), ("author", True),
                                                   ("kadpupr", True)])
def test_the_list_searches_what_the_visitor_may_see(cast, who, sees_secret):
    html = _client(cast[who] if who else None).get("/aspirasi/", {"q": "jembatan retak"}).content.decode()
    assert "Jembatan Juwana retak" in html
    assert ("Jembatan Tayu retak rahasia" in html) is sees_secret


def test_a_search_keeps_the_lists_filters(cast):
    html = _client().get("/aspirasi/", {"q": "jembatan", "kecamatan": "juwana"}).content.decode()
    assert "Jembatan Juwana retak" not in html  # both were filed in Tayu


@pytest.mark.parametrize(("who", "expected"), [(None, 1), ("author", 2)])
def test_suggestions_while_composing_are_only_what_the_visitor_may_see(cast, who, expected):
    category = cast["public"].category
    response = _client(cast[who] if who else None).get(
        "/aspirasi/mirip/", {"q": "jembatan retak", "category": str(category.pk), "kecamatan": "tayu"})
    results = response.json()["results"]
    assert len(results) == expected
    assert results[0]["url"] == f"/aspirasi/{results[0]['id']}/"
    assert all(r["title"] != "Jembatan Tayu retak rahasia" for r in results) is (who is None)


def test_suggestions_for_unknown_input_are_empty(cast):
    response = _client().get("/aspirasi/mirip/", {"q": "jembatan", "category": "nope", "kecamatan": "mars"})
    assert response.status_code == 200 and response.json() == {"results": []}
