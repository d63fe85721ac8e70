"""A session's lifecycle with a controllable clock: it opens and closes by
itself, once, also across a restart; early opening, extension, cancellation;
what is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import Room, RoomState
from common.errors import AppError
from qa import lifecycle, services
from qa.models import Session, SessionStatus
from tests.qa.helpers import ask


def schedule(cast, *, start, end, actor=None, officials=None) -> Session:
    return services.session_schedule(actor=actor or cast["moderator"], title="Dialog Bupati",
                                     officials=officials or [cast["bupati"]], agency=cast["setda"],
                                     starts_at=start, ends_at=end)


def test_a_session_owns_a_premoderated_room_named_after_it(cast):
    start = timezone.now() + timedelta(days=1)
    session = schedule(cast, start=start, end=start + timedelta(hours=1))
    room = session.room
    assert room.slug == f"sesi-{session.pk}" and room.premoderated and room.state == RoomState.OPEN
    assert room.post_policy == "staff"  # citizens' questions go through question_ask only
    assert session.status == SessionStatus.SCHEDULED


def test_it_opens_and_closes_on_time_once_also_across_a_restart(cast):
    start = timezone.now() + timedelta(hours=2)
    end = start + timedelta(hours=1)
    session = schedule(cast, start=start, end=end)
    assert services.sessions_tick(now=start - timedelta(seconds=1)) == {"opened": 0, "closed": 0}
    assert services.sessions_tick(now=start) == {"opened": 1, "closed": 0}
    assert services.sessions_tick(now=start) == {"opened": 0, "closed": 0}  # a second worker
    session.refresh_from_db()
    assert (session.status, session.opened_at) == (SessionStatus.LIVE, start)
    # "Restart": the worker keeps nothing in memory; the periodic it runs reads the rows.
    from django.db import connections

    from common.jobs import _periodic

    connections.close_all()
    tick = _periodic["qa.sessions"].fn
    assert tick is services.sessions_tick
    assert tick(now=end - timedelta(seconds=1)) == {"opened": 0, "closed": 0}
    assert tick(now=end + timedelta(minutes=3)) == {"opened": 0, "closed": 1}
    assert services.sessions_tick(now=end + timedelta(minutes=4)) == {"opened": 0, "closed": 0}
    session.refresh_from_db()
    assert (session.status, session.closed_at) == (SessionStatus.ENDED, end + timedelta(minutes=3))
    assert Room.objects.get(pk=session.room_id).state == RoomState.CLOSED


def test_a_session_missed_while_no_worker_ran_opens_and_closes_in_one_tick(cast):
    start = timezone.now() - timedelta(hours=3)
    session = schedule(cast, start=start, end=start + timedelta(hours=1))
    assert services.sessions_tick() == {"opened": 1, "closed": 1}
    session.refresh_from_db()
    assert session.status == SessionStatus.ENDED and session.opened_at and session.closed_at


@pytest.mark.parametrize("minutes", [0, -30])
def test_a_session_ending_before_it_starts_is_refused(cast, minutes):
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(AppError) as refused:
        schedule(cast, start=start, end=start + timedelta(minutes=minutes))
    assert refused.value.code == "session_period_invalid"
    assert not Session.objects.exists() and not Room.objects.filter(slug__startswith="sesi-").exists()


def test_only_officials_hold_sessions_and_only_for_themselves(cast):
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(AppError) as unknown:
        schedule(cast, start=start, end=start + timedelta(hours=1), officials=[cast["bupati"], cast["siti"]])
    assert unknown.value.code == "not_an_official"
    for outsider in ("siti", "kadis", "staf_kadis"):
        with pytest.raises(AppError) as refused:
            schedule(cast, start=start, end=start + timedelta(hours=1), actor=cast[outsider])
        assert refused.value.code == "forbidden"
    assert not Session.objects.exists()
    # The Bupati's delegate schedules for the Bupati.
    assert schedule(cast, start=start, end=start + timedelta(hours=1), actor=cast["staf1"]).pk


def test_open_early_extend_and_cancel_by_the_officials_or_their_delegates(cast):
    start = timezone.now() + timedelta(hours=1)
    session = schedule(cast, start=start, end=start + timedelta(hours=1))
    for outsider in ("siti", "kadis", "staf_kadis", "wabup"):
        for action in (lambda who: services.session_open_early(actor=who, session_id=session.pk),
                       lambda who: services.session_extend(actor=who, session_id=session.pk,
                                                           ends_at=start + timedelta(hours=3)),
                       lambda who: services.session_cancel(actor=who, session_id=session.pk)):
            with pytest.raises(AppError) as refused:
                action(cast[outsider])
            assert refused.value.code == "forbidden"
    session.refresh_from_db()
    assert (session.status, session.ends_at) == (SessionStatus.SCHEDULED, start + timedelta(hours=1))

    services.session_open_early(actor=cast["staf1"], session_id=session.pk)
    session.refresh_from_db()
    assert session.status == SessionStatus.LIVE and session.opened_at < start
    assert services.sessions_tick(now=start) == {"opened": 0, "closed": 0}
    with pytest.raises(AppError) as twice:
        services.session_open_early(actor=cast["bupati"], session_id=session.pk)
    assert twice.value.code == lifecycle.ILLEGAL_TRANSITION

    with pytest.raises(AppError) as shorter:
        services.session_extend(actor=cast["bupati"], session_id=session.pk, ends_at=start + timedelta(minutes=30))
    assert shorter.value.code == "session_period_invalid"
    services.session_extend(actor=cast["bupati"], session_id=session.pk, ends_at=start + timedelta(hours=2))
    assert services.sessions_tick(now=start + timedelta(hours=1, minutes=1))["closed"] == 0
    assert services.sessions_tick(now=start + timedelta(hours=2))["closed"] == 1


def test_a_moderator_cancels_and_the_room_closes(cast):
    start = timezone.now() + timedelta(hours=1)
    session = schedule(cast, start=start, end=start + timedelta(hours=1))
    services.session_cancel(actor=cast["moderator"], session_id=session.pk, reason="Bupati berhalangan")
    session.refresh_from_db()
    assert (session.status, session.cancel_reason) == (SessionStatus.CANCELLED, "Bupati berhalangan")
    assert Room.objects.get(pk=session.room_id).state == RoomState.CLOSED
    assert services.sessions_tick(now=start + timedelta(minutes=1)) == {"opened": 0, "closed": 0}
    with pytest.raises(AppError) as again:
        services.session_cancel(actor=cast["bupati"], session_id=session.pk)
    assert again.value.code == "closed"


@pytest.mark.parametrize("ending", ["ended", "cancelled"])
def test_asking_in_an_ended_or_cancelled_session_is_refused(cast, live_session, ending):
    if ending == "ended":
        services.sessions_tick(now=live_session.ends_at)
    else:
        services.session_cancel(actor=cast["bupati"], session_id=live_session.pk)
    with pytest.raises(AppError) as refused:
        ask(cast["siti"], live_session)
    assert refused.value.code == "closed"
    assert not live_session.questions.exists() and not live_session.room.messages.exists()
