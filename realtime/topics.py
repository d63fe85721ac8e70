"""The topic registry. A topic is ``<kind>.<key>`` (``room.bupati``); each
kind is registered once, by the app that owns it, from its ``AppConfig.ready``.

A kind decides who may join, what the history looks like and which client
frames it handles (``actions``, each described in the kind's own schema
fragment); the hub decides nothing about domain rules. Adding a domain
action touches no file of the hub core.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.errors import AppError
from realtime import schema
from realtime.errors import NOT_FOUND
from realtime.protocol import CORE_TYPES
from realtime.sequence import Sequence


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
    #: What this socket has sent of the topic (duplicates dropped, gaps found).
    sequence: Sequence = field(init=False)

    def __post_init__(self) -> None:
        self.sequence = Sequence(contiguous=self.kind.contiguous_ids)


class TopicKind(ABC):
    """What a topic kind must provide. All methods may raise ``AppError``."""

    prefix: str = ""
    #: Client frame types this kind handles, besides the core ones: ``{type:
    #: method name}``; each method is ``async (grant, user, frame) -> reply``.
    actions: Mapping[str, str] = {}
    #: The kind's JSON Schema fragment: a ``client.<type>`` definition for
    #: each action, and the server frames it sends (``realtime/schema.py``).
    schema: Path | None = None
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

    def forget(self) -> None:
        """Drop what the kind keeps in memory of the database (shared replays,
        known keys): for when the database itself is replaced, as between
        tests. Nothing, for a kind that keeps nothing."""
        return None


@dataclass(frozen=True)
class Action:
    """A client frame type a kind handles: its handler and its validator."""

    kind: TopicKind
    handler: Any
    validator: Any


_registry: dict[str, TopicKind] = {}
#: ``(prefix, frame type) -> Action``
_actions: dict[tuple[str, str], Action] = {}


def register(kind: TopicKind) -> None:
    """Register a topic kind and its actions. Refuses a second kind of the
    same prefix, an action that shadows a core frame, an action without a
    handler or without its ``client.<type>`` definition in the kind's schema."""
    if kind.prefix in _registry and type(_registry[kind.prefix]) is not type(kind):
        raise RuntimeError(f"topic kind {kind.prefix!r} registered twice")
    document = schema.add_fragment(kind.schema) if kind.schema is not None else None
    for frame_type, method in kind.actions.items():
        if frame_type in CORE_TYPES:
            raise RuntimeError(f"{kind.prefix!r}: {frame_type!r} is a core frame type")
        if not callable(getattr(kind, method, None)):
            raise RuntimeError(f"{kind.prefix!r}: no method {method!r} for {frame_type!r}")
        if document is None or not schema.has_definition(document, f"client.{frame_type}"):
            raise RuntimeError(f"{kind.prefix!r}: its schema has no client.{frame_type}")
        _actions[(kind.prefix, frame_type)] = Action(
            kind=kind, handler=getattr(kind, method),
            validator=schema.definition_validator(document, f"client.{frame_type}"))
    _registry[kind.prefix] = kind


def unregister(prefix: str) -> None:
    """Forget a kind (tests that register a throwaway kind)."""
    _registry.pop(prefix, None)
    for key in [key for key in _actions if key[0] == prefix]:
        del _actions[key]


def action(prefix: str, frame_type: str) -> Action | None:
    return _actions.get((prefix, frame_type))


def is_action(frame_type: str) -> bool:
    """Whether any registered kind handles ``frame_type``."""
    return any(registered == frame_type for _prefix, registered in _actions)


def all_kinds() -> list[TopicKind]:
    return list(_registry.values())


def forget_all() -> None:
    """Every registered kind's ``forget``."""
    for kind in _registry.values():
        kind.forget()


def resolve(topic: str) -> tuple[TopicKind, str]:
    prefix, _, key = topic.partition(".")
    kind = _registry.get(prefix)
    if kind is None:
        raise AppError(NOT_FOUND, f"no such topic kind {prefix!r}")
    return kind, key
