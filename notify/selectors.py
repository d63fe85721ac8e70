"""Every read of notifications, preferences and announcements."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Max, QuerySet

from notify.kinds import all_kinds, get_kind
from notify.models import Announcement, Channel, Notification, NotificationPreference

PAGE_SIZE = 20
#: On resume, notifications created this long before the client's last seen
#: one are sent again (the client drops ids it has): ids are allocated at
#: insert and may commit out of order, so ``id > since`` alone could skip one.
RESUME_OVERLAP = timedelta(seconds=30)
MAX_REPLAY = 200


def unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def last_id(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id).aggregate(m=Max("id"))["m"] or 0


def inbox(*, user):
    """All of a user's notifications, newest first (a queryset to paginate)."""
    return Notification.objects.filter(recipient=user).select_related("actor").order_by("-id")


def notifications_after(*, user_id: int, since: int | None) -> tuple[list[Notification], int]:
    """Missed notifications in id order, and the newest id. ``since`` None: the latest page."""
    newest = last_id(user_id=user_id)
    rows = Notification.objects.filter(recipient_id=user_id, id__lte=newest)
    if since is None:
        return list(rows.order_by("-id")[:PAGE_SIZE])[::-1], newest
    anchor = Notification.objects.filter(recipient_id=user_id, id__lte=since).order_by("-id").first()
    if anchor is not None:
        rows = rows.filter(id__gt=since) | rows.filter(created_at__gte=anchor.created_at - RESUME_OVERLAP)
    else:
        rows = rows.filter(id__gt=since)
    return list(rows.order_by("-id")[:MAX_REPLAY])[::-1], newest


def notifications_before(*, user_id: int, before: int, limit: int) -> tuple[list[Notification], bool]:
    page = list(Notification.objects.filter(recipient_id=user_id, id__lt=before).order_by("-id")[: limit + 1])
    return page[:limit][::-1], len(page) > limit


def channel_for(*, user_id: int, kind: str) -> str:
    pref = NotificationPreference.objects.filter(user_id=user_id, kind=kind).values_list("channel", flat=True).first()
    if pref:
        return pref
    registered = get_kind(kind)
    return registered.default_channel if registered else Channel.IN_APP


def preferences(*, user) -> dict[str, str]:
    """``{kind: channel}`` for every registered kind, defaults filled in."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    return {kind.key: chosen.get(kind.key, kind.default_channel) for kind in all_kinds()}


def users_who_turned_off(*, user_ids: list[int], kind: str) -> set[int]:
    return set(NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind, channel=Channel.OFF)
               .values_list("user_id", flat=True))


def users_who_want_email(*, user_ids: list[int], kind: str) -> set[int]:
    """Of ``user_ids``, those who get ``kind`` by e-mail (chosen, or the kind's default)."""
    registered = get_kind(kind)
    chosen = dict(NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind)
                  .values_list("user_id", "channel"))
    default = registered.default_channel if registered else Channel.IN_APP
    return {user_id for user_id in user_ids if chosen.get(user_id, default) == Channel.EMAIL}


def digest_candidates(*, ids: list[int] | None = None) -> list[Notification]:
    """Unread, un-mailed notifications whose recipient (with an e-mail address)
    wants that kind by e-mail, ordered by recipient then id; only ``ids``
    when given."""
    rows = Notification.objects.filter(read_at__isnull=True, emailed_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    rows = list(rows.exclude(recipient__email="").select_related("recipient", "actor").order_by("recipient_id", "id"))
    chosen = dict(((user_id, kind), channel) for user_id, kind, channel in NotificationPreference.objects.filter(
        user_id__in={n.recipient_id for n in rows}).values_list("user_id", "kind", "channel"))
    defaults = {kind.key: kind.default_channel for kind in all_kinds()}

    def wants_email(n: Notification) -> bool:
        return chosen.get((n.recipient_id, n.kind), defaults.get(n.kind, Channel.IN_APP)) == Channel.EMAIL

    return [n for n in rows if wants_email(n)]


def stalled_announcements(*, idle_since: datetime) -> QuerySet[Announcement]:
    """Announcements not finished whose delivery was neither queued nor moved
    since ``idle_since``: their job is gone (or stuck)."""
    return Announcement.objects.filter(finished_at__isnull=True, active_at__lt=idle_since)
