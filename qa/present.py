"""What the audience and the officials see of a session and its questions,
as the plain dicts of the live protocol (docs/sessions.md, "Live protocol":
``session`` and ``question``). The pages render the same dicts the frames
carry, so a page rendered by the server and one updated live show the same
thing; the one rule of anonymity lives here: an anonymous asker is "Warga
(anonim)" to the public *and* to the officials (moderators see the author in
the moderation console, not here)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from qa.models import Question, Session


def anonymous_name() -> str:
    return _("Citizen (anonymous)")


def _name(user) -> str:
    return (user.display_name or user.username) if user is not None else ""


def _official_title(user) -> str:
    profile = getattr(user, "official", None) if user is not None else None
    return profile.title if profile is not None else ""


def official_view(user) -> dict:
    profile = getattr(user, "official", None)
    agency = profile.agency if profile is not None else None
    return {"id": user.pk, "name": _name(user),
            "title": profile.title if profile is not None else "",
            "agency": (agency.short_name or agency.name) if agency is not None else ""}


def session_view(session: Session, *, audience: int = 0, waiting: int = 0) -> dict:
    return {
        "id": session.pk, "title": session.title, "status": session.status,
        "starts_at": session.starts_at.isoformat(), "ends_at": session.ends_at.isoformat(),
        "officials": [official_view(user) for user in session.officials.all()],
        "audience": audience, "waiting": waiting, "cancel_reason": session.cancel_reason,
    }


def question_state(question: Question) -> str:
    message = question.message
    if question.dismissed_at is not None:
        return "dismissed"
    if not message.is_shown:
        return "hidden"
    if message.status != "published":
        return "pending" if message.status == "held" else "rejected"
    return "answered" if question.answered_at is not None else "public"


def question_view(question: Question) -> dict:
    """A whole question as the audience and the console see it."""
    message = question.message
    author = anonymous_name() if question.anonymous else _name(message.author)
    answer = None
    if question.answered_at is not None:
        by, for_ = question.answered_by, question.answered_for
        answer = {
            "html": question.answer_message.html if question.answer_message is not None else "",
            "at": question.answered_at.isoformat(),
            "by": {"name": _name(by),
                   "staff": by is not None and for_ is not None and by.pk != for_.pk},
            "for": {"name": _name(for_), "title": _official_title(for_)},
        }
    handed_to = None
    if question.handed_to_official_id is not None and question.handed_to_official is not None:
        official = question.handed_to_official
        handed_to = {"official": _name(official)}
    elif question.handed_to_agency_id is not None and question.handed_to_agency is not None:
        handed_to = {"agency": question.handed_to_agency.name}
    aspiration = None
    if question.aspiration_id is not None:
        aspiration = {"url": reverse("forum:detail", args=[question.aspiration_id]),
                      "ref": f"#{question.aspiration_id}"}
    return {
        "id": question.pk, "seq": message.seq, "html": message.html, "author": {"name": author},
        "votes": question.votes, "highlighted": question.highlighted, "created_at": question.created_at.isoformat(),
        "state": question_state(question), "answer": answer, "handed_to": handed_to, "aspiration": aspiration,
    }
