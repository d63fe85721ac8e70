"""Revocation reaches open sockets at once, listening ones included.

- sign-out closes that browser session's sockets;
- deactivation, a password change and deleting the account close all of the
  user's sockets (a password change: the sockets of the browser that changed
  it too — Django's ``update_session_auth_hash`` gave that browser a new
  session key, so they were on a dead session; they reconnect with the new
  cookie);
- a role change makes every socket of the user re-authorize each topic it is
  on (``REAUTHORIZE``): a demoted moderator leaves ``modq.console``;
- a domain whose topic's audience changes (a room made private) calls
  ``reauthorize_topic`` so the sockets on that topic ask again.

What a user row looked like when loaded is kept on the instance
(``post_init``) so ``post_save`` can tell what changed. Writes that bypass
signals (``QuerySet.update``) are caught later: every frame re-reads the
session at most every 5 s, and sockets whose session left the cache re-read
it (``realtime/local.py``).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver

from realtime.auth import session_hash
from realtime.events import CLOSE, REAUTHORIZE, control_on_commit, session_topic, user_topic

User = get_user_model()
#: The fields whose change revokes something: ``(password, role)``.
_SEEN = "_hub_seen"


def _revocable(instance) -> tuple:
    # ``__dict__``: a deferred field is not loaded just to be remembered.
    return instance.__dict__.get("password"), instance.__dict__.get("role")


@receiver(user_logged_out)
def _close_session_sockets(sender, request, user, **kwargs):
    digest = session_hash(getattr(request.session, "session_key", None))
    if digest is not None:
        control_on_commit(session_topic(digest), CLOSE)


@receiver(post_init, sender=User)
def _remember_revocable_fields(sender, instance, **kwargs):
    setattr(instance, _SEEN, _revocable(instance))


@receiver(post_save, sender=User)
def _revoke_on_user_change(sender, instance, created, **kwargs):
    before, now = getattr(instance, _SEEN, (None, None)), _revocable(instance)
    setattr(instance, _SEEN, now)
    if created:
        return
    (password_before, role_before), (password_now, role_now) = before, now
    if not instance.is_active or (password_before is not None and password_before != password_now):
        control_on_commit(user_topic(instance.pk), CLOSE)
    elif role_before is not None and role_before != role_now:
        control_on_commit(user_topic(instance.pk), REAUTHORIZE)


@receiver(post_delete, sender=User)
def _close_sockets_of_deleted_user(sender, instance, **kwargs):
    control_on_commit(user_topic(instance.pk), CLOSE)


def close_user_sockets(user_id: int) -> None:
    """For other apps (bans): close every socket of a user after commit."""
    control_on_commit(user_topic(user_id), CLOSE)


def reauthorize_topic(topic: str) -> None:
    """For the domains: who may be on ``topic`` changed (a room made private,
    removed); after commit, every socket on it asks the topic's kind again
    (``join``) and leaves it with a ``left`` frame if refused."""
    control_on_commit(topic, REAUTHORIZE)
