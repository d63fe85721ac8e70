"""Every write to aspirations, as plain synchronous functions (pages, the
live topic, moderation, the worker and seed_demo call the same ones).

Each write persists, then publishes after commit: a visible change of a
thread (a reply, an edit, a status step) takes the aspiration's next live
sequence number (``Aspiration.last_seq``) and goes to ``aspirasi.<id>`` as an
event; a tab that missed it reads it back from there (``forum/topic.py``).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Kecamatan
from common.errors import FORBIDDEN, INVALID, NOT_FOUND, AppError, register_details
from common.sanitize import render_markdown
from forum import deadlines, lifecycle, rules, selectors
from forum.events import reply_frame, timeline_frame
from forum.lifecycle import AGENCY, AUTHOR, SYSTEM
from forum.models import (
    ASPIRATION_TARGET,
    HELD_QUEUE,
    Aspiration,
    Category,
    Follow,
    Privacy,
    Reply,
    ReplyRevision,
    Status,
    Support,
    TimelineEntry,
)
from forum.notifications import tell_escalated, tell_followers, tell_overdue
from moderation.screening import screen
from moderation.services import item_enqueue
from officials.models import Agency
from officials.selectors import official_of
from realtime.events import publish_on_commit

TOO_DEEP = "too_deep"
EDIT_WINDOW = "edit_window_passed"
NOT_RATEABLE = "not_rateable"
REOPEN_WINDOW = "reopen_window_passed"
register_details({
    TOO_DEEP: _("Replies cannot nest deeper than this; reply higher up the thread."),
    NOT_RATEABLE: _("Only the author rates an aspiration, once it is done."),
    REOPEN_WINDOW: _("An aspiration can be reopened only within 14 days of being done."),
}, {TOO_DEEP: 400, NOT_RATEABLE: 403, REOPEN_WINDOW: 409})


def _text(value: str, *, limit: int, what) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        raise AppError(INVALID, _("%(what)s is empty.") % {"what": what})
    if len(text) > limit:
        raise AppError(INVALID, _("%(what)s is limited to %(n)d characters.") % {"what": what, "n": limit})
    return text


def _next_seq(aspiration_id: int) -> int:
    """The thread's next live sequence number. Call inside a transaction: the
    row stays locked until commit, so numbers are gap-free and in order."""
    Aspiration.objects.filter(pk=aspiration_id).update(last_seq=F("last_seq") + 1)
    return Aspiration.objects.values_list("last_seq", flat=True).get(pk=aspiration_id)


# --- submitting -----------------------------------------------------------------
def aspiration_submit(*, author, title: str, body: str, category: Category, kecamatan: str, desa: str = "",
                      privacy: str | None = None) -> Aspiration:
    """A citizen files an aspiration. It waits for a moderator (queue
    ``forum``, screened by moderation's rules) before it is public; its
    verification deadline starts now. The author follows it. ``privacy``
    ``None``: the category's default (confidential categories stay so unless
    the citizen chooses otherwise)."""
    if not author.is_authenticated:
        raise AppError(FORBIDDEN, _("Sign in to take part."))
    title = _text(title, limit=rules.MAX_TITLE, what=_("The title"))
    body = _text(body, limit=rules.MAX_BODY, what=_("The text"))
    if not category.active:
        raise AppError(INVALID, _("Choose a category."))
    if kecamatan not in Kecamatan.values:
        raise AppError(INVALID, _("Choose a kecamatan."))
    privacy = privacy or category.default_privacy
    if privacy not in Privacy.values:
        raise AppError(INVALID)
    now = timezone.now()
    with transaction.atomic():
        aspiration = Aspiration.objects.create(
            title=title, body=body, html=render_markdown(body), category=category, kecamatan=kecamatan,
            desa=desa.strip()[:80], privacy=privacy, author=author, agency=category.agency, status=Status.NEW,
            due_at=deadlines.add_working_days(now, category.verify_days))
        reasons = ["premoderated", *screen(kind=ASPIRATION_TARGET, author=author, text=f"{title}\n{body}")]
        item_enqueue(queue=HELD_QUEUE, target_kind=ASPIRATION_TARGET, target_id=aspiration.pk,
                     author_id=author.pk, reasons=list(dict.fromkeys(reasons)), fresh=True)
        TimelineEntry.objects.create(aspiration=aspiration, to_status=Status.NEW, actor=author,
                                     seq=_next_seq(aspiration.pk))
        Follow.objects.create(aspiration=aspiration, user=author)
    return aspiration


def aspiration_from_question(*, author, actor, title: str, body: str, agency: Agency, category: Category,
                             kecamatan: str, anonymous: bool = False, origin: str = "") -> Aspiration:
    """A question of an officials' Q&A session left for later (``qa``): it
    was moderated as a question already, so the aspiration is published and
    forwarded at once to ``agency``, with that step's deadline. ``author`` is
    the citizen who asked (they follow it); ``actor`` the official or
    delegate who carried it over; ``origin`` says where it came from, on the
    timeline. The caller makes it idempotent (it holds the question's row)."""
    if agency is None:
        raise AppError(lifecycle.AGENCY_REQUIRED)
    if kecamatan not in Kecamatan.values:
        raise AppError(INVALID, _("Choose a kecamatan."))
    title = _text(title, limit=rules.MAX_TITLE, what=_("The title"))
    body = _text(body, limit=rules.MAX_BODY, what=_("The text"))
    privacy = Privacy.ANONYMOUS if anonymous else Privacy.PUBLIC
    if category.default_privacy == Privacy.CONFIDENTIAL:
        privacy = Privacy.CONFIDENTIAL
    now = timezone.now()
    with transaction.atomic():
        aspiration = Aspiration.objects.create(
            title=title, body=body, html=render_markdown(body), category=category, kecamatan=kecamatan,
            privacy=privacy, author=author, agency=agency, status=Status.FORWARDED, published=True,
            verified_at=now, due_at=deadlines.add_working_days(now, category.followup_days))
        entry = TimelineEntry.objects.create(
            aspiration=aspiration, from_status="", to_status=Status.FORWARDED, actor=actor, agency=agency,
            reason=origin[:500], seq=_next_seq(aspiration.pk))
        Follow.objects.create(aspiration=aspiration, user=author)
        tell_followers(aspiration=aspiration, entry=entry, actor=actor)
    return aspiration


# --- the lifecycle ------------------------------------------------------------------
def status_change(*, actor, aspiration_id: int, to_status: str, reason: str = "", agency: Agency | None = None,
                  system: bool = False) -> Aspiration:
    """Move an aspiration along its lifecycle (``forum/lifecycle.py``): the
    one place a status changes. Records the step on the public timeline,
    starts the next deadline, tells the followers (and, on a forward, the
    agency's officials), and emits ``timeline`` to ``aspirasi.<id>`` after
    commit. Refused steps raise ``AppError`` and change nothing."""
    reason = (reason or "").strip()[:500]
    with transaction.atomic():
        if system:
            aspiration = Aspiration.objects.select_for_update().select_related("category").get(pk=aspiration_id)
            roles = {SYSTEM}
        else:
            seen = selectors.aspiration_seen(user=actor, pk=aspiration_id, for_update=True)
            aspiration, roles = seen.aspiration, set(seen.roles)
        from_status = aspiration.status
        if (from_status, to_status) == (Status.DONE, Status.FORWARDED) and AUTHOR in roles:
            if aspiration.done_at and timezone.now() - aspiration.done_at > timedelta(days=lifecycle.REOPEN_DAYS):
                raise AppError(REOPEN_WINDOW)
            agency = agency or aspiration.agency
        step = lifecycle.check(from_status, to_status, roles, reason=reason, agency=agency)
        if step.needs_agency and from_status == Status.FORWARDED and agency.pk == aspiration.agency_id:
            raise AppError(INVALID, _("Choose another agency to forward it to."))
        _apply(aspiration, from_status, to_status, agency)
        entry = TimelineEntry.objects.create(
            aspiration=aspiration, from_status=from_status, to_status=to_status,
            actor=None if system else actor, agency=aspiration.agency if step.needs_agency else None,
            reason=reason, seq=_next_seq(aspiration.pk))
        publish_on_commit(aspiration.topic, timeline_frame(entry, aspiration), seq=entry.seq)
        tell_followers(aspiration=aspiration, entry=entry, actor=None if system else actor)
    return aspiration


def _apply(aspiration: Aspiration, from_status: str, to_status: str, agency: Agency | None) -> None:
    now = timezone.now()
    category = aspiration.category
    aspiration.status = to_status
    fields = ["status", "due_at", "overdue_notified_at", "escalated_at"]
    aspiration.overdue_notified_at = None
    aspiration.escalated_at = None
    if to_status == Status.VERIFIED:
        aspiration.verified_at = now
        aspiration.published = True
        fields += ["verified_at", "published"]
        # Forwarding is part of verification: the same deadline still runs.
    elif to_status == Status.FORWARDED:
        aspiration.agency = agency
        aspiration.due_at = deadlines.add_working_days(now, category.followup_days)
        fields.append("agency")
        if from_status == Status.DONE:
            aspiration.reopened += 1
            aspiration.done_at = None
            fields += ["reopened", "done_at"]
    elif to_status == Status.ANSWERED:
        aspiration.answered_at = now
        aspiration.first_response_at = aspiration.first_response_at or now
        aspiration.due_at = deadlines.add_working_days(aspiration.created_at, category.complete_days)
        fields += ["answered_at", "first_response_at"]
    elif to_status in (Status.DONE, Status.REJECTED):
        aspiration.due_at = None
        if to_status == Status.DONE:
            aspiration.done_at = now
            fields.append("done_at")
    aspiration.save(update_fields=fields)


def aspiration_refuse(*, moderator, aspiration_id: int, reason: str) -> Aspiration:
    """A moderator refuses a new aspiration in the review queue (it stays
    visible to its author only, with the reason on its timeline)."""
    return status_change(actor=moderator, aspiration_id=aspiration_id, to_status=Status.REJECTED, reason=reason)


# --- replies ---------------------------------------------------------------------------
def reply_post(*, user, aspiration_id: int, body: str, parent_id: int | None = None,
               as_answer: bool = False) -> Reply:
    """A reply, published at once (reportable). An official's reply carries
    their title and agency; ``as_answer``: the responsible agency's official
    response, which moves a forwarded aspiration to answered. Emits ``reply``
    to ``aspirasi.<id>`` after commit and tells the followers."""
    body = _text(body, limit=rules.MAX_REPLY, what=_("The reply"))
    with transaction.atomic():
        seen = selectors.aspiration_seen(user=user, pk=aspiration_id, for_update=True)
        aspiration, roles = seen.aspiration, set(seen.roles)
        if not rules.can_reply(user, aspiration, roles):
            raise AppError(FORBIDDEN, _("You cannot reply to this aspiration."))
        depth = 0
        if parent_id is not None:
            parent = Reply.objects.filter(pk=parent_id, aspiration=aspiration).first()
            if parent is None:
                raise AppError(NOT_FOUND)
            depth = parent.depth + 1
            if depth > rules.MAX_DEPTH:
                raise AppError(TOO_DEEP)
        official = official_of(user=user)
        is_official = official is not None and AGENCY in roles
        now = timezone.now()
        if AGENCY in roles and aspiration.first_response_at is None and aspiration.status == Status.FORWARDED:
            aspiration.first_response_at = now
            aspiration.save(update_fields=["first_response_at"])
        reply = Reply.objects.create(
            aspiration=aspiration, parent_id=parent_id, depth=depth, author=user, body=body,
            html=render_markdown(body),
            official_title=official.title if is_official else "",
            official_agency=(official.agency.name if official.agency else "") if is_official else "",
            seq=_next_seq(aspiration.pk))
        publish_on_commit(aspiration.topic, reply_frame(reply, aspiration), seq=reply.seq)
        tell_followers(aspiration=aspiration, reply=reply, actor=user)
        if as_answer:
            status_change(actor=user, aspiration_id=aspiration.pk, to_status=Status.ANSWERED)
    return reply


def _own_reply(*, user, reply_id: int) -> Reply:
    reply = (Reply.objects.select_for_update(of=("self",)).select_related("aspiration").filter(pk=reply_id)
             .first())
    if reply is None or not reply.is_shown:
        raise AppError(NOT_FOUND)
    selectors.aspiration_seen(user=user, pk=reply.aspiration_id)  # may they see the thread at all
    return reply


def reply_edit(*, user, reply_id: int, body: str) -> Reply:
    """Its author edits a reply within 15 minutes; the earlier text stays in
    its visible history. Emits ``reply`` (updated) after commit."""
    body = _text(body, limit=rules.MAX_REPLY, what=_("The reply"))
    with transaction.atomic():
        reply = _own_reply(user=user, reply_id=reply_id)
        if reply.author_id != user.pk:
            raise AppError(FORBIDDEN, _("Only the author may edit a reply."))
        if timezone.now() - reply.created_at > timedelta(minutes=rules.EDIT_WINDOW_MINUTES):
            raise AppError(EDIT_WINDOW, _("Replies can only be edited for 15 minutes."))
        if body == reply.body:
            return reply
        ReplyRevision.objects.create(reply=reply, body=reply.body)
        reply.body, reply.html, reply.edited_at = body, render_markdown(body), timezone.now()
        reply.seq = _next_seq(reply.aspiration_id)
        reply.save(update_fields=["body", "html", "edited_at", "seq"])
        publish_on_commit(reply.aspiration.topic, reply_frame(reply, reply.aspiration), seq=reply.seq)
    return reply


def reply_delete(*, user, reply_id: int) -> Reply:
    """Its author, or a moderator, deletes a reply: a tombstone keeps its
    place (and its children) in the thread. Emits ``reply`` (deleted)."""
    with transaction.atomic():
        reply = _own_reply(user=user, reply_id=reply_id)
        if reply.author_id != user.pk and not user.is_moderator:
            raise AppError(FORBIDDEN, _("Only the author or a moderator may delete a reply."))
        _tombstone(reply)
    return reply


def _tombstone(reply: Reply) -> None:
    reply.deleted_at = timezone.now()
    reply.body, reply.html = "", ""
    reply.seq = _next_seq(reply.aspiration_id)
    reply.save(update_fields=["deleted_at", "body", "html", "seq"])
    reply.revisions.all().delete()
    publish_on_commit(reply.aspiration.topic, reply_frame(reply, reply.aspiration), seq=reply.seq)


def reply_hide(*, reply: Reply) -> None:
    """Reported by enough people: hidden pending review (looks deleted)."""
    with transaction.atomic(savepoint=False):
        if reply.hidden_at is None and reply.deleted_at is None:
            reply.hidden_at = timezone.now()
            reply.seq = _next_seq(reply.aspiration_id)
            reply.save(update_fields=["hidden_at", "seq"])
            publish_on_commit(reply.aspiration.topic, reply_frame(reply, reply.aspiration), seq=reply.seq)


def reply_restore(*, reply: Reply) -> None:
    with transaction.atomic(savepoint=False):
        if reply.hidden_at is not None:
            reply.hidden_at = None
            reply.seq = _next_seq(reply.aspiration_id)
            reply.save(update_fields=["hidden_at", "seq"])
            publish_on_commit(reply.aspiration.topic, reply_frame(reply, reply.aspiration), seq=reply.seq)


def reply_remove(*, reply: Reply) -> None:
    """A moderator upholds a report: the reply becomes a tombstone."""
    with transaction.atomic(savepoint=False):
        if reply.deleted_at is None:
            _tombstone(reply)


# --- support, follow, rating --------------------------------------------------------------
def support_toggle(*, user, aspiration_id: int) -> tuple[bool, int]:
    """One "dukung" per citizen, toggled; returns ``(supported now, count)``.
    Exact under concurrency: the aspiration row is locked while the support
    row is added or removed and the count moved with it."""
    if not user.is_authenticated:
        raise AppError(FORBIDDEN, _("Sign in to take part."))
    with transaction.atomic():
        seen = selectors.aspiration_seen(user=user, pk=aspiration_id, for_update=True)
        aspiration = seen.aspiration
        if not aspiration.published or not aspiration.is_open:
            raise AppError(FORBIDDEN, _("Only published, open aspirations can be supported."))
        removed, _rows = Support.objects.filter(aspiration=aspiration, user=user).delete()
        if not removed:
            Support.objects.create(aspiration=aspiration, user=user)
        delta = -1 if removed else 1
        Aspiration.objects.filter(pk=aspiration.pk).update(supports=F("supports") + delta)
        count = Aspiration.objects.values_list("supports", flat=True).get(pk=aspiration.pk)
    return not removed, count


def follow_toggle(*, user, aspiration_id: int) -> bool:
    """Follow (or stop following) an aspiration; returns whether following now."""
    if not user.is_authenticated:
        raise AppError(FORBIDDEN, _("Sign in to take part."))
    selectors.aspiration_seen(user=user, pk=aspiration_id)
    removed, _rows = Follow.objects.filter(aspiration_id=aspiration_id, user=user).delete()
    if removed:
        return False
    try:
        with transaction.atomic():
            Follow.objects.create(aspiration_id=aspiration_id, user=user)
    except IntegrityError:
        pass  # followed meanwhile from another tab
    return True


def aspiration_rate(*, user, aspiration_id: int, rating: int, comment: str = "") -> Aspiration:
    """The author rates the outcome of a done aspiration, 1 to 5 (again to change it)."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise AppError(INVALID, _("A rating is a whole number from 1 to 5."))
    with transaction.atomic():
        seen = selectors.aspiration_seen(user=user, pk=aspiration_id, for_update=True)
        aspiration = seen.aspiration
        if AUTHOR not in seen.roles or aspiration.status != Status.DONE:
            raise AppError(NOT_RATEABLE)
        aspiration.rating, aspiration.rating_comment = rating, (comment or "").strip()[:500]
        aspiration.save(update_fields=["rating", "rating_comment"])
    return aspiration


# --- the clock (run by the worker) --------------------------------------------------------
def deadlines_scan(now=None) -> dict[str, int]:
    """Periodic: tell the responsible agency of each newly overdue aspiration
    (once per step), escalate those overdue for ``FORUM_ESCALATE_WORKING_DAYS``
    more to the Sekretaris Daerah (once), and close answered ones whose author
    stayed silent for 10 working days. Safe to run any time, on any worker,
    after any restart: each action is recorded on the aspiration and never
    repeated."""
    now = now or timezone.now()
    counts = {"overdue": 0, "escalated": 0, "closed": 0}
    for aspiration in selectors.open_with_deadline_before(moment=now):
        with transaction.atomic():
            row = Aspiration.objects.select_for_update().get(pk=aspiration.pk)
            if row.overdue_notified_at is None:
                row.overdue_notified_at = now
                row.save(update_fields=["overdue_notified_at"])
                tell_overdue(aspiration=aspiration)
                counts["overdue"] += 1
            escalate_at = deadlines.add_working_days(row.due_at, settings.FORUM_ESCALATE_WORKING_DAYS)
            if row.escalated_at is None and now > escalate_at:
                row.escalated_at = now
                row.save(update_fields=["escalated_at"])
                tell_escalated(aspiration=aspiration)
                counts["escalated"] += 1
    # An answer unanswered by its author for 10 full working days (after the
    # day of the answer or of the author's last word) closes the aspiration.
    for aspiration in selectors.answered_before(moment=now - timedelta(days=lifecycle.AUTO_CLOSE_WORKING_DAYS)):
        last_word = max(filter(None, [aspiration.answered_at, aspiration.last_author_word]))
        if now > deadlines.add_working_days(last_word, lifecycle.AUTO_CLOSE_WORKING_DAYS):
            status_change(actor=None, aspiration_id=aspiration.pk, to_status=Status.DONE, system=True,
                          reason=str(_("Closed automatically: no word from the author for 10 working days.")))
            counts["closed"] += 1
    return counts


def category_set_agency(*, category: Category, agency: Agency | None) -> Category:
    category.agency = agency
    category.save(update_fields=["agency"])
    return category

