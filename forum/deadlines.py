"""Working-day deadlines, as Indonesian complaint handling (SP4N-LAPOR!)
counts them: days in Western Indonesian Time (WIB) that are neither a
weekend nor a public holiday or cuti bersama (the ``holidays`` package's
Indonesian ``public`` and ``government`` categories).

A deadline of *n* working days from a moment is the end (23:59:59.999999
WIB) of the n-th working day after the day of that moment: something
received on Friday afternoon with 3 working days is due at the end of
Wednesday. Everything here is a pure function of its arguments and the
calendar, so the clock survives any restart: the deadline is stored, and
"now" is always asked afresh (``timezone.now``, patched in tests).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

WIB = ZoneInfo("Asia/Jakarta")
CATEGORIES = ("public", "government")


@lru_cache(maxsize=32)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.Indonesia(years=year, categories=CATEGORIES))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def local_day(moment: datetime) -> date:
    return moment.astimezone(WIB).date()


def add_working_days(moment: datetime, days: int) -> datetime:
    """The end of the ``days``-th working day after ``moment``'s day (WIB)."""
    day = local_day(moment)
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return datetime.combine(day, time.max, tzinfo=WIB)


def working_days_between(start: datetime, end: datetime) -> int:
    """Working days after ``start``'s day up to and including ``end``'s day
    (0 when both fall on the same day): how long something took."""
    first, last = local_day(start), local_day(end)
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def working_days_left(due: datetime, now: datetime) -> int:
    """Working days from ``now`` to ``due``: positive ahead, 0 on the last
    day, negative once overdue (the working days it is late)."""
    if now <= due:
        return working_days_between(now, due)
    return -max(1, working_days_between(due, now))
