"""The hub's error codes (docs/protocol.md) and the socket edge of
``AppError``: every refused frame becomes one ``error`` frame."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from common.errors import (
    FORBIDDEN,
    INTERNAL,
    INVALID,
    NOT_FOUND,
    RATE_LIMITED,
    UNAVAILABLE,
    AppError,
    register_details,
)

UNKNOWN_TYPE = "unknown_type"
TOO_LARGE = "too_large"
NOT_JOINED = "not_joined"

__all__ = ["FORBIDDEN", "INTERNAL", "INVALID", "NOT_FOUND", "NOT_JOINED", "RATE_LIMITED", "TOO_LARGE", "UNAVAILABLE",
           "UNKNOWN_TYPE", "AppError", "error_frame"]

register_details({
    UNKNOWN_TYPE: _("Unknown frame type."),
    TOO_LARGE: _("The frame is too large."),
    NOT_JOINED: _("Join the topic first."),
}, {TOO_LARGE: 413, NOT_JOINED: 409})


def error_frame(error: AppError, ref: str | None) -> dict:
    """The ``error`` frame for ``error``, answering the frame ``ref``."""
    frame = {"type": "error", "code": error.code, "detail": str(error.detail)}
    if ref is not None:
        frame["ref"] = ref
    frame.update(error.extra)
    return frame
