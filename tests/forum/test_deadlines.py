"""The working-day clock (forum/deadlines.py): weekends, public holidays and
cuti bersama skipped, days counted in WIB, the same answers after a restart;
and the statistics' calendar (forum/statistics.py) agreeing with it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from accounts.choices import Kecamatan
from forum import deadlines
from forum.deadlines import WIB
from forum.models import Aspiration, Category
from forum.statistics import _Calendar
from tests.hub import create_user


def wib(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=WIB)


def end_of(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.max, tzinfo=WIB)


@pytest.mark.parametrize("day", ["2026-03-18", "2026-03-19", "2026-03-20", "2026-03-23", "2026-03-24",
                                 "2026-04-03", "2026-12-24", "2026-03-14", "2026-03-15"])
def test_not_working_days(day):
    """Nyepi and its cuti bersama, Idul Fitri's cuti bersama, Good Friday,
    Christmas Eve's cuti bersama, a weekend."""
    assert not deadlines.is_working_day(date.fromisoformat(day))


@pytest.mark.parametrize("day", ["2026-03-13", "2026-03-16", "2026-03-17", "2026-03-25", "2026-04-02"])
def test_working_days(day):
    assert deadlines.is_working_day(date.fromisoformat(day))


@pytest.mark.parametrize(("received", "days", "due"), [
    # Friday 13 March, 3 working days: Mon 16, Tue 17, then 18-24 are Nyepi and
    # Idul Fitri (with cuti bersama and a weekend): Wednesday 25.
    (wib("2026-03-13", "15:00"), 3, "2026-03-25"),
    (wib("2026-03-13", "15:00"), 2, "2026-03-17"),
    # A plain weekend: Friday 6 March + 3 = Wednesday 11.
    (wib("2026-03-06"), 3, "2026-03-11"),
    # Received on a holiday: counting starts the next working day.
    (wib("2026-03-19"), 1, "2026-03-25"),
    # Thursday 2 April + 1: Good Friday and the weekend skipped.
    (wib("2026-04-02"), 1, "2026-04-06"),
    # 5 working days from Tuesday 17 March.
    (wib("2026-03-17"), 5, "2026-03-31"),
])
def test_add_working_days(received, days, due):
    assert deadlines.add_working_days(received, days) == end_of(due)


def test_days_are_wib_days_near_midnight_utc():
    # 16:59 UTC on Thursday 12 March is 23:59 WIB, still Thursday: due Tuesday 17.
    thursday_night = datetime(2026, 3, 12, 16, 59, tzinfo=UTC)
    assert deadlines.add_working_days(thursday_night, 3) == end_of("2026-03-17")
    # 17:30 UTC the same evening is 00:30 WIB on Friday: due Wednesday 25.
    friday_early = datetime(2026, 3, 12, 17, 30, tzinfo=UTC)
    assert deadlines.add_working_days(friday_early, 3) == end_of("2026-03-25")
    # The deadline ends at midnight WIB, i.e. 16:59:59.999999 UTC.
    due = deadlines.add_working_days(friday_early, 3)
    assert due.astimezone(UTC) == datetime(2026, 3, 25, 16, 59, 59, 999999, tzinfo=UTC)
    # Done at 23:30 WIB on the 25th (16:30 UTC): same WIB day, not late.
    assert deadlines.working_days_left(due, datetime(2026, 3, 25, 16, 30, tzinfo=UTC)) == 0
    # At 00:30 WIB on Thursday 26 (17:30 UTC on the 25th): a working day late.
    assert deadlines.working_days_left(due, datetime(2026, 3, 25, 17, 30, tzinfo=UTC)) == -1


def test_working_days_between():
    assert deadlines.working_days_between(wib("2026-03-13"), wib("2026-03-25")) == 3
    assert deadlines.working_days_between(wib("2026-03-13", "08:00"), wib("2026-03-13", "20:00")) == 0
    assert deadlines.working_days_between(wib("2026-03-17"), wib("2026-03-24")) == 0  # all holidays
    assert deadlines.working_days_between(wib("2026-03-02"), wib("2026-03-16")) == 10


@pytest.mark.parametrize(("now", "left"), [
    (wib("2026-03-13", "16:00"), 3),
    (wib("2026-03-16", "09:00"), 2),
    (wib("2026-03-20"), 1),  # a holiday: Wednesday 25 is still the one day left
    (wib("2026-03-25", "23:59"), 0),
    (wib("2026-03-26", "00:01"), -1),
    (wib("2026-03-28"), -2),  # Saturday: Thursday and Friday late
    (wib("2026-03-30"), -3),
])
def test_countdown_with_a_controllable_clock(now, left):
    due = deadlines.add_working_days(wib("2026-03-13", "15:00"), 3)
    assert deadlines.working_days_left(due, now) == left


@pytest.mark.django_db
def test_the_clock_survives_a_restart():
    """The deadline is stored; "now" is asked afresh. After a restart (the
    holiday cache emptied, the row read back) the countdown is the same."""
    category = Category.objects.get(slug="jalan-infrastruktur")
    item = Aspiration.objects.create(title="t", body="b", html="b", category=category, kecamatan=Kecamatan.PATI,
                                     author=create_user("warga"))
    Aspiration.objects.filter(pk=item.pk).update(
        due_at=deadlines.add_working_days(wib("2026-03-13", "15:00"), category.verify_days))
    before = [deadlines.working_days_left(Aspiration.objects.get(pk=item.pk).due_at, now)
              for now in (wib("2026-03-16"), wib("2026-03-24"), wib("2026-03-27"))]
    deadlines._holidays.cache_clear()
    item.refresh_from_db()
    assert item.due_at == end_of("2026-03-25")
    after = [deadlines.working_days_left(item.due_at, now)
             for now in (wib("2026-03-16"), wib("2026-03-24"), wib("2026-03-27"))]
    assert before == after == [2, 1, -2]


def test_statistics_calendar_agrees_with_deadlines():
    first, last = date(2025, 12, 20), date(2026, 6, 30)
    calendar = _Calendar(first, date(2026, 1, 31))  # grows on demand
    day = first
    while day <= last:
        noon = datetime.combine(day, time(12), tzinfo=WIB)
        for days in (0, 1, 2, 3, 5, 10, 60):
            assert calendar.deadline(day, days) == deadlines.local_day(deadlines.add_working_days(noon, days)), \
                (day, days)
        for later in (day + timedelta(days=k) for k in (0, 1, 3, 7, 13, 40)):
            expected = deadlines.working_days_between(noon, datetime.combine(later, time(9), tzinfo=WIB))
            assert calendar.between(day, later) == expected, (day, later)
        day += timedelta(days=1)
