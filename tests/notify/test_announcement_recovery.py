"""An announcement whose delivery job was lost with Redis's data is queued
again by the worker's scan (``notify.announcements``) and reaches each
recipient once, however often — and however concurrently — the scan and the
delivery run (issue 14 C)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from accounts.choices import Kecamatan, Role
from common.jobs import Worker
from notify import services
from notify.models import Announcement, Notification
from tests.hub import create_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def audience():
    """Five citizens of Juwana (the audience) and one of Tayu (not)."""
    create_user("tayu", kecamatan=Kecamatan.TAYU)
    return sorted(create_user(f"juwana{n}", kecamatan=Kecamatan.JUWANA).pk for n in range(5))


def announce() -> Announcement:
    return services.announcement_create(author=create_user("boss", role=Role.ADMIN), title="Pemadaman air",
                                        body="Besok pagi pukul 08.00.", kecamatan=Kecamatan.JUWANA)


def later(minutes: float = 0) -> timezone.datetime:
    """A moment past the idle time a stalled delivery must have."""
    return timezone.now() + timedelta(seconds=settings.NOTIFY_ANNOUNCEMENT_RETRY_SECONDS + 1, minutes=minutes)


def run_jobs() -> int:
    """Run the queued jobs as the worker does (its periodic scans left out:
    the tests run the scan with their own clock)."""
    worker = Worker("test-announcements")
    worker.run_periodic = lambda force=False: None
    try:
        return worker.drain()
    finally:
        worker.close()


def delivered_to(announcement: Announcement) -> list[int]:
    """Recipients, one entry per notification stored."""
    return sorted(Notification.objects.filter(announcement=announcement).values_list("recipient_id", flat=True))


def dies_after(batches: int, send):
    """``notification_send`` of a worker that dies (``SystemExit``) after ``batches`` batches."""
    done = []

    def send_or_die(**kwargs):
        if len(done) == batches:
            raise SystemExit("the worker died")
        done.append(1)
        return send(**kwargs)

    return send_or_die


def in_threads(fn, count: int) -> list:
    def run(_n):
        try:
            return fn()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_a_delivery_lost_with_redis_is_queued_again_and_reaches_each_recipient_once(
        audience, redis_client, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)
    announcement = announce()
    redis_client.flushdb()  # the job went with Redis's data
    assert run_jobs() == 0 and delivered_to(announcement) == []

    assert services.announcement_requeue_stalled() == 0, "not idle long enough yet: its job may still come"
    moment = later()
    assert sum(in_threads(lambda: services.announcement_requeue_stalled(now=moment), 4)) == 1, \
        "two scans at once queue it once"
    assert services.announcement_requeue_stalled(now=moment) == 0
    assert run_jobs() == 1
    announcement.refresh_from_db()
    assert delivered_to(announcement) == audience
    assert announcement.finished_at is not None and announcement.delivered == len(audience)

    assert services.announcement_requeue_stalled(now=later(minutes=10)) == 0, "a finished one is left alone"
    assert run_jobs() == 0 and delivered_to(announcement) == audience


def test_a_delivery_that_stopped_half_way_resumes_from_its_cursor(audience, redis_client, monkeypatch):
    """A worker died after two batches and its job was lost: the one queued
    again sends the rest only."""
    monkeypatch.setattr(services, "BATCH", 2)
    announcement = announce()
    redis_client.flushdb()
    send = services.notification_send
    monkeypatch.setattr(services, "notification_send", dies_after(2, send))
    with pytest.raises(SystemExit):
        services.announcement_deliver({"id": announcement.pk})
    monkeypatch.setattr(services, "notification_send", send)
    assert delivered_to(announcement) == audience[:4]

    assert services.announcement_requeue_stalled(now=later()) == 1
    assert run_jobs() == 1
    assert delivered_to(announcement) == audience
    announcement.refresh_from_db()
    assert announcement.delivered == len(audience)


def test_two_deliveries_at_once_notify_each_recipient_once(audience, monkeypatch):
    """The job queued again while the first still runs (or two workers each
    holding one): they take turns batch by batch."""
    monkeypatch.setattr(services, "BATCH", 1)
    announcement = announce()
    in_threads(lambda: services.announcement_deliver({"id": announcement.pk}), 3)
    announcement.refresh_from_db()
    assert delivered_to(announcement) == audience
    assert announcement.finished_at is not None and announcement.delivered == len(audience)
    # A late third run (the lost job's copy after all) changes nothing.
    assert run_jobs() == 1
    assert delivered_to(announcement) == audience


def test_a_delivery_making_progress_is_not_queued_again(audience, redis_client, monkeypatch):
    """Each batch marks the announcement active: only one idle for the whole
    retry time counts as stalled."""
    monkeypatch.setattr(services, "BATCH", 2)
    announcement = announce()
    redis_client.flushdb()
    Announcement.objects.filter(pk=announcement.pk).update(active_at=timezone.now() - timedelta(hours=1))
    monkeypatch.setattr(services, "notification_send", dies_after(1, services.notification_send))
    with pytest.raises(SystemExit):
        services.announcement_deliver({"id": announcement.pk})
    assert services.announcement_requeue_stalled() == 0, "it moved a moment ago"
    assert services.announcement_requeue_stalled(now=later()) == 1

