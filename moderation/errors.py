"""Moderation error codes: stable strings the console and API clients switch on."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
ALREADY_DECIDED = "already_decided"
NOT_CLAIMED = "not_claimed"
UNKNOWN_REASON = "unknown_reason"
ALREADY_REPORTED = "already_reported"
INVALID = "invalid"

DETAIL = {
    FORBIDDEN: _("Only moderators may do that."),
    NOT_FOUND: _("No such item."),
    ALREADY_DECIDED: _("This item has already been decided."),
    NOT_CLAIMED: _("This item is not claimed by you; claim it first."),
    UNKNOWN_REASON: _("Unknown reason code."),
    ALREADY_REPORTED: _("You have already reported this."),
    INVALID: _("The request is not valid."),
}

HTTP_STATUS = {FORBIDDEN: 403, NOT_FOUND: 404, ALREADY_DECIDED: 409, NOT_CLAIMED: 409, UNKNOWN_REASON: 400,
               ALREADY_REPORTED: 409, INVALID: 400}


class ModerationError(Exception):
    def __init__(self, code: str, detail=None):
        self.code = code
        self.detail = detail if detail is not None else DETAIL.get(code, code)
        super().__init__(f"{code}: {self.detail}")

    def as_dict(self) -> dict:
        return {"code": self.code, "detail": str(self.detail)}
