"""Bad input on every moderation endpoint: a JSON error with a code and a 4xx
status, and nothing changed."""

from __future__ import annotations

import pytest

from tests.moderation.helpers import call, claim, hold, moderator, snapshot, user

ENDPOINTS = ["/moderasi/api/klaim/", "/moderasi/api/putuskan/", "/moderasi/api/setujui-semua/",
             "/moderasi/api/sanksi/", "/moderasi/laporkan/"]


@pytest.fixture
def world():
    """A moderator holding one item; another item waiting."""
    author, mod = user("siti"), moderator("mod")
    first = hold(author, "satu")
    hold(author, "dua")
    claim(mod)
    return mod, first


def test_a_body_that_is_not_a_json_object_is_invalid(world):
    mod, _item = world
    before = snapshot()
    for path in ENDPOINTS:
        for raw in ["{not json", "[1, 2]", '"approve"', "null", "\xff\xfe"]:
            status, body = call(mod, "POST", path, raw=raw)
            assert (status, body["code"]) == (400, "invalid"), (path, raw)
    assert snapshot() == before


def test_signed_out_callers_get_a_json_refusal(world):
    before = snapshot()
    for path in ENDPOINTS:
        status, body = call(None, "POST", path, {"queue": "chat"})
        assert (status, body["code"]) == (403, "forbidden"), path
    assert snapshot() == before


WRONG = [
    ("/moderasi/api/klaim/", {"queue": "tidak-ada"}, 404, "not_found"),
    ("/moderasi/api/klaim/", {"queue": ["chat"]}, 404, "not_found"),
    ("/moderasi/api/klaim/", {}, 404, "not_found"),
    ("/moderasi/api/putuskan/", {"item": 99999, "action": "approve"}, 404, "not_found"),
    ("/moderasi/api/putuskan/", {"item": "ITEM", "action": "approve"}, 400, "invalid"),
    ("/moderasi/api/putuskan/", {"item": True, "action": "approve"}, 400, "invalid"),
    ("/moderasi/api/putuskan/", {"item": -1, "action": "approve"}, 400, "invalid"),
    ("/moderasi/api/putuskan/", {"item": "²", "action": "approve"}, 400, "invalid"),
    ("/moderasi/api/putuskan/", {"item": {"id": 1}, "action": "approve"}, 400, "invalid"),
    ("/moderasi/api/putuskan/", {"item": "FIRST", "action": "publish"}, 400, "invalid"),
    ("/moderasi/api/putuskan/", {"item": "FIRST", "action": ["approve"]}, 400, "invalid"),
    ("/moderasi/api/putuskan/", {"item": "FIRST", "action": "reject", "reason": ["spam"]}, 400, "unknown_reason"),
    ("/moderasi/api/setujui-semua/", {"items": "FIRST"}, 400, "invalid"),
    ("/moderasi/api/setujui-semua/", {"items": ["x"]}, 400, "invalid"),
    ("/moderasi/api/setujui-semua/", {"items": list(range(101))}, 400, "invalid"),
]


def test_wrong_values_are_refused_with_a_code(world):
    mod, item = world
    before = snapshot()
    for path, payload, status, code in WRONG:
        payload = {key: item.pk if value == "FIRST" else value for key, value in payload.items()}
        got_status, body = call(mod, "POST", path, payload)
        assert (got_status, body["code"]) == (status, code), (path, payload)
    assert snapshot() == before


def test_bulk_approval_reports_each_item_and_approves_only_the_moderators_own(world):
    mod, item = world
    other = user("budi")
    stranger = hold(other, "tiga")
    status, body = call(mod, "POST", "/moderasi/api/setujui-semua/", {"items": [item.pk, stranger.pk, 99999]})
    assert status == 200
    assert body["results"] == {str(item.pk): "approved", str(stranger.pk): "not_claimed", "99999": "not_found"}


def test_an_unknown_item_in_detail_is_a_json_404(world):
    mod, item = world
    status, body = call(mod, "GET", "/moderasi/api/item/99999/")
    assert (status, body["code"]) == (404, "not_found")
    status, body = call(mod, "GET", f"/moderasi/api/item/{item.pk}/")
    assert status == 200 and body["item"]["text"] == "satu"
    status, body = call(user("warga"), "GET", f"/moderasi/api/item/{item.pk}/")
    assert (status, body["code"]) == (403, "forbidden")
