"""A room's audience changed: the sockets on it ask again whether they may
stay (``realtime.signals.reauthorize_topic``). Signals rather than a service,
so the admin's edits count too."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import Signal, receiver

from chat.models import Room
from realtime.signals import reauthorize_topic

#: Sent after commit when moderation decided on a held message (``decided``
#: true: approved or rejected) or a message was hidden, restored or removed
#: (false), with ``message_id`` and ``room_id``: for the apps that embed a
#: room (``Room.page_url``) and show its messages their own way (``qa``).
#: One-way: chat knows nothing of its receivers.
message_changed = Signal()

#: What ``chat.rules.check_can_read`` reads: a change of it changes who may
#: be on the room's topic.
_SEEN = "_audience_seen"


@receiver(post_init, sender=Room)
def _remember_audience(sender, instance, **kwargs):
    # ``__dict__``: a deferred field is not loaded just to be remembered.
    setattr(instance, _SEEN, instance.__dict__.get("is_public"))


@receiver(post_save, sender=Room)
def _reauthorize_on_audience_change(sender, instance, created, **kwargs):
    before = getattr(instance, _SEEN, None)
    setattr(instance, _SEEN, instance.__dict__.get("is_public"))
    if not created and before is not None and before != instance.__dict__.get("is_public"):
        reauthorize_topic(instance.topic)


@receiver(post_delete, sender=Room)
def _reauthorize_on_delete(sender, instance, **kwargs):
    reauthorize_topic(instance.topic)
