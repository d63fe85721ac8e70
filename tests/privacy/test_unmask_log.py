"""Staff shown a NIK or phone number unmasked are logged (who, what, when);
administrators read the log, nobody else."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from privacy.models import UnmaskEntry
from tests.forum import factories
from tests.moderation.helpers import admin, call, hold
from tests.privacy.helpers import NIK, PHONE

CLAIM = "/moderasi/api/klaim/"
LOG = "/admin/privacy/unmaskentry/"


def _page(user, url: str):
    client = Client()
    client.force_login(user)
    return client.get(url)


def test_a_moderator_shown_a_held_message_with_a_phone_number_is_logged(cast):
    mod, siti = cast["moderator"], cast["siti"]
    item = hold(siti, f"tolong telepon {PHONE}")
    hold(cast["budi"], "tanpa data pribadi")

    status, body = call(mod, "POST", CLAIM, {"queue": "chat"})
    assert status == 200 and PHONE in body["item"]["text"]
    status, body = call(mod, "POST", CLAIM, {"queue": "chat"})
    assert status == 200 and body["item"]["text"] == "tanpa data pribadi"

    entry = UnmaskEntry.objects.get()
    assert (entry.viewer, entry.subject, entry.target, entry.kinds, entry.where) == (
        mod, siti, f"chat.message:{item.target_id}", "phone", "console")
    assert entry.created_at is not None


def test_the_agency_reading_an_aspiration_with_a_nik_is_logged_its_author_and_the_public_are_not(cast):
    siti = cast["siti"]
    kadis = cast["kadis"]
    aspiration = factories.submit(siti, body=f"NIK saya {NIK}", cat=factories.category(of=cast["dpupr"]))
    factories.verify(aspiration, cast["moderator"])
    UnmaskEntry.objects.all().delete()
    url = reverse("forum:detail", args=[aspiration.pk])

    assert NIK not in Client().get(url).content.decode()
    assert NIK in _page(siti, url).content.decode()
    assert not UnmaskEntry.objects.exists(), "the author reading her own text and the public are not logged"

    assert NIK in _page(kadis, url).content.decode()
    entry = UnmaskEntry.objects.get()
    assert (entry.viewer, entry.subject, entry.kinds, entry.where) == (kadis, siti, "nik", "forum")
    assert entry.target == f"forum.aspiration:{aspiration.pk}"


def test_administrators_read_the_log_moderators_do_not(cast):
    UnmaskEntry.objects.create(viewer=cast["moderator"], subject=cast["siti"], target="chat.message:7",
                               kinds="nik", where="console")
    response = _page(admin(), LOG)
    assert response.status_code == 200 and "chat.message:7" in response.content.decode()
    assert _page(cast["moderator"], LOG).status_code in (302, 403)
    assert _page(cast["siti"], LOG).status_code == 302
