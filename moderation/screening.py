"""Screening: which rules hold content for a moderator's review before it is
public. One function, ``screen``, for every target kind (chat messages today;
aspirations and questions as they arrive): the text rules (blocked words with
look-alike letters, personal data, links) and the author rules (a new
account's first posts, the same text repeated).

The author rules need the author's past in that kind of content; the target
kind supplies it (``TargetKind.author_record``), so screening imports no
domain.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts.services import user_mark_established
from moderation import rules
from moderation.models import BlockedTerm
from moderation.queues import get_target

BLOCKED_TERMS_KEY = "moderation:blocked-terms"

#: Each process keeps the blocklist this long before asking the shared cache
#: again: a rule change reaches every process within this many seconds.
LOCAL_TERMS_S = 10.0
_local_terms: dict = {"at": -LOCAL_TERMS_S, "terms": []}


def blocked_terms() -> list[str]:
    """The active blocklist: in this process for ``LOCAL_TERMS_S``, in the
    shared cache until a rule changes (``rule_save``/``rule_delete`` clear it)."""
    now = time.monotonic()
    if now - _local_terms["at"] >= LOCAL_TERMS_S:
        _local_terms["terms"] = cache.get_or_set(BLOCKED_TERMS_KEY, lambda: list(
            BlockedTerm.objects.filter(active=True).values_list("term", flat=True)), 300)
        _local_terms["at"] = now
    return _local_terms["terms"]


def forget_blocked_terms() -> None:
    """Every process re-reads the blocklist (this one at the next post)."""
    cache.delete(BLOCKED_TERMS_KEY)
    _local_terms["at"] = -LOCAL_TERMS_S


def screen(*, kind: str, author, text: str, editing: bool = False) -> list[str]:
    """The rule hits that hold ``text`` by ``author`` (a target of ``kind``)
    for review; empty: publish at once. ``editing``: a change to published
    content, where only the rules about the text itself apply. Runs in the
    database thread, inside the author's transaction."""
    hits = rules.blocked_words(text, blocked_terms()) + rules.personal_data(text) + rules.too_many_links(text)
    if editing:
        return hits  # the rules below are about the author's pattern of posting
    target = get_target(kind)
    record = target.author_record if target is not None else None
    hold_new = not author.established and settings.MODERATION_NEW_ACCOUNT_HOLD > 0
    since = (timezone.now() - timedelta(minutes=settings.MODERATION_REPEAT_MINUTES)
             if settings.MODERATION_REPEAT_MINUTES else None)
    if record is None or (since is None and not hold_new):
        return hits
    repeated, published = record(author.pk, text.strip(), since, hold_new)
    if repeated:
        hits.append("repeated_text")
    if hold_new:
        if published < settings.MODERATION_NEW_ACCOUNT_HOLD:
            hits.append("new_account")
        else:
            user_mark_established(user=author)  # counted once; later posts skip the count
    return hits
