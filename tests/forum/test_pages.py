"""The forum's pages without JavaScript: list, thread, compose, my
aspirations, the agency inbox, and every action form on a thread (POST, then
redirect; refused ones show their reason and change nothing)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.choices import Kecamatan
from common.errors import AppError
from forum import services
from forum.models import Aspiration, AspirationPhoto, Follow, Reply, Status, Support, TimelineEntry
from moderation.models import QueueItem
from tests.forum.pages_cast import forward, image_bytes, make_cast, publish, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db):
    return make_cast()


@pytest.fixture
def published(cast):
    return publish(cast, submit(cast))


def _text(response) -> str:
    return response.content.decode()


# --- the list -------------------------------------------------------------------------------
def test_the_list_sorts_filters_and_counts_down(cast):
    first = publish(cast, submit(cast, title="Lampu jalan mati"))
    second = publish(cast, submit(cast, title="Sampah menumpuk", kecamatan=Kecamatan.JUWANA))
    services.support_toggle(user=cast.budi, aspiration_id=first.pk)
    guest = cast.client(None)

    newest = _text(guest.get("/aspirasi/"))
    assert newest.index("Sampah menumpuk") < newest.index("Lampu jalan mati")
    supported = _text(guest.get("/aspirasi/?sort=supported"))
    assert supported.index("Lampu jalan mati") < supported.index("Sampah menumpuk")
    juwana = _text(guest.get("/aspirasi/?kecamatan=juwana"))
    assert "Sampah menumpuk" in juwana and "Lampu jalan mati" not in juwana
    assert "Lampu jalan mati" not in _text(guest.get("/aspirasi/?status=done"))
    assert "hari kerja" in newest  # the countdown of open items
    # Unknown filter values are ignored, not an error.
    assert guest.get("/aspirasi/?status=nonsense&sort=x&page=99").status_code == 200
    assert second.pk


def test_an_overdue_item_is_flagged_in_the_list(cast, published):
    Aspiration.objects.filter(pk=published.pk).update(due_at=timezone.now() - timedelta(days=10))
    page = _text(cast.client(None).get("/aspirasi/?sort=overdue"))
    assert "tag-overdue" in page and "Terlambat" in page


def test_the_list_paginates_by_twenty(cast):
    for n in range(21):
        publish(cast, submit(cast, title=f"Aspirasi nomor {n:02d}"))
    guest = cast.client(None)
    assert _text(guest.get("/aspirasi/")).count('class="card asp-card') == 20
    assert _text(guest.get("/aspirasi/?page=2")).count('class="card asp-card') == 1


# --- the thread -------------------------------------------------------------------------------
def test_the_thread_shows_everything_a_reader_needs(cast, published):
    forward(cast, published)
    services.reply_post(user=cast.kadpupr, aspiration_id=published.pk, body="Akan kami perbaiki minggu ini.")
    page = _text(cast.client(None).get(f"/aspirasi/{published.pk}/"))
    for expected in ("Jalan rusak di Desa Tlogowungu", "Jalan berlubang", "Tlogowungu", "Dinas Pekerjaan Umum",
                     "Diteruskan ke instansi", "Kepala Dinas PUPR", "is-official", "Akan kami perbaiki",
                     'id="aspiration-config"', "hari kerja"):
        assert expected in page, expected


def test_replies_nest_and_the_sixth_level_is_refused(cast, published):
    client = cast.client(cast.budi)
    parent = None
    for depth in range(6):
        response = client.post(f"/aspirasi/{published.pk}/balas/", {"body": f"tingkat {depth}",
                                                                    **({"parent": parent} if parent else {})})
        assert response.status_code == 302
        parent = Reply.objects.latest("pk").pk
    assert Reply.objects.latest("pk").depth == 5
    response = client.post(f"/aspirasi/{published.pk}/balas/", {"body": "terlalu dalam", "parent": parent})
    assert response.status_code == 400
    assert "terlalu dalam" not in _text(response).split('id="replies"')[1] and "balas di tingkat" in _text(response)
    assert Reply.objects.count() == 6
    page = _text(client.get(f"/aspirasi/{published.pk}/"))
    assert "depth-5" in page and "depth-6" not in page


def test_edit_within_fifteen_minutes_keeps_the_earlier_version_visible(cast, published):
    client = cast.client(cast.budi)
    client.post(f"/aspirasi/{published.pk}/balas/", {"body": "versi pertama"})
    reply = Reply.objects.get()
    assert client.post(f"/aspirasi/{published.pk}/balasan/{reply.pk}/ubah/", {"body": "versi kedua"}).status_code == 302
    page = _text(client.get(f"/aspirasi/{published.pk}/"))
    assert "versi kedua" in page and "versi pertama" in page and "disunting" in page
    # Someone else may not edit it; after 15 minutes neither may its author.
    other = cast.client(cast.siti).post(f"/aspirasi/{published.pk}/balasan/{reply.pk}/ubah/", {"body": "bukan"})
    assert other.status_code == 403
    Reply.objects.filter(pk=reply.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    late = client.post(f"/aspirasi/{published.pk}/balasan/{reply.pk}/ubah/", {"body": "versi ketiga"})
    assert late.status_code == AppError(services.EDIT_WINDOW).status
    assert "15 menit" in _text(late)
    assert Reply.objects.get().body == "versi kedua"


def test_delete_leaves_a_tombstone(cast, published):
    client = cast.client(cast.budi)
    client.post(f"/aspirasi/{published.pk}/balas/", {"body": "akan dihapus"})
    reply = Reply.objects.get()
    cast.client(cast.siti).post(f"/aspirasi/{published.pk}/balas/", {"body": "anak balasan", "parent": reply.pk})
    assert client.post(f"/aspirasi/{published.pk}/balasan/{reply.pk}/hapus/").status_code == 302
    page = _text(cast.client(None).get(f"/aspirasi/{published.pk}/"))
    assert "Balasan dihapus" in page and "akan dihapus" not in page and "anak balasan" in page


def test_a_reply_is_reported_through_the_report_flow(cast, published):
    from moderation.models import RejectReason, Report

    RejectReason.objects.get_or_create(code="spam", defaults={"label_id": "Spam", "label_en": "Spam"})
    services.reply_post(user=cast.budi, aspiration_id=published.pk, body="balasan kasar")
    reply = Reply.objects.get()
    page = _text(cast.client(cast.siti).get(f"/aspirasi/{published.pk}/"))
    assert f'data-report="{reply.pk}"' in page
    response = cast.client(cast.siti).post(f"/aspirasi/{published.pk}/balasan/{reply.pk}/laporkan/",
                                           {"reason": "spam"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.reporter_id, report.reason) == (cast.siti.pk, "spam")


def test_support_and_follow_toggle(cast, published):
    client = cast.client(cast.budi)
    client.post(f"/aspirasi/{published.pk}/dukung/")
    client.post(f"/aspirasi/{published.pk}/ikuti/")
    assert Support.objects.filter(user=cast.budi).count() == 1
    assert Follow.objects.filter(user=cast.budi).count() == 1
    assert Aspiration.objects.get().supports == 1
    page = _text(client.get(f"/aspirasi/{published.pk}/"))
    assert "Tarik dukungan" in page and "Berhenti mengikuti" in page
    client.post(f"/aspirasi/{published.pk}/dukung/")
    assert Aspiration.objects.get().supports == 0
    # A guest is sent to sign in.
    assert cast.client(None).post(f"/aspirasi/{published.pk}/dukung/").status_code == 302
    assert Aspiration.objects.get().supports == 0


# --- status actions ----------------------------------------------------------------------------------
def test_each_role_sees_only_its_status_actions(cast, published):
    moderator_page = _text(cast.client(cast.moderator).get(f"/aspirasi/{published.pk}/"))
    assert 'data-to="forwarded"' in moderator_page and 'data-to="rejected"' in moderator_page
    for user in (cast.siti, cast.budi, None):
        assert "status-action" not in _text(cast.client(user).get(f"/aspirasi/{published.pk}/"))


def test_an_illegal_status_action_from_the_page_changes_nothing(cast, published):
    before = TimelineEntry.objects.count()
    # Not a step from "verified"; not the author's to take; forwarding without an agency.
    attempts = [
        (cast.moderator, {"to_status": "done"}, 409),
        (cast.siti, {"to_status": "forwarded", "agency": cast.dpupr.pk}, 403),
        (cast.moderator, {"to_status": "forwarded"}, 400),
        (cast.moderator, {"to_status": "forwarded", "agency": 99999}, 400),
        (cast.moderator, {"to_status": "rejected"}, 400),
        (cast.moderator, {"to_status": "flying"}, 400),
    ]
    for user, data, expected in attempts:
        response = cast.client(user).post(f"/aspirasi/{published.pk}/status/", data)
        assert response.status_code == expected, (data, response.status_code)
        assert 'role="alert"' in _text(response)
    assert Aspiration.objects.get().status == Status.VERIFIED
    assert TimelineEntry.objects.count() == before


def test_forward_then_answer_done_rate_and_reopen(cast, published):
    moderator = cast.client(cast.moderator)
    assert moderator.post(f"/aspirasi/{published.pk}/status/",
                          {"to_status": "forwarded", "agency": cast.dpupr.pk}).status_code == 302
    official = cast.client(cast.kadpupr)
    assert official.post(f"/aspirasi/{published.pk}/jawab/", {"body": "Sudah kami tambal."}).status_code == 302
    aspiration = Aspiration.objects.get()
    assert aspiration.status == Status.ANSWERED
    assert Reply.objects.get().official_title == "Kepala Dinas PUPR"
    author = cast.client(cast.siti)
    assert author.post(f"/aspirasi/{published.pk}/status/", {"to_status": "done"}).status_code == 302
    page = _text(author.get(f"/aspirasi/{published.pk}/"))
    assert "rate-form" in page and "Buka kembali" in page
    # A rating outside 1-5, or by someone else, is refused.
    assert author.post(f"/aspirasi/{published.pk}/nilai/", {"rating": "9"}).status_code == 400
    assert cast.client(cast.budi).post(f"/aspirasi/{published.pk}/nilai/", {"rating": "5"}).status_code == 403
    assert author.post(f"/aspirasi/{published.pk}/nilai/", {"rating": "4", "comment": "Cepat"}).status_code == 302
    aspiration.refresh_from_db()
    assert (aspiration.rating, aspiration.rating_comment) == (4, "Cepat")
    # Reopening after 14 days is not offered, and refused.
    Aspiration.objects.filter(pk=aspiration.pk).update(done_at=timezone.now() - timedelta(days=15))
    assert "Buka kembali" not in _text(author.get(f"/aspirasi/{published.pk}/"))
    late = author.post(f"/aspirasi/{published.pk}/status/", {"to_status": "forwarded", "reason": "Belum beres"})
    assert late.status_code == 409
    assert Aspiration.objects.get().status == Status.DONE


# --- compose -------------------------------------------------------------------------------------------
def _compose(client, files=(), **fields):
    data = {"title": "Jembatan retak", "body": "Jembatan di Desa Sambirejo retak.", "category": "jalan-infrastruktur",
            "kecamatan": "gabus", "desa": "Sambirejo", "privacy": ""}
    data.update(fields)
    data = {key: value for key, value in data.items() if value is not None}
    if files:
        data["photos"] = list(files)
    return client.post("/aspirasi/kirim/", data)


def test_compose_stores_and_redirects_to_the_thread(cast):
    client = cast.client(cast.siti)
    form = _text(client.get("/aspirasi/kirim/"))
    assert 'data-privacy="confidential"' in form and "**" in form  # the markdown subset is named
    assert 'value="gabus" selected' not in form
    response = _compose(client, files=[SimpleUploadedFile("a.jpg", image_bytes(), "image/jpeg")])
    aspiration = Aspiration.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/aspirasi/{aspiration.pk}/"
    assert (aspiration.desa, aspiration.privacy, aspiration.status) == ("Sambirejo", "public", Status.NEW)
    assert AspirationPhoto.objects.count() == 1
    assert QueueItem.objects.filter(target_kind="forum.aspiration", target_id=aspiration.pk).exists()
    page = _text(client.get(response["Location"]))
    assert "Menunggu peninjauan moderator" in page


def test_a_confidential_category_stays_confidential_by_default(cast):
    _compose(cast.client(cast.siti), category="kesehatan")
    assert Aspiration.objects.get().privacy == "confidential"


@pytest.mark.parametrize(("fields", "files", "message"), [
    ({"body": "x" * 5001}, (), "5000"),
    ({"title": ""}, (), "Judul"),
    ({"category": "tidak-ada"}, (), "kategori"),
    ({"kecamatan": ""}, (), "kecamatan"),
    ({"kecamatan": "atlantis"}, (), "Kecamatan"),
    ({}, ("not-an-image",), "bukan gambar"),
    ({}, ("big",), "5 MB"),
    ({}, ("four",), "3 foto"),
    ({}, ("gif",), "bukan gambar"),
])
def test_compose_refuses_bad_input_and_stores_nothing(cast, fields, files, message, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    uploads = []
    for kind in files:
        if kind == "not-an-image":
            uploads.append(SimpleUploadedFile("foto.jpg", b"MZ\x90\x00 not an image at all", "image/jpeg"))
        elif kind == "big":
            uploads.append(SimpleUploadedFile("besar.png", image_bytes("PNG") + b"\0" * (5 * 1024 * 1024),
                                              "image/png"))
        elif kind == "gif":
            uploads.append(SimpleUploadedFile("anim.jpg", image_bytes("GIF"), "image/jpeg"))
        else:
            uploads += [SimpleUploadedFile(f"{n}.jpg", image_bytes(), "image/jpeg") for n in range(4)]
    response = _compose(cast.client(cast.siti), files=uploads, **fields)
    assert response.status_code == 400
    assert message.lower() in _text(response).lower()
    assert Aspiration.objects.count() == 0
    assert AspirationPhoto.objects.count() == 0
    assert QueueItem.objects.count() == 0
    assert not any(tmp_path.rglob("*.*"))


def test_compose_needs_an_account(cast):
    assert cast.client(None).get("/aspirasi/kirim/").status_code == 302


# --- mine and the inbox ---------------------------------------------------------------------------------
def test_my_aspirations(cast):
    submit(cast, title="Milik Siti")
    submit(cast, author=cast.budi, title="Milik Budi")
    page = _text(cast.client(cast.siti).get("/aspirasi/saya/"))
    assert "Milik Siti" in page and "Milik Budi" not in page and "Menunggu verifikasi" in page


def test_the_inbox_is_for_agency_officials(cast, published):
    health = publish(cast, submit(cast, title="Puskesmas tutup", category=cast.health, privacy=None))
    forward(cast, published)
    page = _text(cast.client(cast.kadpupr).get("/aspirasi/instansi/"))
    assert "Jalan rusak" in page and "Puskesmas tutup" not in page and "answer-form" in page
    assert "Puskesmas tutup" in _text(cast.client(cast.kadinkes).get("/aspirasi/instansi/"))
    for user in (cast.siti, cast.budi, cast.moderator):
        assert cast.client(user).get("/aspirasi/instansi/").status_code == 403
    assert cast.client(None).get("/aspirasi/instansi/").status_code == 302
    # Answering from the inbox returns to it.
    response = cast.client(cast.kadpupr).post(f"/aspirasi/{published.pk}/jawab/",
                                              {"body": "Sudah kami cek.", "next": "/aspirasi/instansi/"})
    assert response["Location"] == "/aspirasi/instansi/"
    assert Aspiration.objects.get(pk=published.pk).status == Status.ANSWERED
    assert health.pk


# --- the demo -------------------------------------------------------------------------------------------
def test_seed_demo_tells_every_kind_of_story_once(db):
    from forum.models import Category
    from officials.models import Official
    from ops.demo import seed_demo

    seed_demo(password="demo-pw-2026")
    seed_demo(password="demo-pw-2026")  # idempotent
    rows = list(Aspiration.objects.all())
    assert len(rows) == 9
    assert {row.status for row in rows} == set(Status.values)
    assert any(row.privacy == "anonymous" for row in rows) and any(row.privacy == "confidential" for row in rows)
    assert any(row.rating for row in rows)
    assert any(row.is_open and row.due_at and row.due_at < timezone.now() for row in rows)
    assert len({row.kecamatan for row in rows}) >= 5 and len({row.agency_id for row in rows}) >= 4
    assert Category.objects.get(slug="adminduk").agency.slug == "disdukcapil"
    assert Category.objects.get(slug="ketertiban").agency.slug == "setda"
    assert Official.objects.get(user__username="kadpupr").agency.slug == "dpupr"
    assert Reply.objects.exclude(official_title="").exists()
