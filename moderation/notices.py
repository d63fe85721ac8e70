"""What a sanctioned user is told: at sign-in (a ban) and in a room (a mute),
each with how to appeal."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from moderation.models import Sanction, SanctionKind


def appeal_text() -> str:
    if settings.CONTACT_EMAIL:
        return _("To appeal, write to the moderators at %(email)s, giving your username.") % {
            "email": settings.CONTACT_EMAIL}
    return _("To appeal, contact the regency's administrators at the Dinas Komunikasi dan Informatika, "
             "giving your username.")


def _active(user_id: int):
    return (Sanction.objects.filter(user_id=user_id, lifted_at__isnull=True)
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=timezone.now())))


def ban_notice(user) -> str | None:
    """Why ``user`` cannot sign in, when a ban in force is the reason
    (``accounts.signin`` asks once the password was right)."""
    ban = _active(user.pk).filter(kind=SanctionKind.BAN).order_by("-created_at", "-pk").first()
    if ban is None:
        return None
    when = formats.date_format(timezone.localtime(ban.created_at), "j F Y")
    if ban.reason:
        text = _("A moderator banned your account on %(date)s (reason: %(reason)s), so you cannot sign in.") % {
            "date": when, "reason": ban.reason}
    else:
        text = _("A moderator banned your account on %(date)s, so you cannot sign in.") % {"date": when}
    return f"{text} {appeal_text()}"


def room_mute(*, user_id: int, topic: str) -> dict | None:
    """The mute in force for ``user_id`` in ``topic`` (here or everywhere) that
    ends last, shaped as the live ``sanction`` frame the room page already
    shows (with its ``reason``), or None."""
    mute = (_active(user_id).filter(kind=SanctionKind.MUTE).filter(Q(scope="") | Q(scope=topic))
            .order_by("-ends_at", "-pk").first())
    if mute is None:
        return None
    return {"type": "sanction", "kind": mute.kind, "scope": mute.scope or None,
            "room": mute.scope.partition(".")[2] or None,
            "until": mute.ends_at.isoformat() if mute.ends_at else None, "lifted": False, "reason": mute.reason}
