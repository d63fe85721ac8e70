"""The status lifecycle of an aspiration, in one table. ``services.status_change``
is the only way a status changes, and it asks ``check`` first.

    new ──verify──▶ verified ──forward──▶ forwarded ──answer──▶ answered ──▶ done
     │                 │                   ▲   │  ▲                 │  ▲        │
     └──reject──▶ rejected ◀──reject───────┘   │  └───re-forward────┘  └─reopen─┘
                                               └──re-forward (reason)

Who may take each step: ``MODERATOR`` (moderators and administrators),
``AGENCY`` (the officials of the responsible agency), ``AUTHOR``, ``SYSTEM``
(the worker: an answered aspiration whose author stays silent closes itself).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from common.errors import FORBIDDEN, AppError, register_details
from forum.models import Status

ILLEGAL_TRANSITION = "illegal_transition"
REASON_REQUIRED = "reason_required"
AGENCY_REQUIRED = "agency_required"
register_details({
    ILLEGAL_TRANSITION: _("This aspiration cannot move to that status from its current one."),
    REASON_REQUIRED: _("Give a reason."),
    AGENCY_REQUIRED: _("Choose the agency to forward it to."),
}, {ILLEGAL_TRANSITION: 409, REASON_REQUIRED: 400, AGENCY_REQUIRED: 400})

MODERATOR = "moderator"
AGENCY = "agency"
AUTHOR = "author"
SYSTEM = "system"


@dataclass(frozen=True)
class Step:
    actors: frozenset[str]
    needs_reason: bool = False
    needs_agency: bool = False


def _step(*actors: str, reason: bool = False, agency: bool = False) -> Step:
    return Step(frozenset(actors), reason, agency)


#: ``(from, to) -> Step``. Anything not here is illegal.
TRANSITIONS: dict[tuple[str, str], Step] = {
    (Status.NEW, Status.VERIFIED): _step(MODERATOR),
    (Status.NEW, Status.REJECTED): _step(MODERATOR, reason=True),
    (Status.VERIFIED, Status.FORWARDED): _step(MODERATOR, agency=True),
    (Status.VERIFIED, Status.REJECTED): _step(MODERATOR, reason=True),
    # Re-forwarding: to another agency, always with a reason.
    (Status.FORWARDED, Status.FORWARDED): _step(MODERATOR, AGENCY, reason=True, agency=True),
    (Status.FORWARDED, Status.ANSWERED): _step(AGENCY),
    (Status.FORWARDED, Status.REJECTED): _step(MODERATOR, AGENCY, reason=True),
    (Status.ANSWERED, Status.FORWARDED): _step(MODERATOR, AGENCY, reason=True, agency=True),
    (Status.ANSWERED, Status.DONE): _step(AUTHOR, AGENCY, MODERATOR, SYSTEM),
    # Reopening (within REOPEN_DAYS of done, by its author): back to the agency.
    (Status.DONE, Status.FORWARDED): _step(AUTHOR, reason=True),
}

#: Calendar days after done during which the author may reopen.
REOPEN_DAYS = 14
#: Working days of silence from the author after an answer before it closes itself.
AUTO_CLOSE_WORKING_DAYS = 10


def allowed(from_status: str, to_status: str, roles: set[str]) -> bool:
    step = TRANSITIONS.get((from_status, to_status))
    return step is not None and bool(step.actors & roles)


def check(from_status: str, to_status: str, roles: set[str], *, reason: str, agency) -> Step:
    """The step from ``from_status`` to ``to_status`` for someone acting in
    ``roles``; raises ``AppError`` (illegal_transition, forbidden,
    reason_required, agency_required) and then nothing may change."""
    step = TRANSITIONS.get((from_status, to_status))
    if step is None:
        raise AppError(ILLEGAL_TRANSITION)
    if not step.actors & roles:
        raise AppError(FORBIDDEN)
    if step.needs_reason and not reason.strip():
        raise AppError(REASON_REQUIRED)
    if step.needs_agency and agency is None:
        raise AppError(AGENCY_REQUIRED)
    return step


def next_steps(from_status: str, roles: set[str]) -> list[str]:
    """The statuses ``roles`` may move an aspiration to from ``from_status``."""
    return [to for (source, to), step in TRANSITIONS.items() if source == from_status and step.actors & roles]
