"""Notifications on the wire, rendered in a given language."""

from __future__ import annotations

from django.conf import settings

from notify.kinds import render
from notify.models import Notification


def notification_to_wire(notification: Notification, language: str | None = None) -> dict:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "text": render(notification.kind, notification.params, language),
        "url": notification.url,
        "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
    }


def notification_frames(notification: Notification) -> dict[str, dict]:
    """The ``notification`` frame in every site language: ``{language: frame}``."""
    topic = f"notify.{notification.recipient_id}"
    return {code: {"type": "notification", "topic": topic, "notification": notification_to_wire(notification, code)}
            for code, _name in settings.LANGUAGES}
