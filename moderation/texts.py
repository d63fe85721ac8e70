"""Sentences of the sanction tools shared by the room page (js/room.js) and
the moderators' console (js/console.js). ``{name}``, ``{duration}``,
``{room}``, ``{until}`` are filled in by the scripts."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from moderation.services import SANCTION_DURATIONS


def _duration_labels() -> dict[str, str]:
    return {"10m": _("10 minutes"), "1h": _("1 hour"), "24h": _("24 hours")}


def sanction_strings() -> dict[str, object]:
    labels = _duration_labels()
    return {
        "mute": _("Mute…"),
        "mute_title": _("Mute {name}"),
        "mute_send": _("Mute"),
        "duration": _("For how long"),
        "durations": [[code, labels[code]] for code in SANCTION_DURATIONS],
        "scope": _("Applies in"),
        "scope_everywhere": _("In every room"),
        "reason": _("Reason (optional)"),
        "ban": _("Ban"),
        "confirm_ban": _("Ban {name}? Their account is deactivated and they are signed out everywhere."),
        "muted_here": _("{name} is muted in this room for {duration}."),
        "muted_everywhere": _("{name} is muted in every room for {duration}."),
        "banned": _("{name} is banned and has been signed out."),
        "errors": {
            "forbidden": _("You may not sanction this person."),
            "invalid": _("The sanction is not valid: check how long and where it applies."),
            "not_found": _("This account or sanction no longer exists."),
            "already_decided": _("This sanction has already been lifted."),
            "network": _("The server could not be reached. Try again."),
        },
    }


#: The audit log's actions in words, by the code an entry stores (a code
#: starting with one of these keys: ``sanction:mute``, ``rule:add``). The
#: filter lists them in this order.
AUDIT_ACTIONS = {
    "approve": gettext_lazy("Published or kept"),
    "approve_redacted": gettext_lazy("Published with personal data masked"),
    "reject": gettext_lazy("Refused or removed"),
    "escalate": gettext_lazy("Escalated to the administrators"),
    "report": gettext_lazy("Reported"),
    "hide": gettext_lazy("Hidden after reports"),
    "sanction:mute": gettext_lazy("Muted"),
    "sanction:ban": gettext_lazy("Banned"),
    "lift:mute": gettext_lazy("Mute lifted"),
    "lift:ban": gettext_lazy("Ban lifted"),
    "rule:add": gettext_lazy("Rule added"),
    "rule:change": gettext_lazy("Rule changed"),
    "rule:delete": gettext_lazy("Rule deleted"),
}


def audit_action_label(action: str) -> str:
    return str(AUDIT_ACTIONS.get(action, action))
