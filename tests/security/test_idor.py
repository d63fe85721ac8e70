"""IDOR on every object URL (issue 14 B): for each URL pattern that names an
object (an id or a slug) of the site — enumerated from the resolver, so a
new one fails ``test_every_object_url_has_a_case`` until it gets a case
here — a user who may not touch that object asks for it: refused (403/404,
or sent to sign in), nothing of it in the answer, and nothing changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.choices import Role
from chat.services import room_upsert
from forum import photos
from forum import services as forum_services
from forum.models import Privacy
from moderation.models import QueueItem
from moderation.services import sanction_impose
from notify.services import notification_send
from qa import services as qa_services
from tests.forum import factories
from tests.forum.pages_cast import image_bytes
from tests.hub import create_user
from tests.qa.helpers import ask, asked_and_approved
from tests.security.attacks import Snapshot, is_admin, routes

#: Object URLs whose object is public by design, and why.
PUBLIC = {
    "accounts:password_reset_confirm": "the token in the URL is the authorization (Django's reset tokens)",
    "qa:session": "a session's page is public (its hidden questions are not on it: tests/qa/test_pages.py)",
    "qa:ics": "a session's calendar file is public",
    "qa:ask": "anyone signed in may ask in any open session (its rules: tests/qa/test_questions.py)",
    "qa:follow": "anyone signed in may follow any open session, only for themselves (tests/qa/test_follow_view.py)",
}

SECRET = "Pungli di kantor desa"  # the confidential aspiration's title: never in a refused answer


@dataclass
class Attack:
    route: str  # the URL pattern's name
    who: str | None  # the attacker (a key of the cast, None: a guest)
    method: str
    path: str
    data: dict | None = None
    allowed: tuple[int, ...] = (403, 404)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def attacks(cast, live_session, media) -> list[Attack]:
    siti, budi, moderator = cast["siti"], cast["budi"], cast["moderator"]
    secret = factories.forwarded(siti, moderator, cast["dpupr"], title=SECRET, privacy=Privacy.CONFIDENTIAL)
    upload = SimpleUploadedFile("jalan.jpg", image_bytes(), content_type="image/jpeg")
    photo = photos.photos_attach(aspiration=secret, photos=photos.process_all([upload]))[0]
    secret_reply = forum_services.reply_post(user=siti, aspiration_id=secret.pk, body="Buktinya saya simpan")
    public = factories.forwarded(siti, moderator, cast["dpupr"], title="Jalan rusak di Tayu")
    public_reply = forum_services.reply_post(user=siti, aspiration_id=public.pk, body="Sudah tiga bulan")
    notification = notification_send(recipients=[siti.pk], kind="chat.mention", actor=budi, url="/",
                                     params={"actor": "Budi", "where": "Lobi", "excerpt": "rahasia"})[0]
    sanction = sanction_impose(moderator=moderator, user=create_user("spammer"), kind="mute", duration="1h",
                               reason="spam")
    item = QueueItem.objects.order_by("pk").last()
    room_upsert(slug="rapat-internal", title="Rapat internal", is_public=False)
    # a question of another session, and one of this session still waiting for review
    other = qa_services.session_schedule(actor=moderator, title="Tanya DPUPR", officials=[cast["kadis"]],
                                         agency=cast["dpupr"], starts_at=timezone.now() - timedelta(minutes=5),
                                         ends_at=timezone.now() + timedelta(hours=1))
    qa_services.sessions_tick(now=timezone.now())
    foreign_question = asked_and_approved(siti, other, moderator)
    waiting = ask(budi, live_session, body="Pertanyaan yang belum ditinjau?")
    s, a, p = live_session.pk, secret.pk, public.pk
    REJECT = {"to_status": "rejected", "reason": "bukan urusan"}  # noqa: N806
    cases = [
        Attack("chat:room", None, "get", "/ruang/rapat-internal/", allowed=(302,)),
        Attack("moderation:item", "budi", "get", f"/moderasi/api/item/{item.pk}/"),
        Attack("moderation:sanction_lift", "budi", "post", f"/moderasi/api/sanksi/{sanction.pk}/cabut/"),
        Attack("moderation:sanction_lift", "kadis", "post", f"/moderasi/api/sanksi/{sanction.pk}/cabut/"),
        Attack("notify:open", "budi", "post", f"/notifikasi/{notification.pk}/buka/"),
        Attack("notify:open", None, "post", f"/notifikasi/{notification.pk}/buka/", allowed=(302,)),
        # refused with the session protocol's own codes: wrong_session (400), question_not_visible (409)
        Attack("qa:vote", "budi", "post", f"/sesi/{s}/dukung/{foreign_question.pk}/", allowed=(400,)),
        Attack("qa:vote", "siti", "post", f"/sesi/{s}/dukung/{waiting.pk}/", allowed=(409,)),
        Attack("qa:console_session", "budi", "get", f"/konsol/{s}/"),
        Attack("qa:console_session", "kadis", "get", f"/konsol/{s}/"),
        Attack("qa:console_session", "staf_kadis", "get", f"/konsol/{s}/"),
        Attack("qa:console_act", "kadis", "post", f"/konsol/{s}/aksi/", {"action": "extend", "minutes": "30"}),
        Attack("qa:console_act", "budi", "post", f"/konsol/{s}/aksi/", {"action": "open_early"}),
        Attack("qa:console_act", "staf_kadis", "post", f"/konsol/{s}/aksi/", {"action": "extend", "minutes": "30"}),
        Attack("forum:detail", "budi", "get", f"/aspirasi/{a}/"),
        Attack("forum:detail", None, "get", f"/aspirasi/{a}/"),
        Attack("forum:detail", "bupati", "get", f"/aspirasi/{a}/"),  # an official of another agency
        Attack("forum:photo", "budi", "get", f"/aspirasi/{a}/foto/{photo.pk}/"),
        Attack("forum:photo", None, "get", f"/aspirasi/{a}/foto/{photo.pk}/"),
        Attack("forum:photo_thumb", "budi", "get", f"/aspirasi/{a}/foto/{photo.pk}/thumb/"),
        Attack("forum:photo", "budi", "get", f"/aspirasi/{p}/foto/{photo.pk}/"),  # its photo under another thread
        Attack("forum:support", "budi", "post", f"/aspirasi/{a}/dukung/"),
        Attack("forum:follow", "budi", "post", f"/aspirasi/{a}/ikuti/"),
        Attack("forum:reply", "budi", "post", f"/aspirasi/{a}/balas/", {"body": "Saya ikut membaca"}),
        Attack("forum:answer", "budi", "post", f"/aspirasi/{p}/jawab/", {"body": "Jawaban palsu"}),
        Attack("forum:answer", "bupati", "post", f"/aspirasi/{p}/jawab/", {"body": "Bukan instansi saya"}),
        Attack("forum:status", "budi", "post", f"/aspirasi/{p}/status/", REJECT),
        Attack("forum:status", "bupati", "post", f"/aspirasi/{a}/status/", REJECT),
        Attack("forum:rate", "budi", "post", f"/aspirasi/{p}/nilai/", {"rating": "1"}),
        Attack("forum:reply_edit", "budi", "post", f"/aspirasi/{p}/balasan/{public_reply.pk}/ubah/",
               {"body": "diubah orang lain"}),
        Attack("forum:reply_edit", "budi", "post", f"/aspirasi/{p}/balasan/{secret_reply.pk}/ubah/",
               {"body": "lewat utas lain"}),
        Attack("forum:reply_delete", "budi", "post", f"/aspirasi/{p}/balasan/{public_reply.pk}/hapus/"),
        Attack("forum:reply_report", "budi", "post", f"/aspirasi/{a}/balasan/{secret_reply.pk}/laporkan/",
               {"reason": "spam"}),
    ]
    return cases


def _object_routes() -> set[str]:
    return {route.name for route in routes() if route.params and not is_admin(route)}


def test_every_object_url_has_a_case(attacks):
    covered = {attack.route for attack in attacks} | set(PUBLIC)
    missing = _object_routes() - covered
    assert not missing, f"object URLs without an IDOR case (add one to tests/security/test_idor.py): {missing}"


def test_no_object_url_answers_another_users_object_and_nothing_changes(cast, attacks, redis_client):
    clients: dict[str | None, Client] = {None: Client()}
    for name in {attack.who for attack in attacks} - {None}:
        clients[name] = Client()
        clients[name].force_login(cast[name])
    before = Snapshot.take(redis_client)
    answered = []
    for attack in attacks:
        response = getattr(clients[attack.who], attack.method)(attack.path, attack.data or {})
        body = response.content.decode(errors="replace")
        if response.status_code not in attack.allowed or SECRET in body or "Buktinya" in body:
            answered.append(f"{attack.route} as {attack.who or 'guest'} {attack.method.upper()} {attack.path}: "
                            f"{response.status_code}")
        if response.status_code == 302:
            assert "/akun/masuk/" in response["Location"], (attack, response["Location"])
    assert not answered, "object URLs that served or changed another user's object:\n" + "\n".join(answered)
    before.assert_unchanged(redis_client, "the IDOR attempts")


def test_the_agency_inbox_lists_only_the_visitors_agencies(cast):
    """No id in its URL: another agency's inbox is simply not reachable."""
    factories.forwarded(cast["siti"], cast["moderator"], cast["dpupr"], title=SECRET, privacy=Privacy.CONFIDENTIAL)
    own, other = Client(), Client()
    own.force_login(cast["kadis"])
    other.force_login(cast["bupati"])  # Sekretariat Daerah
    assert SECRET in own.get("/aspirasi/instansi/").content.decode()
    for query in ("", "?agency=dpupr", f"?agency={cast['dpupr'].pk}", "?instansi=dpupr"):
        assert SECRET not in other.get("/aspirasi/instansi/" + query).content.decode()
    citizen = Client()
    citizen.force_login(create_user("warga", role=Role.CITIZEN))
    assert citizen.get("/aspirasi/instansi/").status_code == 403


def test_the_profile_page_is_the_visitors_own(cast):
    """The profile has no id in its URL; a forged one in the form changes nobody else."""
    client = Client()
    client.force_login(cast["budi"])
    client.post("/akun/profil/", {"display_name": "Dibajak", "user": cast["siti"].pk, "id": cast["siti"].pk,
                                  "username": "siti"})
    cast["siti"].refresh_from_db()
    assert cast["siti"].display_name == "Siti"
