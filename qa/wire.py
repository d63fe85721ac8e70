"""A Q&A session on the wire (topic kind ``sesi.<id>``, ``qa/schema.json``).

What every watcher may see, the officials included: an anonymous asker is
"Warga (anonim)" — never the author's name or id —, text goes through the
one masking path (``common.sanitize.render_text``, ``common.pii.mask``), an
answer written by a delegate says who wrote it and for whom. Moderators see
the author in the moderation console, not here.

Every frame carries whole state and the session's revision as ``id``
(``Session.rev``, bumped by ``bump`` in the transaction of the change); the
frames are built in that transaction and sent after commit
(``qa/events.py``, ``realtime.events.publish_on_commit``). Vote counts
travel in ``ranking`` frames read after commit and coalesced per session
(``qa/ranking.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from chat.models import MessageStatus
from common import pii
from common.counters import add_returning
from common.sanitize import render_text
from qa import selectors
from qa.models import Question, Session

PUBLIC, ANSWERED, DISMISSED, HIDDEN, PENDING, REFUSED = (
    "public", "answered", "dismissed", "hidden", "pending", "refused")


def topic_of(session_id: int) -> str:
    return f"sesi.{session_id}"


def bump(session_id: int) -> int:
    """The session's next revision. Inside the transaction of the change: the
    row stays locked until commit, so revisions follow commit order."""
    return add_returning(Session, session_id, rev=1)[0]


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _name(user) -> str:
    return pii.mask(user.display_name or user.username) if user is not None else ""


def anonymous_name() -> str:
    """The label of an anonymous asker, in the site's language for everyone
    (the frame is encoded once for all watchers; ``author.anonymous`` lets a
    page say it in another language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Citizen (anonymous)")


def question_state(question: Question) -> str:
    message = question.message
    if message.status == MessageStatus.HELD:
        return PENDING
    if message.status == MessageStatus.REJECTED:
        return REFUSED
    if not message.is_shown:
        return HIDDEN
    if question.dismissed_at is not None:
        return DISMISSED
    if question.answered_at is not None:
        return ANSWERED
    return PUBLIC


def _official(user) -> dict:
    profile = getattr(user, "official", None) if user is not None else None
    return {"name": _name(user), "title": profile.title if profile is not None else ""}


def question_to_wire(question: Question) -> dict:
    """Needs ``message``, ``message__author``, ``answered_by``,
    ``answered_for__official``, ``answer_message``, ``handed_to_official``,
    ``handed_to_agency`` and ``aspiration`` loaded (``selectors.QUESTION_RELATED``)."""
    state = question_state(question)
    answer = None
    if question.answered_at is not None:
        # The answer is also a message of the room: hidden there after reports
        # (or removed by a moderator), its text is not shown here either.
        hidden = question.answer_message is not None and not question.answer_message.is_shown
        answer = {"html": "" if hidden else render_text(question.answer), "hidden": hidden,
                  "at": _iso(question.answered_at),
                  "by": {"name": _name(question.answered_by),
                         "staff": question.answered_by_id != question.answered_for_id},
                  "for": _official(question.answered_for)}
    handed_to = None
    if question.handed_to_official_id is not None:
        handed_to = {"official": _name(question.handed_to_official)}
    elif question.handed_to_agency_id is not None:
        handed_to = {"agency": question.handed_to_agency.name}
    aspiration = None
    if question.aspiration_id is not None:
        aspiration = {"url": f"/aspirasi/{question.aspiration_id}/", "ref": f"#{question.aspiration_id}"}
    author = ({"name": anonymous_name(), "anonymous": True} if question.anonymous
              else {"name": _name(question.message.author), "anonymous": False})
    return {
        "id": question.pk, "seq": question.message.seq,
        "html": "" if state == HIDDEN else question.message.html,
        "author": author, "votes": question.votes, "highlighted": question.highlighted,
        "created_at": _iso(question.created_at), "state": state,
        "answer": answer, "handed_to": handed_to, "aspiration": aspiration,
    }


def session_to_wire(session: Session, *, waiting: int, audience: int | None = None) -> dict:
    """Needs ``officials`` prefetched with their profiles (``selectors.session_for_wire``).
    ``audience``: ``None`` in broadcast frames (the hub's ``presence`` frames
    carry the live count)."""
    officials = sorted(session.officials.all(), key=lambda user: user.pk)
    return {
        "id": session.pk, "title": session.title, "topic": session.topic, "status": session.status,
        "starts_at": _iso(session.starts_at), "ends_at": _iso(session.ends_at),
        "stream_url": session.stream_url,
        "officials": [{"id": user.pk, **_official(user),
                       "agency": user.official.agency.name if getattr(user, "official", None)
                       and user.official.agency_id else ""} for user in officials],
        "audience": audience, "waiting": waiting, "cancel_reason": session.cancel_reason,
    }


def question_frame(question: Question, rev: int) -> dict:
    return {"type": "question", "topic": topic_of(question.session_id), "id": rev,
            "question": question_to_wire(question)}


def mine_frame(question: Question, rev: int) -> dict:
    return {"type": "mine", "topic": topic_of(question.session_id), "id": rev,
            "question": question_to_wire(question)}


def session_frame(session: Session, rev: int, *, waiting: int, audience: int | None = None) -> dict:
    return {"type": "session", "topic": topic_of(session.pk), "id": rev,
            "session": session_to_wire(session, waiting=waiting, audience=audience)}


def ranking_frame(session_id: int, rev: int, votes: list[tuple[int, int]], *, waiting: int) -> dict:
    return {"type": "ranking", "topic": topic_of(session_id), "id": rev,
            "votes": [[question_id, count] for question_id, count in votes], "waiting": waiting}


def ranking_changed(session_id: int, question_ids) -> dict:
    """After votes committed, or the waiting count moved: one new revision
    for the batch, then the session's live counters read under it — the
    votes of ``question_ids`` and the questions waiting in moderation — so
    they are at least as new as the revision (a client resuming from an
    older one gets a snapshot with these counts or newer). The ``ranking``
    frame to send; its own transaction."""
    with transaction.atomic():
        rev = bump(session_id)
        votes = selectors.vote_counts(question_ids=question_ids) if question_ids else []
        waiting = selectors.questions_waiting(session_id=session_id)
    return ranking_frame(session_id, rev, votes, waiting=waiting)
