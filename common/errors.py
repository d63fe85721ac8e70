"""The one application error type. Every layer raises ``AppError`` with a
stable code (clients switch on it) and a detail in the user's language; each
edge maps it once:

- a socket: an ``error`` frame (``realtime/errors.py:error_frame``);
- a JSON endpoint: ``{"code", "detail", …}`` with the code's HTTP status
  (``common/http.py``);
- a page: a message on the page it came from (``frontend/middleware.py``).

Apps register the default detail of their codes (``register_details``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

INVALID = "invalid"
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
RATE_LIMITED = "rate_limited"
INTERNAL = "internal"
#: A dependency (Redis) is down for now: retry after ``retry_after`` seconds.
UNAVAILABLE = "unavailable"

_details: dict[str, object] = {
    INVALID: _("The request is not valid."),
    FORBIDDEN: _("You are not allowed to do that."),
    NOT_FOUND: _("Not found."),
    RATE_LIMITED: _("Too many requests; wait a moment."),
    INTERNAL: _("Something went wrong on our side; please try again."),
    UNAVAILABLE: _("The service is briefly unavailable; trying again shortly."),
}

_status: dict[str, int] = {INVALID: 400, FORBIDDEN: 403, NOT_FOUND: 404, RATE_LIMITED: 429, INTERNAL: 500,
                          UNAVAILABLE: 503}


def register_details(details: dict[str, object], statuses: dict[str, int] | None = None) -> None:
    """An app's codes: their default detail (lazy translatable) and HTTP status
    (400 when not given). A code keeps the first detail registered for it."""
    for code, detail in details.items():
        _details.setdefault(code, detail)
    for code, status in (statuses or {}).items():
        _status.setdefault(code, status)


def default_detail(code: str):
    return _details.get(code, code)


def all_details() -> dict[str, object]:
    return dict(_details)


class AppError(Exception):
    """``extra`` adds fields to what the client gets (``retry_after`` for
    ``rate_limited``, ``until`` for ``muted``). ``ref`` is the socket frame it
    answers, when the edge knows it."""

    def __init__(self, code: str, detail=None, **extra):
        self.code = code
        self.detail = detail if detail is not None else default_detail(code)
        self.extra = extra
        self.ref: str | None = None
        super().__init__(f"{code}: {self.detail}")

    @property
    def status(self) -> int:
        """The HTTP status of this error at a JSON edge."""
        return _status.get(self.code, 400)

    def as_dict(self) -> dict:
        return {"code": self.code, "detail": str(self.detail), **self.extra}
