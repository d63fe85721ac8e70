"""One socket's position in one topic: which events it has been sent, so that
duplicates are dropped and gaps are noticed. Pure logic, no I/O: the consumer
asks ``offer`` for every event and replayed message, and reads the missing
ones back from the database when it answers ``GAP``.

Topics with gap-free ids (a chat room's visible ids) need only the last id;
others (a user's notifications, whose ids are global) remember the ids sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

SEND = "send"
DROP = "drop"
GAP = "gap"


@dataclass
class Sequence:
    contiguous: bool = True
    #: The newest id sent (gap-free topics), or the newest a replay reported.
    last_id: int = 0
    #: The ids sent, for topics whose ids are not gap-free.
    seen: set[int] = field(default_factory=set)

    def offer(self, seq: int | None) -> str:
        """``SEND`` (and record it), ``DROP`` (sent already) or ``GAP`` (ids
        before it are missing: nothing is recorded; read them back first).
        Events without an id are always sent."""
        if seq is None:
            return SEND
        if not self.contiguous:
            if seq in self.seen:
                return DROP
            self.seen.add(seq)
            return SEND
        if seq <= self.last_id:
            return DROP
        if seq > self.last_id + 1:
            return GAP
        self.last_id = seq
        return SEND

    def joined(self, last_id: int, ids: Iterable[int] = ()) -> None:
        """A join replayed everything up to ``last_id`` (and, for topics that
        are not gap-free, the messages ``ids``)."""
        self.last_id = last_id
        self.seen.update(ids)

    def caught_up(self, last_id: int) -> None:
        """A re-read after a gap reached ``last_id``; never moves back."""
        self.last_id = max(self.last_id, last_id)
