"""Chat's error codes (docs/protocol.md), raised as ``AppError``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from common.errors import register_details

MUTED = "muted"
CLOSED = "closed"
EDIT_WINDOW = "edit_window_passed"

register_details({
    MUTED: _("You are muted."),
    CLOSED: _("This room is closed."),
    EDIT_WINDOW: _("Messages can only be edited for a short time after sending."),
}, {MUTED: 403, CLOSED: 403, EDIT_WINDOW: 403})
