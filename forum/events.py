"""An aspiration's thread on the wire (``aspirasi.<id>``, forum/schema.json):
what every reader of the thread may see — personal data masked, an anonymous
author hidden. Insiders see more on the page itself."""

from __future__ import annotations

from django.utils.translation import gettext as _

from forum.models import Aspiration, Privacy, Reply, TimelineEntry


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def public_author(user, aspiration: Aspiration) -> dict:
    """The name the public sees: an anonymous aspiration's author is "Warga (anonim)"."""
    if aspiration.privacy != Privacy.PUBLIC and user.pk == aspiration.author_id:
        return {"id": None, "name": str(_("Citizen (anonymous)"))}
    return {"id": user.pk, "name": user.display_name or user.username}


def reply_to_wire(reply: Reply, aspiration: Aspiration) -> dict:
    gone = not reply.is_shown
    return {
        "id": reply.pk, "parent": reply.parent_id, "depth": reply.depth,
        "author": public_author(reply.author, aspiration),
        "official": {"title": reply.official_title, "agency": reply.official_agency} if reply.official_title else None,
        "html": "" if gone else reply.html, "deleted": gone,
        "created_at": _iso(reply.created_at), "edited_at": _iso(reply.edited_at),
    }


def reply_frame(reply: Reply, aspiration: Aspiration) -> dict:
    return {"type": "reply", "topic": aspiration.topic, "id": reply.seq, "reply": reply_to_wire(reply, aspiration)}


def timeline_frame(entry: TimelineEntry, aspiration: Aspiration) -> dict:
    """A status step; the page names statuses in the reader's language."""
    return {"type": "timeline", "topic": aspiration.topic, "id": entry.seq, "entry": {
        "from": entry.from_status or None, "to": entry.to_status,
        "agency": entry.agency.name if entry.agency_id else None, "reason": entry.reason,
        "created_at": _iso(entry.created_at)}, "status": aspiration.status}
