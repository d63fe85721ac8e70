"""What the Q&A sessions tell people through ``notify``, registered from
``QaConfig.ready``:

- the asker of a question: it was answered, handed over, or carried into the
  forum (with the link to follow it) — that it was approved or refused the
  moderation core tells them already (``moderation.author_tell``);
- a session's followers: reminders a day and 15 minutes before it starts and
  when it opens, and word that it moved or was cancelled — mailed at once to
  followers who chose e-mail (``email_at_once``: a reminder an hour late, in
  the digest, is worth nothing).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import pii
from notify.kinds import NotificationKind, register_kind
from notify.services import notification_send

# --- the asker -------------------------------------------------------------------------
ANSWERED = NotificationKind("qa.answered", _("My questions in Q&A sessions were answered"),
                            _("Your question in “%(session)s” was answered: “%(excerpt)s”"))
HANDED_OVER = NotificationKind("qa.handed_over", _("My questions in Q&A sessions were handed over"),
                               _("Your question in “%(session)s” was handed to %(to)s."))
CARRIED_OVER = NotificationKind("qa.carried_over", _("My questions in Q&A sessions were carried into the forum"),
                                _("Your question in “%(session)s” will be answered later: follow it as an "
                                  "aspiration, forwarded to %(to)s."))
EXCERPT = 80

# --- the followers -----------------------------------------------------------------------
REMINDER_DAY = NotificationKind(
    "qa.reminder_day", _("Q&A sessions I follow: a day before"),
    _("Reminder: the Q&A session “%(title)s” starts on %(when)s."), email_at_once=True)
REMINDER_SOON = NotificationKind(
    "qa.reminder_soon", _("Q&A sessions I follow: 15 minutes before"),
    _("Starting soon: the Q&A session “%(title)s” begins at %(when)s."), email_at_once=True)
OPENED = NotificationKind(
    "qa.opened", _("Q&A sessions I follow: when they open"),
    _("The Q&A session “%(title)s” is live now: ask and support questions."), email_at_once=True)
RESCHEDULED = NotificationKind(
    "qa.rescheduled", _("Q&A sessions I follow: moved to another time"),
    _("The Q&A session “%(title)s” has moved: it now starts on %(when)s."), email_at_once=True)
CANCELLED = NotificationKind(
    "qa.cancelled", _("Q&A sessions I follow: cancelled"),
    _("The Q&A session “%(title)s” of %(when)s was cancelled. %(reason)s"), email_at_once=True)

KINDS = (ANSWERED, HANDED_OVER, CARRIED_OVER, REMINDER_DAY, REMINDER_SOON, OPENED, RESCHEDULED, CANCELLED)


def register() -> None:
    for kind in KINDS:
        register_kind(kind)


def session_url(session_id: int) -> str:
    return f"/sesi/{session_id}/"


def when(moment) -> str:
    """A moment as the regency reads it, the same in every language: ``01-12-2026 10:00 WIB``."""
    return timezone.localtime(moment).strftime("%d-%m-%Y %H:%M WIB")


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


def tell(*, session, kind: NotificationKind, recipients: list[int], reason: str = "") -> None:
    """Send ``kind`` about ``session`` to its ``recipients`` (in the caller's transaction)."""
    if not recipients:
        return
    notification_send(recipients=recipients, kind=kind.key, url=session_url(session.pk),
                      params={"title": pii.mask(session.title), "when": when(session.starts_at),
                              "reason": pii.mask(reason)})
