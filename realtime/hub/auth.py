"""Who is on a socket, re-checked while it lives.

The user comes from the session cookie at connect (Channels'
``AuthMiddlewareStack``). Every frame re-reads the session and the user at
most every ``RECHECK_S`` seconds, so a sign-out, a deactivation or a role change
made anywhere takes effect even if the kick event was lost.
"""

from __future__ import annotations

import hashlib
from importlib import import_module

from channels.auth import get_user
from channels.db import database_sync_to_async
from django.conf import settings

RECHECK_S = 5.0


def session_hash(session_key: str | None) -> str | None:
    """A stable, non-secret name for a session (the key itself is a secret)."""
    if not session_key:
        return None
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


async def reload_user(session_key: str | None):
    """The user the session belongs to *now* (``AnonymousUser`` if signed out)."""
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore(session_key)
    await database_sync_to_async(store.load)()
    return await get_user({"session": store})
