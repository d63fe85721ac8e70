"""Prepare the hub for a benchmark: migrate, the bench room, an official
sender and a signed-in session for it.

Run as ``python -m bench.hub_setup`` with the same ``DJANGO_SETTINGS_MODULE``,
``DATABASE_URL`` and ``REDIS_URL`` as the Daphne under test; prints one JSON
line: ``{"room": ..., "topic": ..., "sessionid": ...}``.
"""

from __future__ import annotations

import json
import os
import secrets

import django

ROOM = "bench"
SENDER = "bench-official"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.dev")
    django.setup()
    from django.core.management import call_command

    from accounts.choices import Role
    from accounts.services import user_provision
    from chat.models import Message
    from chat.services import room_upsert

    call_command("migrate", verbosity=0, interactive=False)
    room, _ = room_upsert(slug=ROOM, title="Bench", description="load test room", state="open",
                          post_policy="signed_in", is_public=True, premoderated=False, slow_mode_seconds=0)
    # Start each run from an empty room so replays on join stay small and
    # runs are comparable (bench data only; the room is the bench's own).
    Message.objects.filter(room=room).delete()
    # Officials are exempt from the chat rate limit and slow mode.
    user, _ = user_provision(username=SENDER, password=secrets.token_urlsafe(24), role=Role.OFFICIAL,
                             display_name="Bench Official", title="Pejabat Uji Beban")
    from bench.sessions import session_for

    print(json.dumps({"room": ROOM, "topic": room.topic, "sessionid": session_for(user)}))


if __name__ == "__main__":
    main()
