"""Who sees what on the forum's pages, for each role: a guest, a citizen,
another citizen, the author, the responsible agency's official, another
agency's official, a moderator. Confidential or unpublished: 404 (and absent
from lists) for everyone else; an anonymous author hidden from the public;
personal data masked except for insiders."""

from __future__ import annotations

import pytest

from forum.models import Privacy
from tests.forum.pages_cast import forward, make_cast, publish, submit

pytestmark = pytest.mark.django_db

NIK = "3318012345678901"
PHONE = "0812-3456-7890"


@pytest.fixture
def cast(db):
    return make_cast()


def _people(cast):
    return {"guest": None, "citizen": cast.budi, "author": cast.siti, "dinkes_official": cast.kadinkes,
            "dpupr_official": cast.kadpupr, "moderator": cast.moderator}


def test_a_confidential_aspiration_is_not_found_by_others(cast):
    secret = publish(cast, submit(cast, title="Rahasia puskesmas", category=cast.health, privacy=None))
    assert secret.privacy == Privacy.CONFIDENTIAL
    insiders = {"author", "dinkes_official", "moderator"}
    for role, user in _people(cast).items():
        client = cast.client(user)
        detail = client.get(f"/aspirasi/{secret.pk}/")
        listed = "Rahasia puskesmas" in client.get("/aspirasi/").content.decode()
        filtered = "Rahasia puskesmas" in client.get("/aspirasi/?category=kesehatan").content.decode()
        if role in insiders:
            assert detail.status_code == 200, role
            assert listed and filtered, role
        else:
            assert detail.status_code == 404, role
            assert not listed and not filtered, role
            # Nor can they act on it.
            if user is not None:
                assert client.post(f"/aspirasi/{secret.pk}/balas/", {"body": "halo"}).status_code == 404
                assert client.post(f"/aspirasi/{secret.pk}/dukung/").status_code == 404


def test_an_unpublished_aspiration_waits_for_review(cast):
    waiting = submit(cast, title="Belum ditinjau")
    for role, user in _people(cast).items():
        response = cast.client(user).get(f"/aspirasi/{waiting.pk}/")
        # The category's agency (DPUPR for roads) already handles it.
        expected = 200 if role in {"author", "moderator", "dpupr_official"} else 404
        assert response.status_code == expected, role
    author_page = cast.client(cast.siti).get(f"/aspirasi/{waiting.pk}/").content.decode()
    assert "Menunggu peninjauan moderator" in author_page
    moderator_page = cast.client(cast.moderator).get(f"/aspirasi/{waiting.pk}/").content.decode()
    assert "konsol moderator" in moderator_page and "status-action" not in moderator_page


def test_an_anonymous_author_is_hidden_from_the_public_only(cast):
    anonymous = publish(cast, submit(cast, title="Anonim jalan", privacy=Privacy.ANONYMOUS))
    forward(cast, anonymous)
    from forum import services

    services.reply_post(user=cast.siti, aspiration_id=anonymous.pk, body="Tambahan dari penulis.")
    for role, user in _people(cast).items():
        client = cast.client(user)
        page = client.get(f"/aspirasi/{anonymous.pk}/").content.decode()
        listing = client.get("/aspirasi/").content.decode()
        if role in {"author", "moderator", "dpupr_official"}:  # DPUPR is the responsible agency here
            assert "Siti Aminah" in page, role
        else:
            assert "Siti Aminah" not in page and "Warga (anonim)" in page, role
            assert "Siti Aminah" not in listing and "Warga (anonim)" in listing, role


def test_personal_data_is_masked_except_for_insiders(cast):
    body = f"NIK saya {NIK}, hubungi {PHONE}."
    aspiration = publish(cast, submit(cast, title="Data pribadi", body=body))
    forward(cast, aspiration)
    from forum import services

    services.reply_post(user=cast.siti, aspiration_id=aspiration.pk, body=f"Nomor saya {PHONE}")
    for role, user in _people(cast).items():
        page = cast.client(user).get(f"/aspirasi/{aspiration.pk}/").content.decode()
        if role in {"author", "moderator", "dpupr_official"}:
            assert NIK in page and PHONE in page, role
        else:
            assert NIK not in page and "3456-7890" not in page, role
