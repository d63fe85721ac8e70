"""Moderation's error codes: stable strings the console and API clients
switch on, raised as ``AppError``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from common.errors import FORBIDDEN, INVALID, NOT_FOUND, register_details

__all__ = ["ALREADY_DECIDED", "ALREADY_REPORTED", "AUTHOR_SANCTIONED", "FORBIDDEN",
           "INVALID", "NOT_CLAIMED", "NOT_FOUND", "UNKNOWN_REASON"]

ALREADY_DECIDED = "already_decided"
NOT_CLAIMED = "not_claimed"
UNKNOWN_REASON = "unknown_reason"
ALREADY_REPORTED = "already_reported"
AUTHOR_SANCTIONED = "author_sanctioned"

register_details({
    ALREADY_DECIDED: _("This item has already been decided."),
    NOT_CLAIMED: _("This item is not claimed by you; claim it first."),
    UNKNOWN_REASON: _("Unknown reason code."),
    ALREADY_REPORTED: _("You have already reported this."),
    AUTHOR_SANCTIONED: _("Its author is under a sanction: decide this item on its own."),
}, {ALREADY_DECIDED: 409, NOT_CLAIMED: 409, UNKNOWN_REASON: 400, ALREADY_REPORTED: 409, AUTHOR_SANCTIONED: 409})

#: Moderation's "forbidden" says who may act.
ONLY_MODERATORS = _("Only moderators may do that.")
ONLY_ADMINISTRATORS = _("Escalated items are for administrators only.")
NO_SUCH_ITEM = _("No such item.")
