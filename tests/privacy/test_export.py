"""The JSON export: a citizen downloads everything the hub holds about them,
and nothing of anyone else's."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from qa.services import session_follow
from tests.privacy.helpers import NIK, PHONE, footprint, interact

EXPORT = reverse("privacy:export")


def _download(user) -> dict:
    client = Client()
    client.force_login(user)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)


def test_the_export_holds_all_of_the_citizens_data_and_none_of_anothers(cast, live_session):
    siti, budi = cast["siti"], cast["budi"]
    siti.email, siti.phone = "siti@example.org", "+6281234500011"
    siti.save()
    mine = footprint(siti, cast, live_session, tag="siti")
    theirs = footprint(budi, cast, live_session, tag="budi")
    interact(siti, theirs, cast["moderator"])
    interact(budi, mine, cast["moderator"])
    session_follow(user=siti, session_id=live_session.pk)

    data = _download(siti)

    account = data["account"]
    assert (account["username"], account["email"], account["phone"], account["kecamatan"]) == (
        "siti", "siti@example.org", "+6281234500011", "tayu")
    # Her texts as she wrote them (her own data: unmasked).
    # (a question in a session is a message of the session's room too)
    assert [m["body"] for m in data["chat_messages"]] == [f"pesan siti hubungi {PHONE}", "pertanyaan siti?"]
    assert [a["body"] for a in data["aspirations"]] == [f"NIK saya {NIK}, jalan rusak (siti)"]
    assert [r["body"] for r in data["aspiration_replies"]] == ["balasan siti"]
    assert [q["text"] for q in data["qa"]["questions"]] == ["pertanyaan siti?"]
    # What she did to others' content.
    assert data["forum"]["supported"] == [theirs["aspiration"].pk]
    assert data["forum"]["followed"] == [mine["aspiration"].pk, theirs["aspiration"].pk], "her own is followed too"
    assert [v["question"] for v in data["qa"]["votes"]] == [theirs["question"].pk]
    assert data["qa"]["followed_sessions"] == [live_session.pk]
    assert [(r["target_id"], r["reason"], r["note"]) for r in data["moderation"]["reports_made"]] == [
        (theirs["message"].pk, "spam", "iklan")]
    assert [n["params"]["where"] for n in data["notifications"]["received"] if n["kind"] == "chat.mention"] == [
        "notif siti"]
    # Her aspiration and question approved; her message reported by budi waits in the reports queue.
    assert {(d["queue"], d["status"]) for d in data["moderation"]["decisions_on_my_content"]} == {
        ("forum", "approved"), ("chat", "approved"), ("reports", "pending")}

    # Nothing of budi's: not his texts, not his name, not his report on her message.
    text = json.dumps(data, ensure_ascii=False)
    assert "budi" not in text.lower()


def test_the_export_needs_a_signed_in_user():
    response = Client().get(EXPORT)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_profile_links_to_the_export_and_the_erasure(cast):
    client = Client()
    client.force_login(cast["siti"])
    html = client.get(reverse("accounts:profile")).content.decode()
    for name in ("privacy:export", "privacy:erase", "privacy:notice", "accounts:password_change"):
        assert f'href="{reverse(name)}"' in html
