"""Followers of a session are reminded a day and 15 minutes before it starts
and when it opens — each reminder once per follower, whatever the worker
does — told when it moves or is cancelled, by e-mail too if they chose it.
The clock is the ``now`` handed to the worker's scans."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connections
from django.utils import timezone

from common.errors import AppError
from common.jobs import Worker, _periodic
from notify.models import Channel, Notification
from notify.services import notification_digest_send, preference_set
from qa import services
from qa.models import Follow, Session, SessionStatus

DAY, SOON, OPENED = "qa.reminder_day", "qa.reminder_soon", "qa.opened"
RESCHEDULED, CANCELLED = "qa.rescheduled", "qa.cancelled"
REMINDERS = (DAY, SOON, OPENED)


def schedule(cast, start) -> Session:
    return services.session_schedule(actor=cast["moderator"], title="Dialog Bupati: air bersih",
                                     officials=[cast["bupati"]], agency=cast["setda"], starts_at=start,
                                     ends_at=start + timedelta(hours=1))


@pytest.fixture
def upcoming(cast):
    """A session three days ahead, followed by Siti and Budi."""
    session = schedule(cast, timezone.now() + timedelta(days=3))
    for name in ("siti", "budi"):
        services.session_follow(user=cast[name], session_id=session.pk)
    return session


def sent(kind: str) -> list[int]:
    """Recipients of ``kind``, one entry per notification stored."""
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def run_jobs() -> int:
    """Run the queued jobs (the e-mails) as the worker does; the periodic scans
    are left out here: the tests run them with their own clock."""
    worker = Worker("test-reminders")
    worker.run_periodic = lambda force=False: None
    try:
        return worker.drain()
    finally:
        worker.close()


def test_each_reminder_reaches_each_follower_once_however_often_the_scan_runs(cast, upcoming):
    start, followers = upcoming.starts_at, sorted([cast["siti"].pk, cast["budi"].pk])
    assert services.reminders_send(now=start - timedelta(hours=25)) == {"day": 0, "soon": 0, "open": 0}
    assert services.reminders_send(now=start - timedelta(hours=24)) == {"day": 2, "soon": 0, "open": 0}
    assert services.reminders_send(now=start - timedelta(hours=24)) == {"day": 0, "soon": 0, "open": 0}
    # A restart: the worker keeps nothing in memory; the periodic it runs reads the rows.
    connections.close_all()
    scan = _periodic["qa.reminders"].fn
    assert scan is services.reminders_send
    assert scan(now=start - timedelta(hours=2)) == {"day": 0, "soon": 0, "open": 0}
    assert scan(now=start - timedelta(minutes=15)) == {"day": 0, "soon": 2, "open": 0}
    assert scan(now=start - timedelta(minutes=1)) == {"day": 0, "soon": 0, "open": 0}
    services.sessions_tick(now=start)
    assert scan(now=start) == {"day": 0, "soon": 0, "open": 2}
    assert services.reminders_send(now=start + timedelta(minutes=1)) == {"day": 0, "soon": 0, "open": 0}
    assert [sent(kind) for kind in REMINDERS] == [followers] * 3
    day = Notification.objects.filter(kind=DAY).first()
    assert day.url == f"/sesi/{upcoming.pk}/"
    assert day.params["title"] == "Dialog Bupati: air bersih"
    assert day.params["when"] == timezone.localtime(start).strftime("%d-%m-%Y %H:%M WIB")


def test_two_workers_scanning_at_once_remind_once(cast, upcoming):
    """Two scans of the same moment, one after another on separate
    connections, as two workers would: the stamps decide."""
    moment = upcoming.starts_at - timedelta(minutes=10)
    first = services.reminders_send(now=moment)
    connections.close_all()
    second = services.reminders_send(now=moment)
    assert (first["soon"], second["soon"]) == (2, 0)
    assert len(sent(SOON)) == 2


def test_scans_running_at_the_same_time_remind_once(cast, upcoming):
    moment = upcoming.starts_at - timedelta(hours=24)

    def scan(_n):
        try:
            return services.reminders_send(now=moment)["day"]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        reminded = list(pool.map(scan, range(4)))
    assert sum(reminded) == 2 and len(sent(DAY)) == 2


def test_followers_are_reminded_in_batches_each_once(cast, upcoming, monkeypatch):
    monkeypatch.setattr(services, "REMIND_BATCH", 1)
    services.session_follow(user=cast["staf2"], session_id=upcoming.pk)
    assert services.reminders_send(now=upcoming.starts_at - timedelta(hours=24))["day"] == 3
    assert len(set(sent(DAY))) == len(sent(DAY)) == 3
    assert not Follow.objects.filter(session=upcoming, day_sent_at__isnull=True).exists()


def test_a_reminder_missed_while_no_worker_ran_is_skipped_for_the_next(cast, upcoming):
    """The worker was down over the day-before moment: 10 minutes before the
    start it sends "starting soon" only, not a late "tomorrow" beside it."""
    assert services.reminders_send(now=upcoming.starts_at - timedelta(minutes=10)) == {"day": 0, "soon": 2,
                                                                                         "open": 0}
    assert sent(DAY) == [] and len(sent(SOON)) == 2


def test_an_early_opening_sends_the_opening_reminder_and_no_more_before_ones(cast, upcoming):
    services.session_open_early(actor=cast["bupati"], session_id=upcoming.pk)
    now = timezone.now()
    assert services.reminders_send(now=now) == {"day": 0, "soon": 0, "open": 2}
    assert services.reminders_send(now=upcoming.starts_at - timedelta(minutes=15)) == {"day": 0, "soon": 0, "open": 0}
    assert sent(DAY) == [] and sent(SOON) == []


def test_following_late_sends_only_the_reminders_still_ahead(cast):
    session = schedule(cast, timezone.now() + timedelta(hours=2))
    services.session_follow(user=cast["siti"], session_id=session.pk)
    assert services.reminders_send(now=timezone.now()) == {"day": 0, "soon": 0, "open": 0}
    assert services.reminders_send(now=session.starts_at - timedelta(minutes=15))["soon"] == 1
    services.sessions_tick(now=session.starts_at)
    # Budi follows the live session from its page: he needs no "it is open" notice.
    services.session_follow(user=cast["budi"], session_id=session.pk)
    assert services.reminders_send(now=session.starts_at + timedelta(minutes=1))["open"] == 1
    assert sent(OPENED) == [cast["siti"].pk] and sent(DAY) == []


def test_a_reschedule_moves_the_reminders_and_tells_the_followers(cast, upcoming):
    old = upcoming.starts_at
    assert services.reminders_send(now=old - timedelta(hours=24))["day"] == 2
    new = old + timedelta(days=2)
    services.session_reschedule(actor=cast["staf1"], session_id=upcoming.pk, starts_at=new,
                                ends_at=new + timedelta(hours=1))  # a delegate of the Bupati
    assert len(sent(RESCHEDULED)) == 2
    moved = Notification.objects.filter(kind=RESCHEDULED).first()
    assert moved.params["when"] == timezone.localtime(new).strftime("%d-%m-%Y %H:%M WIB")
    # The old times send nothing and open nothing.
    assert services.reminders_send(now=old - timedelta(minutes=15)) == {"day": 0, "soon": 0, "open": 0}
    assert services.sessions_tick(now=old) == {"opened": 0, "closed": 0}
    assert services.reminders_send(now=old) == {"day": 0, "soon": 0, "open": 0}
    # The new ones do, each once.
    assert services.reminders_send(now=new - timedelta(hours=24))["day"] == 2
    assert services.reminders_send(now=new - timedelta(minutes=15))["soon"] == 2
    services.sessions_tick(now=new)
    assert services.reminders_send(now=new)["open"] == 2
    assert len(sent(DAY)) == 4, "one day-before reminder for the old time, one for the new"
    assert len(sent(SOON)) == 2 and len(sent(OPENED)) == 2


def test_a_reschedule_into_the_last_day_does_not_send_the_day_reminder_as_well(cast, upcoming):
    new = timezone.now() + timedelta(hours=3)
    services.session_reschedule(actor=cast["moderator"], session_id=upcoming.pk, starts_at=new,
                                ends_at=new + timedelta(hours=1))
    assert services.reminders_send(now=timezone.now()) == {"day": 0, "soon": 0, "open": 0}
    assert services.reminders_send(now=new - timedelta(minutes=15))["soon"] == 2
    assert sent(DAY) == [] and len(sent(RESCHEDULED)) == 2


def test_a_cancellation_is_told_and_no_reminder_follows(cast, upcoming):
    services.session_cancel(actor=cast["bupati"], session_id=upcoming.pk, reason="Bupati bertugas ke Semarang.")
    assert sent(CANCELLED) == sorted([cast["siti"].pk, cast["budi"].pk])
    cancelled = Notification.objects.filter(kind=CANCELLED).first()
    assert cancelled.params["reason"] == "Bupati bertugas ke Semarang."
    assert cancelled.url == f"/sesi/{upcoming.pk}/"
    start = upcoming.starts_at
    for moment in (start - timedelta(hours=24), start - timedelta(minutes=15), start):
        services.sessions_tick(now=moment)
        assert services.reminders_send(now=moment) == {"day": 0, "soon": 0, "open": 0}
    assert [sent(kind) for kind in REMINDERS] == [[], [], []]


def test_the_one_who_cancels_is_not_told_of_it(cast, upcoming):
    services.session_follow(user=cast["bupati"], session_id=upcoming.pk)
    services.session_cancel(actor=cast["bupati"], session_id=upcoming.pk)
    assert cast["bupati"].pk not in sent(CANCELLED) and len(sent(CANCELLED)) == 2


def test_reminders_are_mailed_at_once_to_followers_who_chose_email(cast, upcoming):
    siti, budi = cast["siti"], cast["budi"]
    siti.email, budi.email = "siti@example.id", "budi@example.id"
    siti.save(update_fields=["email"])
    budi.save(update_fields=["email"])
    preference_set(user=siti, kind=SOON, channel=Channel.EMAIL)
    services.reminders_send(now=upcoming.starts_at - timedelta(minutes=15))
    assert run_jobs() == 1
    assert [message.to for message in mail.outbox] == [["siti@example.id"]], "Budi keeps the in-app default"
    assert "Dialog Bupati: air bersih" in mail.outbox[0].body
    assert mail.outbox[0].subject.startswith("Balai Warga: Segera dimulai: sesi tanya jawab “Dialog Bupati")
    assert Notification.objects.get(kind=SOON, recipient=siti).emailed_at is not None
    assert notification_digest_send() == 0, "the hourly digest does not repeat it"
    assert len(sent(SOON)) == 2


def test_a_cancellation_is_mailed_and_a_follower_who_turned_the_kind_off_gets_nothing(cast, upcoming):
    siti, budi = cast["siti"], cast["budi"]
    siti.email = "siti@example.id"
    siti.save(update_fields=["email"])
    preference_set(user=siti, kind=CANCELLED, channel=Channel.EMAIL)
    preference_set(user=budi, kind=CANCELLED, channel=Channel.OFF)
    services.session_cancel(actor=cast["moderator"], session_id=upcoming.pk, reason="Banjir.")
    run_jobs()
    assert [message.to for message in mail.outbox] == [["siti@example.id"]]
    assert "Banjir." in mail.outbox[0].body
    assert sent(CANCELLED) == [siti.pk]


def test_unfollowing_stops_the_reminders(cast, upcoming):
    assert services.reminders_send(now=upcoming.starts_at - timedelta(hours=24))["day"] == 2
    assert services.session_unfollow(user=cast["budi"], session_id=upcoming.pk) is True
    assert services.session_unfollow(user=cast["budi"], session_id=upcoming.pk) is False  # idempotent
    assert services.reminders_send(now=upcoming.starts_at - timedelta(minutes=15))["soon"] == 1
    assert sent(SOON) == [cast["siti"].pk]


def test_following_twice_keeps_one_follow(cast, upcoming):
    services.session_follow(user=cast["siti"], session_id=upcoming.pk)
    assert Follow.objects.filter(session=upcoming, user=cast["siti"]).count() == 1
    assert services.reminders_send(now=upcoming.starts_at - timedelta(hours=24))["day"] == 2


def test_a_deactivated_follower_is_not_reminded(cast, upcoming):
    cast["budi"].is_active = False
    cast["budi"].save(update_fields=["is_active"])
    assert services.reminders_send(now=upcoming.starts_at - timedelta(hours=24))["day"] == 1
    assert services.reminders_send(now=upcoming.starts_at - timedelta(hours=24))["day"] == 0


def _error(call) -> AppError:
    with pytest.raises(AppError) as refused:
        call()
    return refused.value


def test_following_a_cancelled_or_ended_session_is_refused_clearly(cast, upcoming):
    citizen = cast["siti"]
    services.session_cancel(actor=cast["moderator"], session_id=upcoming.pk)
    error = _error(lambda: services.session_follow(user=cast["staf2"], session_id=upcoming.pk))
    assert error.code == "closed" and "dibatalkan" in str(error.detail)  # "cancelled"
    ended = schedule(cast, timezone.now() - timedelta(hours=3))
    services.sessions_tick()
    assert Session.objects.get(pk=ended.pk).status == SessionStatus.ENDED
    error = _error(lambda: services.session_follow(user=citizen, session_id=ended.pk))
    assert error.code == "closed" and "selesai" in str(error.detail)  # "ended"
    assert _error(lambda: services.session_follow(user=citizen, session_id=999999)).code == "not_found"
    from django.contrib.auth.models import AnonymousUser

    assert _error(lambda: services.session_follow(user=AnonymousUser(), session_id=upcoming.pk)).code == "forbidden"
    assert not Follow.objects.filter(session=ended).exists()
    assert not Follow.objects.filter(user=cast["staf2"]).exists()


def test_who_may_reschedule_and_what_is_refused(cast, upcoming):
    start, end = upcoming.starts_at, upcoming.ends_at
    later = start + timedelta(days=1)

    def reschedule(actor, starts_at=later, ends_at=later + timedelta(hours=1), session=upcoming):
        return services.session_reschedule(actor=actor, session_id=session.pk, starts_at=starts_at, ends_at=ends_at)

    assert _error(lambda: reschedule(cast["siti"])).code == "forbidden"
    assert _error(lambda: reschedule(cast["kadis"])).code == "forbidden"  # an official of another session
    assert _error(lambda: reschedule(cast["staf_kadis"])).code == "forbidden"
    assert _error(lambda: reschedule(cast["bupati"], ends_at=later)).code == "session_period_invalid"
    past = timezone.now() - timedelta(minutes=1)
    assert _error(lambda: reschedule(cast["bupati"], starts_at=past, ends_at=later)).code == "session_period_invalid"
    upcoming.refresh_from_db()
    assert (upcoming.starts_at, upcoming.ends_at) == (start, end)
    assert sent(RESCHEDULED) == []
    # A live session is extended, not moved; an ended or cancelled one is read-only.
    live = schedule(cast, timezone.now() + timedelta(hours=1))
    services.session_open_early(actor=cast["bupati"], session_id=live.pk)
    assert _error(lambda: reschedule(cast["bupati"], session=live)).code == "session_illegal_transition"
    services.session_cancel(actor=cast["bupati"], session_id=live.pk)
    assert _error(lambda: reschedule(cast["bupati"], session=live)).code == "closed"
    # The same times again change nothing and tell nobody.
    reschedule(cast["bupati"], starts_at=start, ends_at=end)
    assert sent(RESCHEDULED) == []
