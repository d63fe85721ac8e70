"""What qa hears from chat, one way (chat imports nothing of qa): a
moderation step on a message of a session's room, after commit
(``chat.signals.message_changed``) reaches the session's watchers
(``services.question_moderated``)."""

from __future__ import annotations

from django.dispatch import receiver

from chat.signals import message_changed
from qa import services


@receiver(message_changed)
def _question_moderated(sender, message_id: int, room_id: int, decided: bool, **kwargs):
    services.question_moderated(message_id=message_id, decided=decided)
