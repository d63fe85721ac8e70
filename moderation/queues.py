"""The registry of moderation queues and of the things they hold.

A *target kind* (``chat.message``) knows how to load, show and act on one kind
of content; apps register theirs. A *queue* (``chat``, ``reports``) says what
approving and rejecting an item mean. Both are registered from
``AppConfig.ready``; the engine (``services``) knows neither.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TargetKind:
    key: str
    load: Callable[[int], Any]                      # target or None
    context: Callable[[Any], dict]                  # what the console shows
    publish: Callable[[Any, bool], None]            # (target, redact personal data)
    refuse: Callable[[Any, str], None]              # (target, reason label)
    hide: Callable[[Any], None]                     # hidden pending review (reports)
    restore: Callable[[Any], None]                  # shown again (report dismissed)
    remove: Callable[[Any, Any, str], None]         # (target, moderator, reason label)
    public: Callable[[Any], bool]                   # shown to everyone (may be reported)


@dataclass(frozen=True)
class Queue:
    name: str
    label: Any
    #: ``(target kind, target, moderator, redact)``
    approve: Callable[..., None]
    #: ``(target kind, target, moderator, reason label)``
    reject: Callable[..., None]
    admins_only: bool = False


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
    return list(_queues.values())


# Built-in queues: what a decision means before publication and after a report.
HELD = "chat"
REPORTS = "reports"
ESCALATED = "escalated"


def _publish(kind: TargetKind, target, moderator, redact: bool) -> None:
    kind.publish(target, redact)


def _refuse(kind: TargetKind, target, moderator, reason: str) -> None:
    kind.refuse(target, reason)


def _keep(kind: TargetKind, target, moderator, redact: bool) -> None:
    kind.restore(target)


def _remove(kind: TargetKind, target, moderator, reason: str) -> None:
    kind.remove(target, moderator, reason)


def premoderation_queue(name: str, label) -> Queue:
    """A queue of content held before publication: approve publishes it,
    reject refuses it with the reason."""
    return Queue(name=name, label=label, approve=_publish, reject=_refuse)


def reports_queue(label) -> Queue:
    """Reported content: approve keeps it (shown again if it was hidden),
    reject removes it."""
    return Queue(name=REPORTS, label=label, approve=_keep, reject=_remove)
