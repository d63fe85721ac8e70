"""Close a user's sockets when they lose the right to them: sign-out closes
that browser session's sockets; deactivation closes all of the user's."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from realtime.auth import session_hash
from realtime.events import control_on_commit, session_topic, user_topic


@receiver(user_logged_out)
def _close_session_sockets(sender, request, user, **kwargs):
    digest = session_hash(getattr(request.session, "session_key", None))
    if digest is not None:
        control_on_commit(session_topic(digest), "close")


@receiver(post_save, sender=get_user_model())
def _close_sockets_of_inactive_user(sender, instance, created, **kwargs):
    if not created and not instance.is_active:
        control_on_commit(user_topic(instance.pk), "close")


def close_user_sockets(user_id: int) -> None:
    """For other apps (bans): close every socket of a user after commit."""
    control_on_commit(user_topic(user_id), "close")
