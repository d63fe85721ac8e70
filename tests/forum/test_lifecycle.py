"""The status lifecycle: every legal step works for whom it should, and every
other (status, status, role) is refused with nothing changed."""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone

from accounts.choices import Role
from common.errors import AppError
from forum import lifecycle, services
from forum.models import Aspiration, Status, TimelineEntry
from tests.forum import factories
from tests.hub import create_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_table_refuses_every_pair_it_does_not_list():
    every_role = {lifecycle.MODERATOR, lifecycle.AGENCY, lifecycle.AUTHOR, lifecycle.SYSTEM}
    for source, target in itertools.product(Status.values, Status.values):
        listed = (source, target) in lifecycle.TRANSITIONS
        assert lifecycle.allowed(source, target, every_role) is listed, (source, target)
        if not listed:
            with pytest.raises(AppError) as refused:
                lifecycle.check(source, target, every_role, reason="alasan", agency=object())
            assert refused.value.code == lifecycle.ILLEGAL_TRANSITION


def test_each_step_needs_its_actor_reason_and_agency():
    with pytest.raises(AppError) as refused:
        lifecycle.check(Status.NEW, Status.VERIFIED, {lifecycle.AUTHOR}, reason="", agency=None)
    assert refused.value.code == "forbidden"
    with pytest.raises(AppError) as refused:
        lifecycle.check(Status.NEW, Status.REJECTED, {lifecycle.MODERATOR}, reason="  ", agency=None)
    assert refused.value.code == lifecycle.REASON_REQUIRED
    with pytest.raises(AppError) as refused:
        lifecycle.check(Status.VERIFIED, Status.FORWARDED, {lifecycle.MODERATOR}, reason="", agency=None)
    assert refused.value.code == lifecycle.AGENCY_REQUIRED


@pytest.fixture
def cast():
    dpupr, dinkes = factories.agency(), factories.agency("dinkes", "Dinas Kesehatan")
    return {
        "author": create_user("siti"), "other": create_user("budi"),
        "moderator": create_user("mod", role=Role.MODERATOR),
        "kadpupr": factories.official("kadpupr", dpupr), "kadinkes": factories.official("kadinkes", dinkes),
        "dpupr": dpupr, "dinkes": dinkes,
    }


def _snapshot(aspiration: Aspiration) -> tuple:
    aspiration.refresh_from_db()
    return (aspiration.status, aspiration.agency_id, aspiration.due_at, aspiration.last_seq,
            TimelineEntry.objects.filter(aspiration=aspiration).count())


def test_the_whole_way_from_new_to_done_and_reopened(cast):
    aspiration = factories.submit(cast["author"], cat=factories.category(of=cast["dpupr"]))
    assert (aspiration.status, aspiration.published) == (Status.NEW, False)
    factories.verify(aspiration, cast["moderator"])
    services.status_change(actor=cast["moderator"], aspiration_id=aspiration.pk, to_status=Status.FORWARDED,
                           agency=cast["dpupr"])
    services.reply_post(user=cast["kadpupr"], aspiration_id=aspiration.pk, body="Akan kami perbaiki pekan depan.",
                        as_answer=True)
    aspiration.refresh_from_db()
    assert aspiration.status == Status.ANSWERED and aspiration.first_response_at is not None
    services.status_change(actor=cast["author"], aspiration_id=aspiration.pk, to_status=Status.DONE)
    services.aspiration_rate(user=cast["author"], aspiration_id=aspiration.pk, rating=4, comment="Cepat")
    services.status_change(actor=cast["author"], aspiration_id=aspiration.pk, to_status=Status.FORWARDED,
                           reason="Lubangnya muncul lagi")
    aspiration.refresh_from_db()
    assert (aspiration.status, aspiration.reopened, aspiration.agency_id) == (Status.FORWARDED, 1, cast["dpupr"].pk)
    steps = list(TimelineEntry.objects.filter(aspiration=aspiration).values_list("from_status", "to_status"))
    assert steps == [("", "new"), ("new", "verified"), ("verified", "forwarded"), ("forwarded", "answered"),
                     ("answered", "done"), ("done", "forwarded")]


@pytest.mark.parametrize(("who", "to", "extra"), [
    ("author", Status.VERIFIED, {}),                         # only moderators verify
    ("other", Status.REJECTED, {"reason": "spam"}),          # a citizen cannot reject
    ("kadinkes", Status.ANSWERED, {}),                       # another agency cannot answer
    ("moderator", Status.DONE, {}),                          # not from forwarded
    ("moderator", Status.FORWARDED, {}),                     # re-forwarding needs a reason and an agency
    ("kadpupr", Status.FORWARDED, {"reason": "bukan kami", "agency": "dpupr"}),  # to the same agency
    ("author", Status.FORWARDED, {"reason": "ulang"}),       # reopening only once done
])
def test_illegal_or_unauthorised_steps_change_nothing(cast, who, to, extra):
    aspiration = factories.forwarded(cast["author"], cast["moderator"], cast["dpupr"])
    before = _snapshot(aspiration)
    if "agency" in extra:
        extra = {**extra, "agency": cast[extra["agency"]]}
    with pytest.raises(AppError) as refused:
        services.status_change(actor=cast[who], aspiration_id=aspiration.pk, to_status=to, **extra)
    assert refused.value.code in {"illegal_transition", "forbidden", "reason_required", "agency_required",
                                  "invalid", "not_found"}
    assert _snapshot(aspiration) == before


def test_a_citizen_who_may_not_see_it_is_told_not_found(cast):
    aspiration = factories.submit(cast["author"])  # waiting for review: not public
    with pytest.raises(AppError) as refused:
        services.status_change(actor=cast["other"], aspiration_id=aspiration.pk, to_status=Status.REJECTED,
                               reason="x")
    assert refused.value.code == "not_found"


def test_reopening_is_refused_after_14_days(cast):
    aspiration = factories.forwarded(cast["author"], cast["moderator"], cast["dpupr"])
    services.reply_post(user=cast["kadpupr"], aspiration_id=aspiration.pk, body="Selesai.", as_answer=True)
    services.status_change(actor=cast["author"], aspiration_id=aspiration.pk, to_status=Status.DONE)
    Aspiration.objects.filter(pk=aspiration.pk).update(done_at=timezone.now() - timezone.timedelta(days=15))
    before = _snapshot(aspiration)
    with pytest.raises(AppError) as refused:
        services.status_change(actor=cast["author"], aspiration_id=aspiration.pk, to_status=Status.FORWARDED,
                               reason="Belum beres")
    assert refused.value.code == services.REOPEN_WINDOW
    assert _snapshot(aspiration) == before


@pytest.mark.parametrize("rating", [0, 6, "5", True, None])
def test_a_rating_outside_one_to_five_is_refused(cast, rating):
    aspiration = factories.forwarded(cast["author"], cast["moderator"], cast["dpupr"])
    services.reply_post(user=cast["kadpupr"], aspiration_id=aspiration.pk, body="Selesai.", as_answer=True)
    services.status_change(actor=cast["author"], aspiration_id=aspiration.pk, to_status=Status.DONE)
    with pytest.raises(AppError) as refused:
        services.aspiration_rate(user=cast["author"], aspiration_id=aspiration.pk, rating=rating)
    assert refused.value.code == "invalid"
    aspiration.refresh_from_db()
    assert aspiration.rating is None


def test_only_the_author_rates_and_only_when_done(cast):
    aspiration = factories.forwarded(cast["author"], cast["moderator"], cast["dpupr"])
    with pytest.raises(AppError) as refused:
        services.aspiration_rate(user=cast["author"], aspiration_id=aspiration.pk, rating=5)
    assert refused.value.code == services.NOT_RATEABLE
    services.reply_post(user=cast["kadpupr"], aspiration_id=aspiration.pk, body="Selesai.", as_answer=True)
    services.status_change(actor=cast["author"], aspiration_id=aspiration.pk, to_status=Status.DONE)
    with pytest.raises(AppError) as refused:
        services.aspiration_rate(user=cast["other"], aspiration_id=aspiration.pk, rating=5)
    assert refused.value.code == services.NOT_RATEABLE
    aspiration.refresh_from_db()
    assert aspiration.rating is None
