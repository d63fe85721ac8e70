"""The topic registry. A topic is ``<kind>.<key>`` (``room.bupati``); each
kind is registered once, by the app that owns it, from its ``AppConfig.ready``.

A kind decides who may join, what the history looks like and what a client
frame does; the hub decides nothing about domain rules.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from realtime.hub.errors import NOT_FOUND, UNKNOWN_TYPE, HubError


@dataclass
class Replay:
    """Messages after a point: ``frames`` in id order, ``last_id`` the newest
    visible id of the topic, ``has_more`` whether older ones were left out."""

    frames: list[dict]
    last_id: int
    has_more: bool = False
    #: For kinds without gap-free ids: the ids of ``frames``.
    ids: list[int] = field(default_factory=list)
    #: Extra fields for the ``joined`` frame (a room's ``last_rev``).
    extra: dict = field(default_factory=dict)


@dataclass
class Subscription:
    """One socket's membership of one topic."""

    topic: str
    kind: TopicKind
    key: str
    grant: Any
    last_id: int = 0
    #: Ids already sent, for kinds whose ids are not gap-free.
    seen: set[int] = field(default_factory=set)


class TopicKind(ABC):
    """What a topic kind must provide. All methods may raise ``HubError``."""

    prefix: str = ""
    #: Client frame types (besides join/leave/history) this kind handles.
    actions: frozenset[str] = frozenset()
    #: Whether the hub counts presence for topics of this kind.
    presence: bool = True
    #: Whether ids are gap-free per topic (a jump means a missed event). When
    #: not, the hub only drops ids it already sent.
    contiguous_ids: bool = True

    def auto_key(self, user) -> str | None:
        """A key every socket of ``user`` joins at connect, without asking
        (a user's own notifications); ``None`` for most kinds."""
        return None

    @abstractmethod
    async def join(self, user, key: str) -> Any:
        """Authorize ``user`` (possibly anonymous) to join; return a grant."""

    @abstractmethod
    async def replay(self, grant, user, since: int | None, changes_since: int | None = None) -> Replay:
        """Messages with id > ``since`` (``None``: the latest page); kinds whose
        messages change afterwards also replay the changes made after revision
        ``changes_since`` (the join frame's ``since_rev``)."""

    @abstractmethod
    async def history(self, grant, user, before: int, limit: int) -> tuple[list[dict], bool]:
        """Up to ``limit`` message objects with id < ``before`` in id order,
        and whether older ones remain."""

    async def describe(self, grant, user) -> dict:
        """Extra fields for the ``joined`` frame."""
        return {}

    async def handle(self, action: str, grant, user, frame) -> dict:
        """Handle a client frame of one of ``actions``; return the reply frame."""
        raise HubError(UNKNOWN_TYPE)


_registry: dict[str, TopicKind] = {}


def register(kind: TopicKind) -> None:
    if kind.prefix in _registry and type(_registry[kind.prefix]) is not type(kind):
        raise RuntimeError(f"topic kind {kind.prefix!r} registered twice")
    _registry[kind.prefix] = kind


def all_kinds() -> list[TopicKind]:
    return list(_registry.values())


def resolve(topic: str) -> tuple[TopicKind, str]:
    prefix, _, key = topic.partition(".")
    kind = _registry.get(prefix)
    if kind is None:
        raise HubError(NOT_FOUND, f"no such topic kind {prefix!r}")
    return kind, key
