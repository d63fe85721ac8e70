"""Extension points of chat for apps above it (moderation), so that chat never
imports them. Each list is filled from an ``AppConfig.ready``.

- ``send_guards``: ``async (user, room) -> HubError | None``; a refusal stops
  a send before anything is stored (mutes). Awaited in the event loop, after
  the room's post rules and before the rate limit; a retry of a message
  already stored is not asked again.
- ``screens``: ``(user, room, text, editing) -> list[str]``; rule hits. Any hit
  holds a new message for review, the hits recorded as the reason, and
  refuses an edit (``editing`` True: only rules about the text itself apply).
  Runs in the database thread, inside the sender's transaction.
- ``on_held``: ``(message, reasons) -> None``; called in the same transaction
  when a message is held (moderation queues it after commit).
"""

from __future__ import annotations

from collections.abc import Callable

send_guards: list[Callable[..., object]] = []
screens: list[Callable[..., list[str]]] = []
on_held: list[Callable[..., None]] = []


def screen(user, room, text: str, *, editing: bool = False) -> list[str]:
    hits: list[str] = []
    for check in screens:
        hits.extend(check(user, room, text, editing))
    return list(dict.fromkeys(hits))
