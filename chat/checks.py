"""May this user post in this room right now? The checks a send passes after
the room's post rules and before anything is stored: a mute (site-wide or in
this room), the rate limit and slow mode. Officials and moderators are
exempt from the rate limit and slow mode.

Async: they read Redis, from the event loop on the socket path (the
database thread never waits on Redis); ``services.message_send`` runs them
from synchronous code.
"""

from __future__ import annotations

from django.conf import settings

from chat import rules
from chat.errors import MUTED
from chat.models import Room
from common.errors import AppError
from moderation.selectors import active_mute_until
from realtime import ratelimit
from realtime.errors import RATE_LIMITED


async def mute_check(user, room: Room) -> None:
    """Raise ``AppError`` (muted, with ``until``) when ``user`` is muted in
    ``room`` or everywhere. Sends and edits alike."""
    until = await active_mute_until(user_id=user.pk, scope=room.topic)
    if until is not None:
        raise AppError(MUTED, until=until)


async def send_check(user, room: Room) -> None:
    """Raise ``AppError`` (muted, rate_limited with ``retry_after``) when
    ``user`` may not send to ``room`` now; otherwise count the send."""
    await mute_check(user, room)
    if rules.speaks_for_regency(user):
        return
    # Slow mode starts only once the moving window let the message through,
    # so a refused message never costs a slow-mode wait.
    who = (room.slug, str(user.pk))
    retry = await ratelimit.cooldown_left(room.slow_mode_seconds, "slow", *who)
    if retry is None:
        retry = await ratelimit.hit(settings.CHAT_RATE_COUNT, settings.CHAT_RATE_SECONDS, "chat", *who)
    if retry is not None:
        raise AppError(RATE_LIMITED, retry_after=retry)
    await ratelimit.cooldown_start(room.slow_mode_seconds, "slow", *who)
