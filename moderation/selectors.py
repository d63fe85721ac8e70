"""Every moderation read."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db.models import Count, Min, Q
from django.utils import formats, timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from common.redis import get_redis, prefixed
from moderation.models import AuditEntry, ItemStatus, QueueItem, RejectReason, Sanction, SanctionKind
from moderation.queues import ESCALATED, all_queues, get_target
from realtime.db import db_async


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
    ``[{id, kind, scope, until}]``; ``scope`` None is everywhere, ``until``
    None is until lifted (a ban)."""
    now = timezone.now()
    rows = (Sanction.objects.filter(user_id=user_id, lifted_at__isnull=True)
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now)).order_by("-created_at", "-pk"))
    return [{"id": s.pk, "kind": s.kind, "scope": s.scope or None,
             "until": s.ends_at.isoformat() if s.ends_at else None} for s in rows]


def sanctioned_authors(user_ids) -> set[int]:
    """Of ``user_ids``, those with a sanction in force now (a ban or a mute, anywhere)."""
    now = timezone.now()
    return set(Sanction.objects.filter(user_id__in=[u for u in user_ids if u is not None], lifted_at__isnull=True)
               .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now)).values_list("user_id", flat=True))


#: How long "not muted" stays in Redis without a change. A mute clears it at
#: once; the bound covers a mute committed while the database was being read.
MUTES_TTL_S = 30


def mutes_key(user_id: int) -> str:
    return prefixed("mod", "mutes", str(user_id))


def _mutes_from_db(user_id: int) -> list[list[str]]:
    rows = Sanction.objects.filter(user_id=user_id, kind=SanctionKind.MUTE, lifted_at__isnull=True,
                                   ends_at__gt=timezone.now())
    return [[sanction.scope, sanction.ends_at.isoformat()] for sanction in rows]


async def active_mute_until(*, user_id: int, scope: str) -> str | None:
    """When the user's mute in force for the topic ``scope`` (or everywhere) ends,
    as ISO 8601, or ``None``. Checked on every send, from the event loop: the
    fact that a user has no mute is kept in Redis (cleared by
    ``sanction_impose`` and ``sanction_lift``), so the common case is one
    Redis read and no trip to the database thread; a muted user's sends read
    the database (a mute shortened in the admin counts at once)."""
    redis = get_redis()
    if await redis.get(mutes_key(user_id)) is not None:
        return None
    mutes = await db_async(_mutes_from_db)(user_id)
    if not mutes:
        await redis.set(mutes_key(user_id), "none", ex=MUTES_TTL_S)
    now = timezone.now()
    ends = [until for where, until in mutes if where in ("", scope) and datetime.fromisoformat(until) > now]
    return max(ends, key=datetime.fromisoformat, default=None)


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


#: The audit page tells times as the people of Pati read them.
WIB = ZoneInfo("Asia/Jakarta")


def audit_time(moment: datetime) -> str:
    """``30 Nov 2026 09.12.03 WIB``: to the second, in the page's language."""
    return formats.date_format(timezone.localtime(moment, WIB), "j M Y H.i.s") + " WIB"


def audit_target(target: str) -> tuple[str, str]:
    """``(words, link)`` for an entry's target, without internal ids: a
    content target by what the console calls it (``Pesan di Ruang Bupati``)
    and where it is; a rule by its list and value; an account by nothing
    (the entry's subject names it)."""
    kind_key, _sep, rest = target.partition(":")
    kind = get_target(kind_key)
    if kind is not None:
        loaded = kind.load(int(rest)) if rest.isascii() and rest.isdigit() else None
        if loaded is None:
            return str(_("content no longer here")), ""
        context = kind.context(loaded)
        link = context.get("link") or ""
        return str(context.get("title") or context.get("where") or ""), link if link.startswith("/") else ""
    if kind_key == "user":
        return "", ""
    model = next((m for m in apps.get_app_config("moderation").get_models() if m._meta.model_name == kind_key), None)
    if model is not None:
        return f"{model._meta.verbose_name}: {rest}", ""
    return target, ""


def audit_reason(reason: str, reasons: dict[str, str]) -> str:
    """A decision's ``code — note`` with the code in words."""
    code, sep, note = reason.partition(" — ")
    return reasons.get(code, code) + sep + note
