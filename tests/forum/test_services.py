"""The forum's writes: what a citizen, an official and the worker's clock do
to an aspiration, and the bad inputs that change nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from django.core import mail  # noqa: F401  (the digest is not under test here)
from django.db import connections
from django.utils import timezone

from accounts.choices import Role
from common.errors import AppError
from forum import deadlines, services
from forum.models import Aspiration, Privacy, Reply, Status, Support
from moderation.models import QueueItem
from notify.models import Notification
from tests.forum import factories
from tests.hub import create_user

WIB = deadlines.WIB


@pytest.fixture
def cast():
    dpupr = factories.agency()
    setda = factories.agency("setda", "Sekretariat Daerah")
    return {"author": create_user("siti"), "other": create_user("budi"),
            "moderator": create_user("mod", role=Role.MODERATOR),
            "kadpupr": factories.official("kadpupr", dpupr), "sekda": factories.official("sekda", setda,
                                                                                       "Sekretaris Daerah"),
            "dpupr": dpupr}


def test_a_new_aspiration_waits_for_review_with_its_verification_deadline(cast):
    before = timezone.now()
    aspiration = factories.submit(cast["author"], cat=factories.category(of=cast["dpupr"]))
    assert (aspiration.status, aspiration.published, aspiration.agency_id) == (Status.NEW, False, cast["dpupr"].pk)
    assert aspiration.due_at == deadlines.add_working_days(before, 3)
    item = QueueItem.objects.get(target_kind="forum.aspiration", target_id=aspiration.pk)
    assert (item.queue, item.reasons[0]) == ("forum", "premoderated")
    assert aspiration.follows.filter(user=cast["author"]).exists()


def test_a_confidential_category_starts_confidential_unless_the_citizen_chooses(cast):
    health = factories.category("kesehatan")
    assert factories.submit(cast["author"], cat=health, privacy=None).privacy == Privacy.CONFIDENTIAL
    assert factories.submit(cast["author"], cat=health, privacy=Privacy.PUBLIC,
                            title="Puskesmas tutup").privacy == Privacy.PUBLIC


@pytest.mark.parametrize(("field", "value"), [("title", ""), ("title", "x" * 151), ("body", " "),
                                              ("body", "x" * 5001), ("kecamatan", "jakarta")])
def test_bad_input_stores_nothing(cast, field, value):
    with pytest.raises(AppError) as refused:
        factories.submit(cast["author"], **{field: value})
    assert refused.value.code == "invalid"
    assert Aspiration.objects.count() == 0 and QueueItem.objects.count() == 0


def test_approval_in_the_queue_verifies_publishes_and_tells_the_author(cast):
    aspiration = factories.verify(factories.submit(cast["author"]), cast["moderator"])
    assert aspiration.verified_at is not None
    told = Notification.objects.get(recipient=cast["author"], kind="moderation.approved")
    assert told.url == f"/aspirasi/{aspiration.pk}/"


def test_replies_nest_five_deep_and_no_deeper(cast):
    aspiration = factories.forwarded(cast["author"], cast["moderator"], cast["dpupr"])
    parent = None
    for depth in range(6):
        parent = services.reply_post(user=cast["other"], aspiration_id=aspiration.pk, body=f"tingkat {depth}",
                                     parent_id=parent.pk if parent else None)
        assert parent.depth == depth
    with pytest.raises(AppError) as refused:
        services.reply_post(user=cast["other"], aspiration_id=aspiration.pk, body="terlalu dalam", parent_id=parent.pk)
    assert refused.value.code == services.TOO_DEEP
    assert Reply.objects.count() == 6


def test_an_officials_reply_is_marked_and_a_followers_are_told(cast):
    aspiration = factories.forwarded(cast["author"], cast["moderator"], cast["dpupr"])
    reply = services.reply_post(user=cast["kadpupr"], aspiration_id=aspiration.pk, body="Kami tinjau besok.")
    assert (reply.official_title, reply.official_agency) == ("Kepala Dinas", cast["dpupr"].name)
    note = Notification.objects.get(recipient=cast["author"], kind="forum.reply")
    assert note.url == f"/aspirasi/{aspiration.pk}/#r-{reply.pk}"
    # An official of another agency writes as a citizen would.
    other = services.reply_post(user=cast["sekda"], aspiration_id=aspiration.pk, body="Saya pantau.")
    assert other.official_title == ""


def test_an_edit_keeps_the_history_and_closes_after_15_minutes(cast):
    aspiration = factories.forwarded(cast["author"], cast["moderator"], cast["dpupr"])
    reply = services.reply_post(user=cast["other"], aspiration_id=aspiration.pk, body="Versi satu")
    services.reply_edit(user=cast["other"], reply_id=reply.pk, body="Versi dua")
    reply.refresh_from_db()
    assert reply.body == "Versi dua" and list(reply.revisions.values_list("body", flat=True)) == ["Versi satu"]
    with pytest.raises(AppError):
        services.reply_edit(user=cast["author"], reply_id=reply.pk, body="bukan milikku")
    Reply.objects.filter(pk=reply.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    with pytest.raises(AppError) as refused:
        services.reply_edit(user=cast["other"], reply_id=reply.pk, body="Versi tiga")
    assert refused.value.code == services.EDIT_WINDOW
    reply.refresh_from_db()
    assert reply.body == "Versi dua"


def test_a_deleted_reply_is_a_tombstone_that_keeps_its_children(cast):
    aspiration = factories.forwarded(cast["author"], cast["moderator"], cast["dpupr"])
    top = services.reply_post(user=cast["other"], aspiration_id=aspiration.pk, body="Induk")
    child = services.reply_post(user=cast["author"], aspiration_id=aspiration.pk, body="Anak", parent_id=top.pk)
    services.reply_delete(user=cast["other"], reply_id=top.pk)
    top.refresh_from_db()
    assert top.deleted_at is not None and top.body == "" and top.html == ""
    from forum.selectors import thread

    assert [r.pk for r in thread(aspiration=aspiration)] == [top.pk, child.pk]


def test_supports_are_exact_under_concurrency(cast):
    aspiration = factories.forwarded(cast["author"], cast["moderator"], cast["dpupr"])
    voters = [create_user(f"warga{n}") for n in range(12)]

    def toggle(user):
        try:
            return services.support_toggle(user=user, aspiration_id=aspiration.pk)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        first = list(pool.map(toggle, voters))
    assert all(supported for supported, _count in first)
    aspiration.refresh_from_db()
    assert aspiration.supports == Support.objects.filter(aspiration=aspiration).count() == 12
    with ThreadPoolExecutor(max_workers=6) as pool:
        second = list(pool.map(toggle, voters[:5]))
    assert not any(supported for supported, _count in second)
    aspiration.refresh_from_db()
    assert aspiration.supports == Support.objects.filter(aspiration=aspiration).count() == 7


def test_a_waiting_aspiration_cannot_be_supported(cast):
    aspiration = factories.submit(cast["author"])
    with pytest.raises(AppError):
        services.support_toggle(user=cast["author"], aspiration_id=aspiration.pk)
    with pytest.raises(AppError) as hidden:
        services.support_toggle(user=cast["other"], aspiration_id=aspiration.pk)
    assert hidden.value.code == "not_found"
    assert Support.objects.count() == 0


# --- the clock -----------------------------------------------------------------------------
def test_overdue_is_told_once_then_escalated_once_also_across_restarts(cast, settings):
    settings.FORUM_ESCALATE_WORKING_DAYS = 2
    aspiration = factories.forwarded(cast["author"], cast["moderator"], cast["dpupr"])
    due = aspiration.due_at
    assert services.deadlines_scan(now=due - timedelta(hours=1)) == {"overdue": 0, "escalated": 0, "closed": 0}
    just_after = due + timedelta(minutes=1)
    assert services.deadlines_scan(now=just_after)["overdue"] == 1
    assert services.deadlines_scan(now=just_after)["overdue"] == 0  # a second worker, or after a restart
    assert Notification.objects.filter(recipient=cast["kadpupr"], kind="forum.overdue").count() == 1
    later = deadlines.add_working_days(due, 2) + timedelta(minutes=1)
    assert services.deadlines_scan(now=later)["escalated"] == 1
    assert services.deadlines_scan(now=later)["escalated"] == 0
    assert Notification.objects.filter(recipient=cast["sekda"], kind="forum.escalated").count() == 1


def test_an_answered_aspiration_closes_itself_after_ten_silent_working_days(cast):
    aspiration = factories.forwarded(cast["author"], cast["moderator"], cast["dpupr"])
    services.reply_post(user=cast["kadpupr"], aspiration_id=aspiration.pk, body="Sudah diperbaiki.", as_answer=True)
    answered = datetime(2026, 3, 13, 10, 0, tzinfo=WIB)  # a Friday before Nyepi and Idul Fitri
    Aspiration.objects.filter(pk=aspiration.pk).update(answered_at=answered)
    # Ten working days skip the weekends, Nyepi and Idul Fitri with their cuti bersama (18–24 Mar)
    # and Good Friday (3 Apr): 16, 17, 25, 26, 27, 30, 31 Mar, 1, 2, 6 Apr.
    assert services.deadlines_scan(now=datetime(2026, 4, 6, 23, 59, tzinfo=WIB))["closed"] == 0
    assert services.deadlines_scan(now=datetime(2026, 4, 7, 0, 1, tzinfo=WIB))["closed"] == 1
    aspiration.refresh_from_db()
    assert aspiration.status == Status.DONE
    assert aspiration.timeline.last().actor is None


def test_the_authors_word_restarts_the_quiet_period(cast):
    aspiration = factories.forwarded(cast["author"], cast["moderator"], cast["dpupr"])
    services.reply_post(user=cast["kadpupr"], aspiration_id=aspiration.pk, body="Sudah diperbaiki.", as_answer=True)
    Aspiration.objects.filter(pk=aspiration.pk).update(answered_at=datetime(2026, 5, 4, 9, 0, tzinfo=WIB))
    word = services.reply_post(user=cast["author"], aspiration_id=aspiration.pk, body="Belum, masih berlubang.")
    Reply.objects.filter(pk=word.pk).update(created_at=datetime(2026, 5, 11, 9, 0, tzinfo=WIB))
    # Ten working days after Monday 4 May end on 20 May (Ascension and its cuti bersama, 14–15 May);
    # after the author's word on 11 May they end on 29 May (Idul Adha and its cuti bersama, 27–28 May).
    assert services.deadlines_scan(now=datetime(2026, 5, 21, 9, 0, tzinfo=WIB))["closed"] == 0
    assert services.deadlines_scan(now=datetime(2026, 5, 29, 23, 0, tzinfo=WIB))["closed"] == 0
    assert services.deadlines_scan(now=datetime(2026, 5, 30, 0, 1, tzinfo=WIB))["closed"] == 1


# --- from a Q&A session's question --------------------------------------------------------
def test_a_question_carried_over_is_published_and_forwarded_at_once(cast):
    lainnya = factories.category("lainnya")
    before = timezone.now()
    aspiration = services.aspiration_from_question(
        author=cast["author"], actor=cast["kadpupr"], title="Kapan jalan diperbaiki?", body="Kapan jalan diperbaiki?",
        agency=cast["dpupr"], category=lainnya, kecamatan="tayu", anonymous=True, origin="Dari sesi tanya jawab.")
    assert (aspiration.status, aspiration.published, aspiration.agency_id, aspiration.privacy) == (
        Status.FORWARDED, True, cast["dpupr"].pk, Privacy.ANONYMOUS)
    assert aspiration.due_at == deadlines.add_working_days(before, lainnya.followup_days)
    entry = aspiration.timeline.get()
    assert (entry.to_status, entry.agency_id, entry.reason) == (Status.FORWARDED, cast["dpupr"].pk,
                                                                "Dari sesi tanya jawab.")
    assert aspiration.follows.filter(user=cast["author"]).exists()
    assert not QueueItem.objects.filter(target_kind="forum.aspiration").exists()  # moderated as a question already
    with pytest.raises(AppError) as no_place:
        services.aspiration_from_question(author=cast["other"], actor=cast["kadpupr"], title="t", body="b",
                                          agency=cast["dpupr"], category=lainnya, kecamatan="")
    assert no_place.value.code == "invalid"
