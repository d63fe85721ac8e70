"""Who is on a socket, re-checked while it lives.

The user comes from the session cookie at connect (Channels' stack,
``realtime.auth.auth_stack``). Every frame re-reads the session and the user at
most every ``RECHECK_S`` seconds, so a sign-out, a deactivation or a role change
made anywhere takes effect even if the kick event was lost.

An account that needs the second sign-in step (officials, moderators,
administrators: ``accounts.twofactor``) counts as signed in on a socket only
once its session has passed the step; before, the socket is a guest's.
"""

from __future__ import annotations

import hashlib
from importlib import import_module

from channels.auth import AuthMiddleware
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser

from accounts import twofactor
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
    return _second_step_passed(auth.get_user(_SessionOnly(store)), store)


async def connect_user(user, session):
    """The user a socket opens as: the session's, unless they still owe the
    second sign-in step (then a guest). Only those who need the step cost a
    trip to the database thread."""
    if not twofactor.required_for(user):
        return user
    return await db_async(_second_step_passed)(user, session)


def _second_step_passed(user, session):
    if user is None or not user.is_authenticated or session is None:
        return user
    return user if twofactor.may_act(session, user) else AnonymousUser()


class SessionAuthMiddleware(AuthMiddleware):
    """Channels' ``AuthMiddleware``, except that a handshake without a
    session (a guest: no cookie, or an empty one) is a guest at once, without
    the trip to the database thread that ``channels.auth.get_user`` makes to
    find no session key. Guests are most of a live session's audience and of
    a reconnect storm; a session key, valid or not, is looked up as before."""

    async def resolve_scope(self, scope):
        if not scope["session"].session_key:
            scope["user"]._wrapped = AnonymousUser()
            return
        await super().resolve_scope(scope)


def auth_stack(inner):
    """Channels' ``AuthMiddlewareStack`` with ``SessionAuthMiddleware``."""
    return CookieMiddleware(SessionMiddleware(SessionAuthMiddleware(inner)))
