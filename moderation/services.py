"""Every moderation write: enqueueing, claiming, deciding, reports,
sanctions, reconciling, and the audit log entry each of them leaves.

The ``QueueItem`` row is the truth; stream entries are added and removed
after commit, and ``queue_reconcile`` repairs what a Redis failure lost.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext, override

from accounts.services import user_set_active
from common import pii
from common.errors import AppError
from common.metrics import MODERATION_DECISION_SECONDS
from moderation import selectors, standing, streams
from moderation.errors import (
    ALREADY_DECIDED,
    ALREADY_REPORTED,
    AUTHOR_SANCTIONED,
    FORBIDDEN,
    INVALID,
    NOT_CLAIMED,
    NOT_FOUND,
    ONLY_ADMINISTRATORS,
    ONLY_MODERATORS,
    UNKNOWN_REASON,
)
from moderation.events import publish_console_event
from moderation.models import AuditEntry, ItemStatus, QueueItem, Report, Sanction, SanctionKind
from moderation.queues import ESCALATED, REPORTS, get_queue, get_target
from moderation.screening import forget_blocked_terms
from notify.services import notification_send
from realtime.events import publish_to_user_on_commit, redis_on_commit
from realtime.protocol import TOPIC_RE

log = logging.getLogger(__name__)

ACTIONS = ("approve", "approve_redacted", "reject", "escalate")
SANCTION_DURATIONS = {"10m": timedelta(minutes=10), "1h": timedelta(hours=1), "24h": timedelta(hours=24)}


def audit_record(*, actor, action: str, target: str = "", subject=None, reason: str = "") -> AuditEntry:
    """Append one entry to the audit log (every moderation action calls this)."""
    return AuditEntry.objects.create(actor=actor, action=action, target=target[:80], subject=subject,
                                     reason=reason[:300])


EXCERPT = 80


def author_tell(*, author_id: int, kind: str, link: str, where: str, excerpt: str, reason: str = "") -> None:
    """Tell an author what became of their held post (``moderation.approved``
    or ``moderation.rejected``); the excerpt is masked like any public text."""
    notification_send(recipients=[author_id], kind=kind, url=link,
                      params={"where": where, "excerpt": pii.mask(excerpt)[:EXCERPT], "reason": reason})


def _target_ref(item: QueueItem) -> str:
    return f"{item.target_kind}:{item.target_id}"


def _add_to_stream(item_id: int, stream: str) -> None:
    """After commit: put the item on its stream (with the events of the same
    commit; if Redis fails, the reconciler adds it). The entry id is recorded
    on the item when a moderator claims it (one write per item, not two)."""
    redis_on_commit(*streams.add_command(streams.stream_name(stream), item_id))


def item_enqueue(*, queue: str, target_kind: str, target_id: int, author_id: int | None,
                 reasons: list[str], fresh: bool = False) -> QueueItem:
    """Put content in front of the moderators (idempotent per queue and target:
    a second call adds its reasons to the open item). ``fresh``: the target was
    created in this very transaction, so no item can exist yet and the insert
    needs no savepoint. Emits ``queue.event`` (arrived) to the console after
    commit."""
    with transaction.atomic(savepoint=False):
        fields = {"queue": queue, "target_kind": target_kind, "target_id": target_id, "author_id": author_id,
                  "reasons": reasons, "stream": queue}
        if fresh:
            item = QueueItem.objects.create(**fields)
        else:
            try:
                with transaction.atomic():
                    item = QueueItem.objects.create(**fields)
            except IntegrityError:
                item = QueueItem.objects.select_for_update().get(queue=queue, target_kind=target_kind,
                                                                 target_id=target_id)
                if item.is_open:
                    item.reasons = list(dict.fromkeys([*item.reasons, *reasons]))
                    item.save(update_fields=["reasons"])
                return item
        _add_to_stream(item.pk, queue)
        publish_console_event("arrived", item)
    return item


def _require_moderator(user) -> None:
    if not (user.is_authenticated and user.is_moderator):
        raise AppError(FORBIDDEN, ONLY_MODERATORS)


def is_escalated(item: QueueItem) -> bool:
    """Escalated, or decided after an escalation: the administrators' alone."""
    return item.status == ItemStatus.ESCALATED or item.stream == ESCALATED


def require_may_see(*, moderator, item: QueueItem) -> None:
    """Moderators see an item's context (its raw text included); an escalated
    one only administrators (``forbidden``)."""
    _require_moderator(moderator)
    if is_escalated(item) and not moderator.is_superuser:
        raise AppError(FORBIDDEN, ONLY_ADMINISTRATORS)


def item_claim_next(*, moderator, queue: str) -> QueueItem | None:
    """Give the next item of ``queue`` to ``moderator`` alone: one idle in
    another moderator's hands past ``MODERATION_CLAIM_TIMEOUT_SECONDS`` first,
    else a new one. An item delivered more than ``MODERATION_MAX_DELIVERIES``
    times goes to the administrators instead. ``None`` when the queue is empty."""
    _require_moderator(moderator)
    if queue == ESCALATED:
        if not moderator.is_superuser:
            raise AppError(FORBIDDEN, ONLY_ADMINISTRATORS)
    elif get_queue(queue) is None:
        raise AppError(NOT_FOUND)
    stream = streams.stream_name(queue)
    for _attempt in range(50):
        entry = streams.claim(stream, moderator.username, settings.MODERATION_CLAIM_TIMEOUT_SECONDS * 1000)
        if entry is None:
            return None
        entry_id, item_id, delivered = entry
        with transaction.atomic():
            item = QueueItem.objects.select_for_update().filter(pk=item_id).first()
            if item is None or not item.is_open or (item.stream_id and item.stream_id != entry_id) \
                    or (queue != ESCALATED and is_escalated(item)):
                # (An escalated item's old entry, before its new one is recorded.)
                # Decided meanwhile, or a stale copy left by a reconcile.
                transaction.on_commit(lambda e=entry_id: streams.done(stream, e))
                continue
            if queue != ESCALATED and delivered > settings.MODERATION_MAX_DELIVERIES:
                item.stream_id = entry_id
                _escalate(item, actor=None, reason=f"delivered {delivered} times")
                continue
            item.claimed_by = moderator
            item.claimed_at = timezone.now()
            item.delivery_count = delivered
            item.stream_id = entry_id  # may not be recorded yet if claimed right after the add
            item.save(update_fields=["claimed_by", "claimed_at", "delivery_count", "stream_id"])
            publish_console_event("claimed", item)
            return item
    return None


def _escalate(item: QueueItem, *, actor, reason: str) -> None:
    old_stream, old_entry = streams.stream_name(item.stream or item.queue), item.stream_id
    item.status = ItemStatus.ESCALATED
    item.claimed_by = None
    item.claimed_at = None
    item.stream = ESCALATED
    item.stream_id = ""
    item.save(update_fields=["status", "claimed_by", "claimed_at", "stream", "stream_id"])
    audit_record(actor=actor, action="escalate", target=_target_ref(item), subject=item.author, reason=reason)
    transaction.on_commit(lambda: streams.done(old_stream, old_entry))
    _add_to_stream(item.pk, ESCALATED)
    publish_console_event("escalated", item)


def _resolve(item: QueueItem, *, moderator, action: str, reason_code: str = "", reason_label: str = "",
             note: str = "") -> None:
    """Apply a decision to a locked open item: the queue's action on its
    target, the item's row, the audit entry, the stream entry and the
    console's event (after commit)."""
    queue = get_queue(item.queue)
    kind = get_target(item.target_kind)
    target = kind.load(item.target_id) if kind else None
    if queue is not None and target is not None:
        if action == "reject":
            queue.reject(kind, target, moderator, " — ".join(filter(None, [reason_label, note])))
        else:
            queue.approve(kind, target, moderator, action == "approve_redacted")
    stream, entry = streams.stream_name(item.stream or item.queue), item.stream_id
    item.status = ItemStatus.REJECTED if action == "reject" else ItemStatus.APPROVED
    item.decided_by = moderator
    item.decided_at = timezone.now()
    item.decision_reason = reason_code if action == "reject" else ""
    item.decision_note = note
    item.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "decision_note"])
    audit_record(actor=moderator, action=action, target=_target_ref(item), subject=item.author,
                 reason=" — ".join(filter(None, [reason_code, note])))
    transaction.on_commit(lambda: streams.done(stream, entry))
    waited = (item.decided_at - item.created_at).total_seconds()
    transaction.on_commit(lambda: MODERATION_DECISION_SECONDS.labels(action).observe(waited))
    publish_console_event("decided", item)


#: The reason code a ban's refusals carry (``QueueItem.decision_reason``, the audit log).
BAN_REASON = "ban"


def author_pending_refuse(*, moderator, user) -> list[int]:
    """Refuse every item of ``user``'s still waiting for publication (held
    chat messages, aspirations, questions: every queue but the reports), with
    the ban as the reason, each audited like a moderator's refusal. Called by
    ``sanction_impose`` when it bans ``user``; reported content that is
    already public stays in the reports queue for a moderator to judge.
    Returns the refused items' ids."""
    refused = []
    with override(settings.LANGUAGE_CODE):  # as a moderator's reason label: in the site's language
        label = gettext("The author's account was banned")
    with transaction.atomic():
        items = (QueueItem.objects.select_for_update()
                 .filter(author=user, status__in=[ItemStatus.PENDING, ItemStatus.ESCALATED])
                 .exclude(queue=REPORTS).order_by("pk"))
        for item in items:
            _resolve(item, moderator=moderator, action="reject", reason_code=BAN_REASON, reason_label=label)
            refused.append(item.pk)
    return refused


def item_decide(*, moderator, item_id: int, action: str, reason_code: str = "", note: str = "") -> QueueItem:
    """Decide an item the moderator has claimed: ``approve``,
    ``approve_redacted`` (personal data masked), ``reject`` (with a reason
    code from the configurable list) or ``escalate``. A decided item refuses a
    second decision (``already_decided``) and nothing changes. Emits
    ``queue.event`` (decided) after commit; the queue's action tells the
    author."""
    _require_moderator(moderator)
    if action not in ACTIONS:
        raise AppError(INVALID)
    with transaction.atomic():
        item = QueueItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None:
            raise AppError(NOT_FOUND)
        if not item.is_open:
            raise AppError(ALREADY_DECIDED)
        if item.status == ItemStatus.ESCALATED and not moderator.is_superuser:
            raise AppError(FORBIDDEN, ONLY_ADMINISTRATORS)
        if item.claimed_by_id != moderator.pk:
            raise AppError(NOT_CLAIMED)
        reason_label = ""
        if action == "reject":
            reason = selectors.reject_reason(code=reason_code)
            if reason is None:
                raise AppError(UNKNOWN_REASON)
            reason_label = reason.label(settings.LANGUAGE_CODE)
        if action == "escalate":
            _escalate(item, actor=moderator, reason=note)
            return item
        _resolve(item, moderator=moderator, action=action, reason_code=reason_code, reason_label=reason_label,
                 note=note)
    return item


def item_bulk_approve(*, moderator, item_ids: list[int]) -> dict[int, str]:
    """Approve a batch of items the moderator claimed; ``{id: "approved" | error code}``.
    An item whose author has a sanction in force is left for a decision of
    its own (``author_sanctioned``)."""
    results = {}
    sanctioned = selectors.sanctioned_authors(
        QueueItem.objects.filter(pk__in=item_ids).values_list("author_id", flat=True))
    authors = dict(QueueItem.objects.filter(pk__in=item_ids).values_list("pk", "author_id"))
    for item_id in item_ids:
        if authors.get(item_id) in sanctioned:
            results[item_id] = AUTHOR_SANCTIONED
            continue
        try:
            item_decide(moderator=moderator, item_id=item_id, action="approve")
            results[item_id] = "approved"
        except AppError as exc:
            results[item_id] = exc.code
    return results


def report_create(*, reporter, target_kind: str, target_id: int | None = None, target_ref: str = "",
                  reason_code: str, note: str = "") -> Report:
    """A signed-in user reports content once, named by its primary key or by
    the public reference its page shows (``target_ref``, resolved by the
    target kind). It enters the ``reports`` queue at the first report and is
    hidden pending review once the reports' summed weight (by each
    reporter's standing, ``standing.report_weight``) reaches
    ``MODERATION_REPORT_THRESHOLD`` full reports, unless its author speaks
    for the regency (``standing.hidden_by_reports``): then it only waits in
    the queue, visible."""
    if not reporter.is_authenticated:
        raise AppError(FORBIDDEN, ONLY_MODERATORS)
    kind = get_target(target_kind)
    if kind is not None and target_id is None:
        target_id = kind.find(target_ref)
    target = kind.load(target_id) if kind and target_id is not None else None
    if target is None or not kind.public(target):
        # Held, removed or someone else's private content is not reportable
        # (and its existence is not revealed).
        raise AppError(NOT_FOUND)
    if selectors.reject_reason(code=reason_code) is None:
        raise AppError(UNKNOWN_REASON)
    ref = f"{target_kind}:{target_id}"
    try:
        with transaction.atomic():
            report = Report.objects.create(reporter=reporter, target_kind=target_kind, target_id=target_id,
                                           reason=reason_code, note=note[:300],
                                           weight=standing.report_weight(reporter))
            audit_record(actor=reporter, action="report", target=ref, reason=reason_code)
            context = kind.context(target)
            # The item's row is locked from here to commit: the reports of one
            # target are summed one after another, and the threshold is
            # crossed by exactly one of them.
            item = item_enqueue(queue=REPORTS, target_kind=target_kind, target_id=target_id,
                                author_id=context.get("author_id"), reasons=[f"report:{reason_code}"])
            total = Report.objects.filter(target_kind=target_kind, target_id=target_id) \
                .aggregate(total=Sum("weight"))["total"]
            threshold = standing.threshold_weight()
            # Hidden only pending a review: not once a moderator has decided.
            if total - report.weight < threshold <= total and item.is_open:
                if standing.hidden_by_reports(context):
                    kind.hide(target)
                    audit_record(actor=None, action="hide", target=ref, reason=f"reports weigh {total / 100:g}")
                else:
                    log.info("reports on %s reached the threshold; its author speaks for the regency: "
                             "left visible for review", ref)
    except IntegrityError:
        raise AppError(ALREADY_REPORTED) from None
    return report


def sanction_impose(*, moderator, user, kind: str, duration: str | None = None, scope: str = "",
                    reason: str = "") -> Sanction:
    """Mute ``user`` in one topic (``scope``, e.g. ``room.bupati``) or, with
    no scope, everywhere, for 10 min, 1 h or 24 h; or ban them (deactivates
    the account and closes their sockets). A muted user's live sockets get a
    ``sanction`` frame at once."""
    _require_moderator(moderator)
    if duration is not None and not isinstance(duration, str):
        raise AppError(INVALID)
    if kind not in SanctionKind.values or (kind == SanctionKind.MUTE and duration not in SANCTION_DURATIONS) \
            or not isinstance(scope, str) or (scope and not TOPIC_RE.fullmatch(scope)):
        raise AppError(INVALID)
    if user.is_moderator and not moderator.is_superuser:
        raise AppError(FORBIDDEN, ONLY_MODERATORS)
    with transaction.atomic():
        ends_at = timezone.now() + SANCTION_DURATIONS[duration] if kind == SanctionKind.MUTE else None
        sanction = Sanction.objects.create(user=user, kind=kind, scope=scope if kind == "mute" else "",
                                           ends_at=ends_at, reason=reason, created_by=moderator)
        audit_record(actor=moderator, action=f"sanction:{kind}", target=f"user:{user.pk}", subject=user,
                     reason=" ".join(filter(None, [duration, scope, reason])))
        if kind == SanctionKind.BAN:
            user_set_active(user=user, active=False)
            author_pending_refuse(moderator=moderator, user=user)
        else:
            _mutes_changed(user.pk)
            publish_to_user_on_commit(user.pk, sanction_frame(sanction))
    return sanction


def sanction_lift(*, moderator, sanction: Sanction) -> Sanction:
    _require_moderator(moderator)
    with transaction.atomic():
        sanction = Sanction.objects.select_for_update().get(pk=sanction.pk)
        if sanction.lifted_at is not None:
            raise AppError(ALREADY_DECIDED)
        sanction.lifted_at = timezone.now()
        sanction.lifted_by = moderator
        sanction.save(update_fields=["lifted_at", "lifted_by"])
        audit_record(actor=moderator, action=f"lift:{sanction.kind}", target=f"user:{sanction.user_id}",
                     subject=sanction.user)
        if sanction.kind == SanctionKind.BAN:
            user_set_active(user=sanction.user, active=True)
        else:
            _mutes_changed(sanction.user_id)
            publish_to_user_on_commit(sanction.user_id, {**sanction_frame(sanction), "lifted": True})
    return sanction


def _mutes_changed(user_id: int) -> None:
    redis_on_commit("DEL", selectors.mutes_key(user_id))


def sanction_frame(sanction: Sanction) -> dict:
    """``scope``: the topic the mute applies to (``None``: everywhere);
    ``room`` is its key, kept for clients that read it (docs/protocol.md)."""
    return {"type": "sanction", "kind": sanction.kind, "scope": sanction.scope or None,
            "room": sanction.scope.partition(".")[2] or None,
            "until": sanction.ends_at.isoformat() if sanction.ends_at else None, "lifted": False}


def queue_reconcile() -> int:
    """Re-add every open item missing from its stream (after Redis lost data),
    and drop entries whose item is decided; returns how many were re-added.
    Safe to run any time: an item still on its stream is left alone."""
    restored = 0
    for stream, open_items in selectors.open_items_by_stream().items():
        name = streams.stream_name(stream)
        streams.ensure_group(name)
        present = streams.items(name)
        for item in open_items:
            if item.pk not in present:
                QueueItem.objects.filter(pk=item.pk).update(claimed_by=None, claimed_at=None, stream_id="")
                _add_to_stream(item.pk, stream)
                restored += 1
        # Entries of decided items (their removal failed): re-read their status
        # now, so an item enqueued after the snapshot above is never dropped.
        unknown = set(present) - {item.pk for item in open_items}
        decided = QueueItem.objects.filter(pk__in=unknown).exclude(
            status__in=[ItemStatus.PENDING, ItemStatus.ESCALATED]).values_list("pk", flat=True)
        for item_id in decided:
            for entry_id in present[item_id]:
                streams.done(name, entry_id)
    return restored

def _rules_changed() -> None:
    transaction.on_commit(forget_blocked_terms)


def rule_save(*, actor, rule, changed_fields: list[str] | None = None) -> None:
    """Save an edited moderation rule (a blocked term, a reason) and log it."""
    with transaction.atomic():
        _rules_changed()
        created = rule.pk is None
        rule.save()
        audit_record(actor=actor, action="rule:" + ("add" if created else "change"),
                     target=f"{rule._meta.model_name}:{rule}", reason=", ".join(changed_fields or []))


def rule_delete(*, actor, rule) -> None:
    with transaction.atomic():
        _rules_changed()
        audit_record(actor=actor, action="rule:delete", target=f"{rule._meta.model_name}:{rule}")
        rule.delete()
