"""The status lifecycle of a Q&A session, in one table. ``services._move`` is
the only way a status changes, and it asks ``check`` first.

    scheduled ──open (on time, or early)──▶ live ──close (at its end)──▶ ended
        │                                     │
        └──────────cancel──────▶ cancelled ◀──┘

Who may take each step: ``OFFICIAL`` (the session's officials and their
delegates), ``MODERATOR`` (moderators and administrators), ``SYSTEM`` (the
worker's ``sessions_tick``: opens and closes on time).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from common.errors import FORBIDDEN, AppError, register_details
from qa.models import SessionStatus

ILLEGAL_TRANSITION = "session_illegal_transition"
register_details({
    ILLEGAL_TRANSITION: _("This session cannot move to that status from its current one."),
}, {ILLEGAL_TRANSITION: 409})

OFFICIAL = "official"
MODERATOR = "moderator"
SYSTEM = "system"


@dataclass(frozen=True)
class Step:
    actors: frozenset[str]


def _step(*actors: str) -> Step:
    return Step(frozenset(actors))


#: ``(from, to) -> Step``. Anything not here is illegal.
TRANSITIONS: dict[tuple[str, str], Step] = {
    (SessionStatus.SCHEDULED, SessionStatus.LIVE): _step(SYSTEM, OFFICIAL, MODERATOR),
    (SessionStatus.SCHEDULED, SessionStatus.CANCELLED): _step(OFFICIAL, MODERATOR),
    (SessionStatus.LIVE, SessionStatus.ENDED): _step(SYSTEM),
    (SessionStatus.LIVE, SessionStatus.CANCELLED): _step(OFFICIAL, MODERATOR),
}


#: Changes that keep the status: in which status, and by whom. A
#: reschedule moves a session that has not opened yet (a live one is
#: extended instead, ``services.session_extend``).
RESCHEDULE = "reschedule"
CHANGES: dict[str, tuple[frozenset[str], Step]] = {
    RESCHEDULE: (frozenset({SessionStatus.SCHEDULED}), _step(OFFICIAL, MODERATOR)),
}


def check_change(change: str, status: str, roles: set[str]) -> Step:
    """Raises ``AppError`` (session_illegal_transition, forbidden): then nothing may change."""
    statuses, step = CHANGES[change]
    if not step.actors & roles:
        raise AppError(FORBIDDEN)
    if status not in statuses:
        raise AppError(ILLEGAL_TRANSITION)
    return step


def allowed(from_status: str, to_status: str, roles: set[str]) -> bool:
    step = TRANSITIONS.get((from_status, to_status))
    return step is not None and bool(step.actors & roles)


def check(from_status: str, to_status: str, roles: set[str]) -> Step:
    """Raises ``AppError`` (session_illegal_transition, forbidden): then nothing may change."""
    step = TRANSITIONS.get((from_status, to_status))
    if step is None:
        raise AppError(ILLEGAL_TRANSITION)
    if not step.actors & roles:
        raise AppError(FORBIDDEN)
    return step
