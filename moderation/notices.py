"""What a sanctioned user is told: at sign-in (a ban) and in a room (a mute),
each with how to appeal."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
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


def _until(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y H:i") + " WIB"


def mute_notices(user) -> list[str]:
    """The mutes in force on ``user``, each a sentence with its reason; the
    appeal is said once, after the last."""
    texts = []
    for mute in _active(user.pk).filter(kind=SanctionKind.MUTE).order_by("ends_at", "pk"):
        room = mute.scope.partition(".")[2]
        if room:
            text = _("A moderator has muted you in the room “%(room)s” until %(until)s.") % {
                "room": room, "until": _until(mute.ends_at)}
        else:
            text = _("A moderator has muted you in every room until %(until)s.") % {"until": _until(mute.ends_at)}
        if mute.reason:
            text += " " + _("Reason: %(reason)s.") % {"reason": mute.reason}
        texts.append(text)
    if texts:
        texts[-1] += " " + appeal_text()
    return texts


def tell_mutes_at_sign_in(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: a muted user learns it on the first page after signing in."""
    for text in mute_notices(user):
        messages.warning(request, text)


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
