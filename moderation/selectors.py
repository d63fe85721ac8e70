"""Every moderation read."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.dateparse import parse_date

from moderation.models import AuditEntry, ItemStatus, QueueItem, RejectReason, Sanction, SanctionKind
from moderation.queues import ESCALATED, all_queues, get_target


def reject_reason(*, code: str) -> RejectReason | None:
    if not code:
        return None
    return RejectReason.objects.filter(code=code, active=True).first()


def reject_reasons() -> list[RejectReason]:
    return list(RejectReason.objects.filter(active=True))


def open_items_by_stream() -> dict[str, list[QueueItem]]:
    grouped: dict[str, list[QueueItem]] = defaultdict(list)
    for item in QueueItem.objects.filter(status__in=[ItemStatus.PENDING, ItemStatus.ESCALATED]).order_by("pk"):
        stream = ESCALATED if item.status == ItemStatus.ESCALATED else (item.stream or item.queue)
        grouped[stream].append(item)
    return grouped


def queue_stats() -> dict[str, dict]:
    """Per queue (and the escalations): open items and the oldest one's age in seconds."""
    now = timezone.now()
    rows = (QueueItem.objects.filter(status__in=[ItemStatus.PENDING, ItemStatus.ESCALATED])
            .values("queue", "status").annotate(n=Count("id"), oldest=Min("created_at")))
    stats = {queue.name: {"pending": 0, "oldest_age": None} for queue in all_queues()}
    stats[ESCALATED] = {"pending": 0, "oldest_age": None}
    for row in rows:
        name = ESCALATED if row["status"] == ItemStatus.ESCALATED else row["queue"]
        entry = stats.setdefault(name, {"pending": 0, "oldest_age": None})
        entry["pending"] += row["n"]
        age = int((now - row["oldest"]).total_seconds())
        entry["oldest_age"] = max(entry["oldest_age"] or 0, age)
    return stats


def item_context(*, item: QueueItem) -> dict:
    """What a moderator needs to decide: the content, its surroundings, the
    rule hits, and the author's record of decisions."""
    kind = get_target(item.target_kind)
    target = kind.load(item.target_id) if kind else None
    context = kind.context(target) if target is not None else {"text": "", "missing": True}
    history = (QueueItem.objects.filter(author_id=item.author_id).exclude(pk=item.pk)
               .aggregate(approved=Count("id", filter=Q(status=ItemStatus.APPROVED)),
                          rejected=Count("id", filter=Q(status=ItemStatus.REJECTED)),
                          pending=Count("id", filter=Q(status__in=[ItemStatus.PENDING, ItemStatus.ESCALATED]))))
    return {
        "id": item.pk, "queue": item.queue, "status": item.status, "target_kind": item.target_kind,
        "target_id": item.target_id, "reasons": item.reasons, "delivery_count": item.delivery_count,
        "created_at": item.created_at.isoformat(), "author_history": history,
        "author_sanctions": Sanction.objects.filter(user_id=item.author_id).count() if item.author_id else 0,
        "author_active_sanctions": active_sanctions(item.author_id) if item.author_id else [],
        **context,
    }


def active_sanctions(user_id: int) -> list[dict]:
    """The user's sanctions in force now (not lifted, not ended), newest first:
    ``[{id, kind, room, until}]``; ``room`` None is everywhere, ``until`` None
    is until lifted (a ban)."""
    now = timezone.now()
    rows = (Sanction.objects.filter(user_id=user_id, lifted_at__isnull=True)
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now)).order_by("-created_at", "-pk"))
    return [{"id": s.pk, "kind": s.kind, "room": s.room_slug or None,
             "until": s.ends_at.isoformat() if s.ends_at else None} for s in rows]


def mutes_cache_key(user_id: int) -> str:
    return f"moderation:mutes:{user_id}"


def active_mute(*, user_id: int, room_slug: str) -> Sanction | None:
    """The user's mute in force for ``room_slug`` (or everywhere), if any.
    Checked on every send, so "not muted" is cached (cleared by
    ``sanction_impose``/``sanction_lift``): the common case costs one cache
    read; a muted user's sends read the database."""
    now = timezone.now()
    mutes = cache.get(mutes_cache_key(user_id))
    if mutes is None:
        mutes = list(Sanction.objects.filter(user_id=user_id, kind=SanctionKind.MUTE, lifted_at__isnull=True,
                                             ends_at__gt=now))
        if not mutes:
            cache.set(mutes_cache_key(user_id), mutes, 30)  # bounds a race with a new mute
    current = [m for m in mutes if m.ends_at > now and m.room_slug in ("", room_slug)]
    return max(current, key=lambda m: m.ends_at, default=None)


def _date(value):
    """A ``YYYY-MM-DD`` filter value as a date; anything else is no filter."""
    if value is None or isinstance(value, date):
        return value
    try:
        return parse_date(str(value))
    except ValueError:  # well formed but impossible: 2025-13-45
        return None


def audit_entries(*, action: str = "", actor: str = "", since=None, until=None):
    """Newest first. A malformed ``since``/``until`` is ignored, not an error."""
    since, until = _date(since), _date(until)
    rows = AuditEntry.objects.select_related("actor", "subject").order_by("-id")
    if action:
        rows = rows.filter(action__startswith=action)
    if actor:
        rows = rows.filter(actor__username=actor)
    if since:
        rows = rows.filter(created_at__date__gte=since)
    if until:
        rows = rows.filter(created_at__date__lte=until)
    return rows
