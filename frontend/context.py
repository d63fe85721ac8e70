"""Template context for the header's navigation by role (base.html).

What a visitor sees is decided here once, so the header and the home page
show the same places: everyone the rooms, the aspirations and the Q&A
sessions; signed-in
users their own aspirations and the form; officials their agency inbox
when they act for an agency, and the officials' console (``/konsol/``) when
they act for an official (themselves or as a delegate); moderators the console with the count of
waiting items (the escalations counted for administrators only, as the
console lists them); administrators also announcements, the audit log and the
admin."""

from __future__ import annotations

from accounts.choices import Role
from moderation.queues import ESCALATED
from moderation.selectors import queue_stats
from officials.selectors import acts_for, agency_ids_of


def places(user) -> dict:
    """The places ``user`` may go to, as flags, and the console's count."""
    signed_in = user is not None and user.is_authenticated
    nav = {"signed_in": signed_in, "agency_inbox": False, "console": False, "waiting": 0, "admin": False,
           "konsol": False}
    if not signed_in:
        return nav
    # Citizens act for no agency: spare them the query on every page.
    nav["agency_inbox"] = user.role != Role.CITIZEN and bool(agency_ids_of(user=user))
    # The officials' console: officials and the staff who act for one (delegates).
    nav["konsol"] = user.role != Role.CITIZEN and bool(acts_for(user))
    if user.is_moderator:
        nav["console"] = True
        # As the console shows them: escalations are the administrators' only.
        nav["waiting"] = sum(entry["pending"] for name, entry in queue_stats().items()
                             if name != ESCALATED or user.is_superuser)
    nav["admin"] = user.is_superuser
    return nav


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    return {"nav": places(user)}
