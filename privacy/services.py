"""Every write of the data rights: erasing an account, the scheduled purge of
raw personal data, and the log of unmasked personal data shown to staff.

Erasure keeps the public record and removes the person: what the user wrote
stays where others read it (a room's conversation, an aspiration's thread),
with personal data in it masked for good and attributed to "Warga (akun
dihapus)"; the account's personal fields are emptied, its password made
unusable and the account deactivated, which signs out every browser and
closes every socket of it at once (``realtime/signals.py``). What concerns
only the user (notifications, preferences, follows) is deleted.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import CitizenCategory, Role
from accounts.models import User
from chat.models import Message, MessageRevision
from common import pii
from common.errors import FORBIDDEN, AppError
from common.sanitize import render_markdown, render_text
from forum.models import Aspiration, Follow, Reply, ReplyRevision, Status
from notify.models import Notification, NotificationPreference
from privacy.models import RetentionMark, UnmaskEntry
from qa.models import Follow as SessionFollow

log = logging.getLogger(__name__)

#: The name an erased account's texts are attributed to (the public record
#: keeps one fixed name, in the site's first language).
ERASED_NAME = "Warga (akun dihapus)"
ONLY_CITIZENS = _("Accounts of officials, moderators and administrators are closed by an administrator.")
BATCH = 500


# --- erasure --------------------------------------------------------------------------------
def _mask_texts(rows, render=None) -> int:
    """Mask personal data in ``rows``' ``body`` for good; with ``render``,
    their ``html`` is rendered again from the masked text. Returns how many
    changed."""
    changed = 0
    for row in rows.iterator(chunk_size=BATCH):
        masked = pii.mask(row.body)
        if masked != row.body:
            fields = {"body": masked, **({"html": render(masked)} if render else {})}
            type(row).objects.filter(pk=row.pk).update(**fields)
            changed += 1
    return changed


def _mask_messages(rows) -> int:
    """Chat messages (plain text)."""
    return _mask_texts(rows, render_text)


def _mask_bodies(rows) -> int:
    """Earlier texts (revisions of messages and replies): no HTML kept."""
    return _mask_texts(rows)


def _mask_replies(rows) -> int:
    """Forum replies (markdown)."""
    return _mask_texts(rows, render_markdown)


def _mask_aspirations(rows) -> int:
    changed = 0
    for aspiration in rows.iterator(chunk_size=BATCH):
        title, body = pii.mask(aspiration.title), pii.mask(aspiration.body)
        comment = pii.mask(aspiration.rating_comment)
        if (title, body, comment) != (aspiration.title, aspiration.body, aspiration.rating_comment):
            Aspiration.objects.filter(pk=aspiration.pk).update(title=title, body=body, html=render_markdown(body),
                                                               rating_comment=comment)
            changed += 1
    return changed


def account_erase(*, user: User) -> User:
    """Erase a citizen's account (their own request). Officials, moderators
    and administrators are refused (``forbidden``): their accounts carry the
    regency's record and are closed by an administrator."""
    if user.role != Role.CITIZEN:
        raise AppError(FORBIDDEN, ONLY_CITIZENS)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _mask_messages(Message.objects.filter(author=user))
        _mask_bodies(MessageRevision.objects.filter(message__author=user))
        _mask_aspirations(Aspiration.objects.filter(author=user))
        _mask_replies(Reply.objects.filter(author=user))
        _mask_bodies(ReplyRevision.objects.filter(reply__author=user))
        Notification.objects.filter(recipient=user).delete()
        NotificationPreference.objects.filter(user=user).delete()
        Follow.objects.filter(user=user).delete()
        SessionFollow.objects.filter(user=user).delete()
        AccessAttempt.objects.filter(username=user.username).delete()
        AccessFailureLog.objects.filter(username=user.username).delete()
        user.username = f"dihapus-{user.pk}"
        user.display_name = ERASED_NAME
        user.email = user.phone = user.kecamatan = user.title = ""
        user.category = CitizenCategory.UMUM
        user.established = False
        user.is_active = False  # closes every socket of the user after commit (realtime/signals.py)
        user.set_unusable_password()
        user.save()
    log.info("account %s erased at its owner's request", user.pk)
    return user


# --- retention ------------------------------------------------------------------------------
def _mark(name: str) -> RetentionMark:
    mark, _ = RetentionMark.objects.get_or_create(name=name)
    return mark


def _purge_chat(cutoff) -> int:
    """Chat messages (and their earlier texts) written before ``cutoff`` keep
    no unmasked personal data. A mark remembers how far the purge got, so each
    run reads only what became old since."""
    mark = _mark("chat")
    start = mark.done_until
    rows = Message.objects.filter(created_at__lt=cutoff)
    revisions = MessageRevision.objects.filter(created_at__lt=cutoff)
    if start is not None:
        rows, revisions = rows.filter(created_at__gte=start), revisions.filter(created_at__gte=start)
    changed = _mask_messages(rows) + _mask_bodies(revisions)
    mark.done_until = cutoff
    mark.save(update_fields=["done_until"])
    return changed


def _purge_forum(cutoff) -> int:
    """Closed aspirations (done or rejected) older than ``cutoff``, with their
    replies: an open one still needs its data for the agency at work on it.
    Closed aspirations are few, so each run reads all of them again (masking
    twice changes nothing)."""
    closed = Aspiration.objects.filter(status__in=[Status.DONE, Status.REJECTED], created_at__lt=cutoff)
    return (_mask_aspirations(closed) + _mask_replies(Reply.objects.filter(aspiration__in=closed))
            + _mask_bodies(ReplyRevision.objects.filter(reply__aspiration__in=closed)))


def retention_purge(now=None) -> dict[str, int]:
    """The scheduled purge (the worker's ``privacy.retention``): raw personal
    data older than its setting is masked or deleted. ``now``: tests move the
    clock. Safe to run any number of times."""
    now = now or timezone.now()
    text_cutoff = now - timedelta(days=settings.PRIVACY_RAW_TEXT_DAYS)
    done = {
        "chat_texts": _purge_chat(text_cutoff),
        "forum_texts": _purge_forum(text_cutoff),
        "notifications": Notification.objects.filter(
            created_at__lt=now - timedelta(days=settings.PRIVACY_NOTIFICATION_DAYS)).delete()[0],
        # Failed sign-ins (username, address, browser) once their lock-out is over.
        "sign_in_failures": AccessAttempt.objects.filter(
            attempt_time__lt=now - settings.AXES_COOLOFF_TIME).delete()[0]
        + AccessFailureLog.objects.filter(attempt_time__lt=now - settings.AXES_COOLOFF_TIME).delete()[0],
        "unmask_log": UnmaskEntry.objects.filter(
            created_at__lt=now - timedelta(days=settings.PRIVACY_UNMASK_LOG_DAYS)).delete()[0],
    }
    if any(done.values()):
        log.info("retention purge: %s", ", ".join(f"{name} {n}" for name, n in done.items()))
    return done


# --- the unmask log ---------------------------------------------------------------------------
def unmask_record(*, viewer, subject_id: int | None, target: str, kinds: list[str], where: str) -> UnmaskEntry:
    return UnmaskEntry.objects.create(viewer=viewer, subject_id=subject_id, target=target[:80],
                                      kinds=",".join(kinds), where=where[:40])


def unmask_record_signal(sender, *, viewer, subject_id, target, kinds, where, **kwargs) -> None:
    """``common.pii.unmasked_shown`` → the log."""
    unmask_record(viewer=viewer, subject_id=subject_id, target=target, kinds=kinds, where=where)
