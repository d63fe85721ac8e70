"""The Q&A sessions' notifications to their followers: reminders a day and
15 minutes before a session starts and when it opens, and word that it moved
or was cancelled. Registered with notify from ``QaConfig.ready``; mailed at
once to followers who chose e-mail (``email_at_once``: a reminder an hour
late, in the digest, is worth nothing)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import pii
from notify.kinds import NotificationKind, register_kind
from notify.services import notification_send

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
KINDS = (REMINDER_DAY, REMINDER_SOON, OPENED, RESCHEDULED, CANCELLED)


def register() -> None:
    for kind in KINDS:
        register_kind(kind)


def session_url(session) -> str:
    return f"/sesi/{session.pk}/"


def when(moment) -> str:
    """A moment as the regency reads it, the same in every language: ``01-12-2026 10:00 WIB``."""
    return timezone.localtime(moment).strftime("%d-%m-%Y %H:%M WIB")


def tell(*, session, kind: NotificationKind, recipients: list[int], reason: str = "") -> None:
    """Send ``kind`` about ``session`` to ``recipients`` (in the caller's transaction)."""
    if not recipients:
        return
    notification_send(recipients=recipients, kind=kind.key, url=session_url(session),
                      params={"title": pii.mask(session.title), "when": when(session.starts_at),
                              "reason": pii.mask(reason)})
