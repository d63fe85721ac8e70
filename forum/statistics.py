"""Service figures: how the regency and each agency handle aspirations in a
period (``/aspirasi/statistik/``, also as CSV and JSON).

Every aspiration received in the period counts (``created_at`` in the
period, days in WIB), whatever its privacy or state — confidential and
unpublished ones included — and none is ever listed: only counts, shares,
medians and averages leave this module. An aspiration counts for the agency
responsible for it now (``agency``); one without an agency counts for the
regency only.

The measures (working days: ``forum.deadlines``, in WIB, holidays skipped):

- *received*: aspirations created in the period;
- *verified within deadline*: of the aspirations due for verification —
  verified, or still new with the category's ``verify_days`` passed — the
  share verified (``verified_at``) by the end of the ``verify_days``-th working
  day after they arrived. Rejected without verification: not counted;
- *answered within deadline*: of the aspirations forwarded to an agency (the
  first ``forwarded`` timeline entry) that had a first response
  (``first_response_at``, else ``answered_at``) or whose ``followup_days``
  passed without one while not rejected, the share first answered by the end
  of the ``followup_days``-th working day after that first forward;
- *median working days to first response* and *to done*: from arrival to the
  first response and to ``done_at``;
- *satisfaction*: the average rating (1–5) of those rated;
- *reopen rate*: of those done at least once (``done_at``), the share reopened.
"""

from __future__ import annotations

import statistics as pystats
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Min
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from forum import deadlines
from forum.deadlines import WIB
from forum.models import Aspiration, Category, Status, TimelineEntry
from officials.models import Agency

#: The longest period asked at once (days): bounds the work of one request.
MAX_PERIOD_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    """Whole days in WIB, both ends included."""

    start: date
    end: date

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """``[start 00:00 WIB, the day after end 00:00 WIB)``."""
        return (datetime.combine(self.start, time.min, tzinfo=WIB),
                datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=WIB))


def _parse_day(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def period_from(params, *, today: date) -> Period:
    """The period asked by ``?from=YYYY-MM-DD&to=YYYY-MM-DD``: ``to`` defaults
    to ``today``, ``from`` to the day after the same day a year before (the
    last 12 months). A malformed date is ignored (its default is used), as is
    a ``from`` after ``to``; the period is clipped to ``MAX_PERIOD_DAYS``."""
    end = _parse_day(params.get("to")) or today
    start = _parse_day(params.get("from"))
    if start is None or start > end:
        start = _year_before(end) + timedelta(days=1)
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        start = end - timedelta(days=MAX_PERIOD_DAYS - 1)
    return Period(start, end)


class _Calendar:
    """``forum.deadlines`` over a span of days, answered by arithmetic:
    ``ordinal(day)`` counts the working days from the span's start up to and
    including ``day``, so ``working_days_between`` is a subtraction and the
    n-th working day after a day an index. Agrees with ``deadlines`` (tested)."""

    def __init__(self, first: date, last: date):
        self.first = first
        self.ordinals: list[int] = []
        self.working: list[date] = []  # working[k]: the day whose ordinal is k + 1
        self._extend(last)

    def _extend(self, last: date) -> None:
        count = self.ordinals[-1] if self.ordinals else 0
        day = self.first + timedelta(days=len(self.ordinals))
        while day <= last:
            if deadlines.is_working_day(day):
                count += 1
                self.working.append(day)
            self.ordinals.append(count)
            day += timedelta(days=1)

    def ordinal(self, day: date) -> int:
        index = (day - self.first).days
        if index < 0:
            raise ValueError(f"{day} is before the calendar's first day {self.first}")
        if index >= len(self.ordinals):
            self._extend(day + timedelta(days=90))
        return self.ordinals[index]

    def between(self, start: date, end: date) -> int:
        return max(0, self.ordinal(end) - self.ordinal(start))

    def deadline(self, day: date, days: int) -> date:
        """The day ``deadlines.add_working_days`` ends on."""
        if days <= 0:
            return day
        index = self.ordinal(day) + days - 1
        while index >= len(self.working):
            self._extend(self.first + timedelta(days=len(self.ordinals) + 90))
        return self.working[index]


@dataclass
class Figures:
    """The measures of one scope (the regency or one agency)."""

    received: int = 0
    verified_due: int = 0
    verified_on_time: int = 0
    answered_due: int = 0
    answered_on_time: int = 0
    response_days: list[int] = field(default_factory=list)
    done_days: list[int] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)
    done: int = 0
    reopened: int = 0

    def merge(self, other: Figures) -> None:
        self.received += other.received
        self.verified_due += other.verified_due
        self.verified_on_time += other.verified_on_time
        self.answered_due += other.answered_due
        self.answered_on_time += other.answered_on_time
        self.response_days += other.response_days
        self.done_days += other.done_days
        self.ratings += other.ratings
        self.done += other.done
        self.reopened += other.reopened

    def as_dict(self) -> dict:
        return {
            "received": self.received,
            "verified_due": self.verified_due,
            "verified_on_time": self.verified_on_time,
            "verified_on_time_pct": _pct(self.verified_on_time, self.verified_due),
            "answered_due": self.answered_due,
            "answered_on_time": self.answered_on_time,
            "answered_on_time_pct": _pct(self.answered_on_time, self.answered_due),
            "responses": len(self.response_days),
            "median_days_to_first_response": _median(self.response_days),
            "done": self.done,
            "median_days_to_done": _median(self.done_days),
            "ratings": len(self.ratings),
            "satisfaction_avg": round(sum(self.ratings) / len(self.ratings), 2) if self.ratings else None,
            "reopened": self.reopened,
            "reopen_rate_pct": _pct(self.reopened, self.done),
        }


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _median(values: list[int]) -> float | None:
    return float(pystats.median(values)) if values else None


@dataclass(frozen=True)
class Measure:
    """One measure as shown: its key in ``Figures.as_dict``, its label, its
    unit and the top of its chart's scale (``None``: the largest value)."""

    key: str
    label: str
    unit: str = ""
    scale: float | None = None


MEASURES = (
    Measure("received", _("Aspirations received")),
    Measure("verified_on_time_pct", _("Verified within the deadline"), "%", 100),
    Measure("answered_on_time_pct", _("Answered within the deadline"), "%", 100),
    Measure("median_days_to_first_response", _("Median working days to the first response")),
    Measure("median_days_to_done", _("Median working days to done")),
    Measure("satisfaction_avg", _("Average satisfaction (1–5)"), "", 5),
    Measure("reopen_rate_pct", _("Reopened after done"), "%", 100),
)
#: The columns of the CSV and the keys of each scope in the JSON, in order.
FIELDS = tuple(Figures().as_dict())


def service_figures(*, period: Period, now: datetime) -> dict:
    """``{"period": {"from", "to"}, "regency": {...}, "agencies": [{"slug",
    "name", "short_name", "figures": {...}}, ...]}``: the regency, then every
    agency with an aspiration received in the period, by name. ``now``
    decides which deadlines have passed."""
    start, end = period.bounds
    received = Aspiration.objects.filter(created_at__gte=start, created_at__lt=end)
    rows = list(received.values_list(
        "agency_id", "category_id", "status", "reopened", "rating",
        TruncDate("created_at", tzinfo=WIB),
        TruncDate("verified_at", tzinfo=WIB),
        TruncDate(Coalesce("first_response_at", "answered_at"), tzinfo=WIB),
        TruncDate("done_at", tzinfo=WIB),
        "pk",
    ))
    forwarded = dict(
        TimelineEntry.objects.filter(to_status=Status.FORWARDED, aspiration__in=received.values("pk"))
        .values("aspiration_id").annotate(first=TruncDate(Min("created_at"), tzinfo=WIB))
        .values_list("aspiration_id", "first")
    )
    days = {category.pk: (category.verify_days, category.followup_days)
            for category in Category.objects.only("verify_days", "followup_days")}
    today = deadlines.local_day(now)
    longest = max([d for pair in days.values() for d in pair] or [0])
    calendar = _Calendar(period.start - timedelta(days=1), max(period.end, today) + timedelta(days=2 * longest + 30))

    # Accumulated per agency (None: no agency yet), then merged for the regency.
    per_agency: dict[int | None, Figures] = {}
    deadline_of: dict[tuple[date, int], date] = {}
    ordinal = calendar.ordinal
    for agency_id, category_id, status, reopened, rating, created, verified, response, done, pk in rows:
        figures = per_agency.get(agency_id)
        if figures is None:
            figures = per_agency[agency_id] = Figures()
        verify_days, followup_days = days[category_id]
        verify_by = deadline_of.get((created, verify_days))
        if verify_by is None:
            verify_by = deadline_of[created, verify_days] = calendar.deadline(created, verify_days)
        figures.received += 1
        if verified is not None:
            figures.verified_due += 1
            figures.verified_on_time += verified <= verify_by
        elif status == Status.NEW and verify_by < today:
            figures.verified_due += 1
        forward = forwarded.get(pk)
        if forward is not None:
            answer_by = deadline_of.get((forward, followup_days))
            if answer_by is None:
                answer_by = deadline_of[forward, followup_days] = calendar.deadline(forward, followup_days)
            if response is not None:
                figures.answered_due += 1
                figures.answered_on_time += response <= answer_by
            elif status != Status.REJECTED and answer_by < today:
                figures.answered_due += 1
        if response is not None:
            figures.response_days.append(max(0, ordinal(response) - ordinal(created)))
        if done is not None:
            figures.done += 1
            figures.done_days.append(max(0, ordinal(done) - ordinal(created)))
            figures.reopened += reopened > 0
        if rating is not None:
            figures.ratings.append(rating)

    regency = Figures()
    for figures in per_agency.values():
        regency.merge(figures)
    per_agency.pop(None, None)
    agencies = sorted(Agency.objects.filter(pk__in=per_agency), key=lambda a: (a.name.lower(), a.pk))
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "regency": regency.as_dict(),
        "agencies": [{"slug": agency.slug, "name": agency.name, "short_name": agency.short_name,
                      "figures": per_agency[agency.pk].as_dict()} for agency in agencies],
    }
