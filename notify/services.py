"""Every write to notifications, preferences and announcements.

``notification_send`` is the one way to notify anyone: every trigger in the
codebase calls it with explicit recipients.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from common.errors import FORBIDDEN, INVALID, AppError
from common.jobs import enqueue_on_commit
from notify import selectors
from notify.kinds import get_kind, masked
from notify.models import Announcement, Channel, Notification, NotificationPreference
from notify.serializers import notification_frames, notification_to_wire
from realtime.events import event_message, localized_event, publish_if_online_on_commit, publish_many_on_commit

BATCH = 1000


def _topic(user_id: int) -> str:
    return f"notify.{user_id}"


@transaction.atomic
def notification_send(
    *,
    recipients: Iterable[int],
    kind: str,
    actor: User | None = None,
    url: str = "",
    params: dict | None = None,
    announcement: Announcement | None = None,
) -> list[Notification]:
    """Store one notification per recipient (in bulk), except for recipients
    who turned ``kind`` off, and push each to its recipient's open tabs after
    commit. Returns the stored notifications.

    ``params`` are the sentence's parameters (strings); the sentence itself is
    rendered in each reader's language when shown. They are stored with
    personal data masked (and masked again when shown, ``kinds.render``).
    """
    registered = get_kind(kind)
    if registered is None:
        raise ValueError(f"unregistered notification kind {kind!r}")
    user_ids = list(dict.fromkeys(int(r) for r in recipients))
    off = selectors.users_who_turned_off(user_ids=user_ids, kind=kind)
    rows = [Notification(recipient_id=uid, kind=kind, actor=actor, url=url, params=masked(params or {}),
                         announcement=announcement) for uid in user_ids if uid not in off]
    created = Notification.objects.bulk_create(rows, batch_size=BATCH)
    # Pushed after commit to those of them with a tab open then.
    publish_if_online_on_commit([(n.recipient_id, localized_event(_topic(n.recipient_id), notification_frames(n),
                                                                  seq=n.pk)) for n in created])
    if registered.email_at_once and created:
        by_email = selectors.users_who_want_email(user_ids=[n.recipient_id for n in created], kind=kind)
        if by_email:
            enqueue_on_commit("notify.email", {"ids": [n.pk for n in created if n.recipient_id in by_email]})
    return created


def _publish_read_state(user_id: int, *, ids: list[int], all_read: bool) -> None:
    frame = {"type": "notification.read", "topic": _topic(user_id), "ids": ids, "all": all_read,
             "unread": Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()}
    publish_many_on_commit([event_message(_topic(user_id), frame)])


@transaction.atomic
def notification_mark_read(*, user: User, ids: list[int]) -> int:
    """Mark the user's own notifications read; any id that is not theirs
    refuses the whole request (``AppError`` forbidden) and changes nothing.
    Emits ``notification.read`` to every tab of the user after commit."""
    ids = sorted(set(ids))
    owned = set(Notification.objects.filter(pk__in=ids, recipient=user).values_list("pk", flat=True))
    if owned != set(ids):
        raise AppError(FORBIDDEN, _("You can only mark your own notifications read."))
    changed = Notification.objects.filter(pk__in=ids, read_at__isnull=True).update(read_at=timezone.now())
    _publish_read_state(user.pk, ids=ids, all_read=False)
    return changed


@transaction.atomic
def notification_mark_all_read(*, user: User) -> int:
    changed = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    _publish_read_state(user.pk, ids=[], all_read=True)
    return changed


def preference_set(*, user: User, kind: str, channel: str) -> NotificationPreference:
    if get_kind(kind) is None or channel not in Channel.values:
        raise AppError(INVALID)
    pref, _ = NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"channel": channel})
    return pref


@transaction.atomic
def announcement_create(*, author: User, title: str, body: str, role: str = "", kecamatan: str = "") -> Announcement:
    """An administrator announces to everyone, one role or one kecamatan. The
    fan-out runs in the background worker (job ``notify.announcement``)."""
    if not author.is_superuser:
        raise AppError(FORBIDDEN, _("Only administrators make announcements."))
    announcement = Announcement.objects.create(author=author, title=title, body=body, role=role, kecamatan=kecamatan)
    enqueue_on_commit("notify.announcement", {"id": announcement.pk})
    return announcement


def announcement_deliver(payload: dict) -> None:
    """Job: deliver an announcement in batches of ``BATCH`` recipients.

    Each batch and the cursor move in one transaction, so a worker that dies
    mid-way resumes after the last finished batch: nobody is notified twice,
    nobody is skipped. Two runs at once (a job queued again while the first
    still runs) take turns batch by batch under the row's lock, each batch
    after the other's cursor; the ``(announcement, recipient)`` constraint
    refuses a second notification in any case. Each batch marks the
    announcement active, so the stalled-delivery scan leaves it alone.
    """
    while True:
        with transaction.atomic():
            announcement = Announcement.objects.select_for_update().filter(pk=payload["id"]).first()
            if announcement is None or announcement.finished_at is not None:
                return
            audience = User.objects.filter(is_active=True, pk__gt=announcement.cursor)
            if announcement.role:
                audience = audience.filter(role=announcement.role)
            if announcement.kecamatan:
                audience = audience.filter(kecamatan=announcement.kecamatan)
            batch = list(audience.order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not batch:
                announcement.finished_at = announcement.active_at = timezone.now()
                announcement.save(update_fields=["finished_at", "active_at"])
                return
            sent = notification_send(recipients=batch, kind="announcement", actor=announcement.author,
                                     url="/notifikasi/", params={"title": announcement.title,
                                                                 "body": announcement.body},
                                     announcement=announcement)
            announcement.cursor = batch[-1]
            announcement.delivered += len(sent)
            announcement.active_at = timezone.now()
            announcement.save(update_fields=["cursor", "delivered", "active_at"])


def announcement_requeue_stalled(now: datetime | None = None) -> int:
    """Periodic ``notify.announcements``: queue the delivery again of every
    unfinished announcement idle (neither queued nor moved) for
    ``NOTIFY_ANNOUNCEMENT_RETRY_SECONDS`` — its job was lost with Redis's
    data (``FLUSHDB``, a Redis back empty) or dropped after failing; returns
    how many. Each is claimed by a conditional update of ``active_at``, so two
    scans at once queue it once; should the queueing itself fail (Redis
    down), the next scan finds it idle again. ``now``: tests move the clock."""
    now = now or timezone.now()
    stalled = selectors.stalled_announcements(
        idle_since=now - timedelta(seconds=settings.NOTIFY_ANNOUNCEMENT_RETRY_SECONDS))
    requeued = 0
    for pk in list(stalled.values_list("pk", flat=True)):
        with transaction.atomic():
            if stalled.filter(pk=pk).update(active_at=now):
                enqueue_on_commit("notify.announcement", {"id": pk})
                requeued += 1
    return requeued


def notification_digest_send() -> int:
    """Periodic: e-mail each user who chose e-mail one digest of their unread,
    not yet mailed notifications; returns how many mails went out. Marks them
    mailed, so a digest never repeats a notification."""
    return _mail(selectors.digest_candidates())


def notification_email_send(payload: dict) -> int:
    """Job ``notify.email``: mail now the notifications ``payload["ids"]`` of
    a kind sent ``email_at_once`` (one mail per recipient), those still
    unread and not yet mailed, to recipients who still want e-mail. Safe to
    run twice, and alongside the digest: a notification is marked mailed in
    the transaction that claims it, so it is mailed once."""
    return _mail(selectors.digest_candidates(ids=[int(pk) for pk in payload.get("ids", [])]), at_once=True)


def _mail(candidates: list[Notification], *, at_once: bool = False) -> int:
    """One mail per recipient of ``candidates``, each notification marked
    mailed in the transaction that sends it. ``at_once``: a notification
    mailed when it happened (its sentence is the subject), not a digest."""
    by_user: dict[int, list[Notification]] = {}
    for notification in candidates:
        by_user.setdefault(notification.recipient_id, []).append(notification)
    sent = 0
    for items in by_user.values():
        user = items[0].recipient
        with translation.override(settings.LANGUAGE_CODE):
            lines = [notification_to_wire(n) for n in items]
            if at_once and len(lines) == 1:
                subject = f"Balai Warga: {lines[0]['text']}"[:200]
            else:
                subject = render_to_string("notify/digest_subject.txt", {"count": len(items)}).strip()
            body = render_to_string("notify/digest_email.txt", {"user": user, "items": lines, "at_once": at_once})
        with transaction.atomic():
            updated = Notification.objects.filter(pk__in=[n.pk for n in items], emailed_at__isnull=True).update(
                emailed_at=timezone.now())
            if updated:
                send_mail(subject, body, None, [user.email])
                sent += 1
    return sent
