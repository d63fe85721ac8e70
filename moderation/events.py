"""Live updates for the moderators' console (``modq.console``): an item
arrived, was claimed, decided or escalated, with the fresh queue statistics."""

from __future__ import annotations

from django.db import transaction

from realtime.hub.events import publish_on_commit

CONSOLE_TOPIC = "modq.console"


def publish_console_event(event: str, item) -> None:
    """Emit ``queue.event`` to every console after commit."""
    def send():
        from moderation.selectors import queue_stats

        frame = {"type": "queue.event", "topic": CONSOLE_TOPIC, "event": event, "queue": item.queue,
                 "item_id": item.pk, "status": item.status,
                 "by": item.claimed_by.username if event == "claimed" and item.claimed_by else None,
                 "stats": queue_stats()}
        publish_on_commit(CONSOLE_TOPIC, frame)

    transaction.on_commit(send, robust=True)
