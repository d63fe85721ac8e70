"""The forum's notifications: followers hear of replies and status changes;
the responsible agency of an overdue aspiration, and the Sekretaris Daerah of
an escalated one. Registered with notify from ``ForumConfig.ready``."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from common import pii
from forum.events import public_author
from forum.models import Status
from forum.selectors import followers
from notify.kinds import NotificationKind, register_kind
from notify.services import notification_send
from officials.models import Agency

REPLY = NotificationKind("forum.reply", _("Replies to aspirations I follow"),
                         _("%(actor)s replied to “%(title)s”: “%(excerpt)s”"))
STATUS = NotificationKind("forum.status", _("Status changes of aspirations I follow"),
                          _("“%(title)s” is now: %(status)s"))
OVERDUE = NotificationKind("forum.overdue", _("Overdue aspirations of my agency"),
                           _("“%(title)s” has passed its deadline and waits for your agency."))
ESCALATED = NotificationKind("forum.escalated", _("Aspirations escalated to the Sekretaris Daerah"),
                             _("“%(title)s” (%(agency)s) is long overdue and has been escalated to you."))
EXCERPT = 80


def register() -> None:
    for kind in (REPLY, STATUS, OVERDUE, ESCALATED):
        register_kind(kind)


def _url(aspiration) -> str:
    return f"/aspirasi/{aspiration.pk}/"


def _followers(aspiration, actor) -> list[int]:
    return [user_id for user_id in followers(aspiration=aspiration) if actor is None or user_id != actor.pk]


def tell_followers(*, aspiration, actor, reply=None, entry=None) -> None:
    """Every follower but the one who acted. The title is masked like any
    public text; an anonymous author's name is never in a sentence."""
    recipients = _followers(aspiration, actor)
    if not recipients:
        return
    title = pii.mask(aspiration.title)
    if reply is not None:
        excerpt = pii.mask(reply.body)
        excerpt = excerpt if len(excerpt) <= EXCERPT else excerpt[: EXCERPT - 1] + "…"
        notification_send(recipients=recipients, kind=REPLY.key, actor=actor, url=_url(aspiration) + f"#r-{reply.pk}",
                          params={"actor": public_author(reply.author, aspiration)["name"], "title": title,
                                  "excerpt": excerpt})
    if entry is not None:
        notification_send(recipients=recipients, kind=STATUS.key, url=_url(aspiration),
                          params={"title": title, "status": str(Status(entry.to_status).label)})


def _agency_people(agency_ids) -> list[int]:
    return list(User.objects.filter(Q(headed_agencies__in=agency_ids) | Q(official__agency__in=agency_ids),
                                    is_active=True).values_list("pk", flat=True).distinct())


def tell_overdue(*, aspiration) -> None:
    if aspiration.agency_id is None:
        return
    notification_send(recipients=_agency_people([aspiration.agency_id]), kind=OVERDUE.key, url=_url(aspiration),
                      params={"title": pii.mask(aspiration.title)})


def tell_escalated(*, aspiration) -> None:
    sekda = list(Agency.objects.filter(slug=settings.FORUM_ESCALATION_AGENCY).values_list("pk", flat=True))
    notification_send(recipients=_agency_people(sekda), kind=ESCALATED.key, url=_url(aspiration),
                      params={"title": pii.mask(aspiration.title),
                              "agency": aspiration.agency.name if aspiration.agency_id else "—"})
