"""Hub error codes: stable strings clients may switch on (docs/protocol.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

INVALID = "invalid"
UNKNOWN_TYPE = "unknown_type"
TOO_LARGE = "too_large"
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
RATE_LIMITED = "rate_limited"
MUTED = "muted"
CLOSED = "closed"
NOT_JOINED = "not_joined"
INTERNAL = "internal"
EDIT_WINDOW = "edit_window_passed"

DEFAULT_DETAIL = {
    INVALID: _("The frame is not valid."),
    UNKNOWN_TYPE: _("Unknown frame type."),
    TOO_LARGE: _("The frame is too large."),
    FORBIDDEN: _("You are not allowed to do that."),
    NOT_FOUND: _("Not found."),
    RATE_LIMITED: _("Too many messages; wait a moment."),
    MUTED: _("You are muted."),
    CLOSED: _("This room is closed."),
    NOT_JOINED: _("Join the topic first."),
    INTERNAL: _("Something went wrong on our side; please try again."),
    EDIT_WINDOW: _("Messages can only be edited for a short time after sending."),
}


class HubError(Exception):
    """Raised anywhere below the consumer; becomes one ``error`` frame.

    ``extra`` adds fields to the frame (``retry_after`` for ``rate_limited``,
    ``until`` for ``muted``).
    """

    def __init__(self, code: str, detail=None, **extra):
        self.code = code
        self.detail = detail if detail is not None else DEFAULT_DETAIL.get(code, code)
        self.extra = extra
        self.ref: str | None = None
        super().__init__(f"{code}: {self.detail}")

    def frame(self, ref: str | None) -> dict:
        frame = {"type": "error", "code": self.code, "detail": str(self.detail)}
        if ref is not None:
            frame["ref"] = ref
        frame.update(self.extra)
        return frame
