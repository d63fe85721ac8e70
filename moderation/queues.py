"""The registry of moderation queues and of the things they hold.

A *target kind* (``chat.message``) knows how to load, show and act on one kind
of content; the app that owns the content registers it. A *queue* (``chat``,
``reports``) says what approving and rejecting an item mean. Both are
registered from ``AppConfig.ready``; the engine (``services``) knows neither.

What the console shows of any target comes from ``TargetKind.context`` as a
fixed contract (``CONTEXT_KEYS``); the console never parses URLs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

#: Every target kind's ``context`` returns at least these keys:
#: ``title`` (what it is, e.g. "Pesan di Ruang Bupati"), ``text`` (the raw
#: text, moderators only), ``masked_text`` (personal data masked), ``author``
#: (``{id, name, username, role}`` or ``None``), ``author_id``, ``where`` (a
#: readable place), ``link`` (a URL to see it in place) and ``scope`` (the
#: topic a scoped mute applies to, or ``""``). ``around`` (neighbouring
#: content, masked) is optional.
CONTEXT_KEYS = frozenset({"title", "text", "masked_text", "author", "author_id", "where", "link", "scope"})


@dataclass(frozen=True)
class TargetKind:
    key: str
    load: Callable[[int], Any]                      # target or None
    context: Callable[[Any], dict]                  # CONTEXT_KEYS and more
    publish: Callable[[Any, Any, bool], None]       # (target, moderator, redact personal data)
    refuse: Callable[[Any, Any, str], None]         # (target, moderator, reason label)
    hide: Callable[[Any], None]                     # hidden pending review (reports)
    restore: Callable[[Any], None]                  # shown again (report dismissed)
    remove: Callable[[Any, Any, str], None]         # (target, moderator, reason label)
    public: Callable[[Any], bool]                   # shown to everyone (may be reported)
    #: A public reference, as pages know the content (``"bupati/17"``), to
    #: the target's primary key, or ``None``. Reports name targets this way.
    find: Callable[[str], int | None]
    #: ``(author id, text, since, count_published) -> (repeated, published)``:
    #: the author's past for the screening rules; ``None``: the kind has none.
    author_record: Callable[..., tuple[bool, int]] | None = None


@dataclass(frozen=True)
class Queue:
    name: str
    label: Any
    #: ``(target kind, target, moderator, redact)``
    approve: Callable[..., None]
    #: ``(target kind, target, moderator, reason label)``
    reject: Callable[..., None]
    admins_only: bool = False
    #: Where the console lists it: content waiting to be published first.
    order: int = 50
    #: What approving, approving with personal data masked (``None``: the
    #: queue has no such action) and rejecting do, as the console's buttons say.
    approve_label: Any = _("Publish")
    redact_label: Any = _("Publish, masking personal data")
    reject_label: Any = _("Refuse")


_targets: dict[str, TargetKind] = {}
_queues: dict[str, Queue] = {}


def register_target(kind: TargetKind) -> None:
    _targets[kind.key] = kind


def register_queue(queue: Queue) -> None:
    _queues[queue.name] = queue


def get_target(key: str) -> TargetKind | None:
    return _targets.get(key)


def get_queue(name: str) -> Queue | None:
    return _queues.get(name)


def all_queues() -> list[Queue]:
    return sorted(_queues.values(), key=lambda queue: (queue.order, queue.name))


# Built-in queues: reported content, and what no moderator could decide.
REPORTS = "reports"
ESCALATED = "escalated"


def _publish(kind: TargetKind, target, moderator, redact: bool) -> None:
    kind.publish(target, moderator, redact)


def _refuse(kind: TargetKind, target, moderator, reason: str) -> None:
    kind.refuse(target, moderator, reason)


def _keep(kind: TargetKind, target, moderator, redact: bool) -> None:
    kind.restore(target)


def _remove(kind: TargetKind, target, moderator, reason: str) -> None:
    kind.remove(target, moderator, reason)


def premoderation_queue(name: str, label) -> Queue:
    """A queue of content held before publication: approve publishes it,
    reject refuses it with the reason."""
    return Queue(name=name, label=label, approve=_publish, reject=_refuse, order=10)


def reports_queue(label) -> Queue:
    """Reported content: approve keeps it (shown again if it was hidden),
    reject removes it."""
    return Queue(name=REPORTS, label=label, approve=_keep, reject=_remove, order=20,
                 approve_label=_("Keep"), redact_label=None, reject_label=_("Remove"))
