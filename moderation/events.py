"""Live updates for the moderators' console (``modq.console``): an item
arrived, was claimed, decided or escalated, with the queue statistics (at
most a second old)."""

from __future__ import annotations

import time

from django.db import transaction

from realtime.events import publish_on_commit

CONSOLE_TOPIC = "modq.console"
#: Queue statistics are recomputed at most this often per process: at 200
#: arrivals a second, one GROUP BY per arrival would cost more than the arrival.
STATS_EVERY_S = 1.0
_stats: dict = {"at": 0.0, "value": None}


def _recent_stats() -> dict:
    from moderation.selectors import queue_stats

    now = time.monotonic()
    if _stats["value"] is None or now - _stats["at"] >= STATS_EVERY_S:
        _stats["value"], _stats["at"] = queue_stats(), now
    return _stats["value"]


def publish_console_event(event: str, item) -> None:
    """Emit ``queue.event`` to every console after commit."""
    def send():
        frame = {"type": "queue.event", "topic": CONSOLE_TOPIC, "event": event, "queue": item.queue,
                 "item_id": item.pk, "status": item.status,
                 "by": item.claimed_by.username if event == "claimed" and item.claimed_by else None,
                 "stats": _recent_stats()}
        publish_on_commit(CONSOLE_TOPIC, frame)

    transaction.on_commit(send, robust=True)
