"""A Q&A session's changes, published: each builds its frames with
``qa/wire.py`` inside the transaction of the change and sends them after
commit (``realtime.events.publish_on_commit``); a change of the waiting
count alone goes in the next coalesced ``ranking`` frame (``qa/ranking.py``).
"""

from __future__ import annotations

from qa import ranking, selectors
from qa.models import Question
from qa.wire import PENDING, REFUSED, bump, mine_frame, question_frame, question_state, session_frame, topic_of
from realtime.events import publish_on_commit


def question_changed(question_id: int, *, rev: int | None = None, tell_author: bool = False,
                     waiting: bool = False) -> int:
    """The question as it is now goes to every watcher when public (or just
    removed), and to its author's own sockets (``mine``) when
    ``tell_author`` or while it is theirs alone (pending, refused). With
    ``waiting`` (a moderator decided on it), the session's waiting count
    goes with it: in the question's frame when everyone gets one, else in
    a coalesced ``ranking`` frame (``qa/ranking.py``). Returns the revision."""
    return question_changed_wire(question_id, rev=rev, tell_author=tell_author, waiting=waiting)[0]


def question_changed_wire(question_id: int, *, rev: int | None = None, tell_author: bool = False,
                          waiting: bool = False) -> tuple[int, Question]:
    """``question_changed``, also returning the question it read (with
    ``selectors.QUESTION_RELATED`` loaded, for a reply without a re-read)."""
    question = selectors.question_for_wire(pk=question_id)
    rev = rev if rev is not None else bump(question.session_id)
    state = question_state(question)
    topic = topic_of(question.session_id)
    if state not in (PENDING, REFUSED):
        frame = question_frame(question, rev)
        if waiting:
            frame["waiting"] = selectors.questions_waiting(session_id=question.session_id)
        publish_on_commit(topic, frame)
    elif waiting:
        ranking.changed(question.session_id)
    if tell_author or state in (PENDING, REFUSED):
        publish_on_commit(topic, mine_frame(question, rev), user_id=question.message.author_id)
    return rev, question


def session_changed(session_id: int, *, rev: int | None = None) -> int:
    """The session as it is now (status, times, cancellation; with its
    waiting count) to every watcher. Not for a change of the waiting count
    alone: that rides on the frames every watcher gets anyway
    (``question_changed(waiting=True)``, ``qa/ranking.py``), so 2,000 sockets
    are not sent a whole session for each question asked."""
    rev = rev if rev is not None else bump(session_id)
    session = selectors.session_for_wire(pk=session_id)
    publish_on_commit(topic_of(session_id), session_frame(
        session, rev, waiting=selectors.questions_waiting(session_id=session_id)))
    return rev
