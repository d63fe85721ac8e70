"""What the asker of a question is told (through ``notify``): it was
answered, handed over, or carried into the forum (with the link to follow
it). Registered with notify from ``QaConfig.ready``. That it was approved or
refused the moderation core tells them already (``moderation.author_tell``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from common import pii
from notify.kinds import NotificationKind, register_kind
from notify.services import notification_send

ANSWERED = NotificationKind("qa.answered", _("My questions in Q&A sessions were answered"),
                            _("Your question in “%(session)s” was answered: “%(excerpt)s”"))
HANDED_OVER = NotificationKind("qa.handed_over", _("My questions in Q&A sessions were handed over"),
                               _("Your question in “%(session)s” was handed to %(to)s."))
CARRIED_OVER = NotificationKind("qa.carried_over", _("My questions in Q&A sessions were carried into the forum"),
                                _("Your question in “%(session)s” will be answered later: follow it as an "
                                  "aspiration, forwarded to %(to)s."))
EXCERPT = 80


def register() -> None:
    for kind in (ANSWERED, HANDED_OVER, CARRIED_OVER):
        register_kind(kind)


def session_url(session_id: int) -> str:
    return f"/sesi/{session_id}/"


def tell_asker(*, question, kind: NotificationKind) -> None:
    """Inside the change's transaction (stored with it, pushed after commit)."""
    session = question.session
    params = {"session": session.title}
    url = session_url(session.pk) + f"#q-{question.pk}"
    if kind is ANSWERED:
        excerpt = pii.mask(question.answer)
        params["excerpt"] = excerpt if len(excerpt) <= EXCERPT else excerpt[: EXCERPT - 1] + "…"
    elif kind is HANDED_OVER:
        to = question.handed_to_official or question.handed_to_agency
        params["to"] = (to.display_name if question.handed_to_official_id else to.name) if to is not None else "—"
    else:
        params["to"] = question.handed_to_agency.name if question.handed_to_agency_id else "—"
        url = f"/aspirasi/{question.aspiration_id}/"
    notification_send(recipients=[question.message.author_id], kind=kind.key, url=url, params=params)
