"""Who is on a socket, re-checked while it lives.

The user comes from the session cookie at connect (Channels'
``AuthMiddlewareStack``). Every frame re-reads the session and the user at
most every ``RECHECK_S`` seconds, so a sign-out, a deactivation or a role change
made anywhere takes effect even if the kick event was lost.
"""

from __future__ import annotations

import hashlib
from importlib import import_module

from django.conf import settings
from django.contrib import auth

from realtime.db import db_async

RECHECK_S = 5.0


def session_hash(session_key: str | None) -> str | None:
    """A stable, non-secret name for a session (the key itself is a secret)."""
    if not session_key:
        return None
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


class _SessionOnly:
    def __init__(self, session):
        self.session = session


@db_async
def reload_user(session_key: str | None):
    """The user the session belongs to *now* (``AnonymousUser`` if signed out,
    deactivated, or the password changed): one trip to the database."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    return auth.get_user(_SessionOnly(store))
