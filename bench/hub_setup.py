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
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.choices import Role
    from accounts.services import user_provision
    from accounts.twofactor import SESSION_ROLE_KEY
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
    client = Client()
    client.force_login(user)
    # Officials pass the second sign-in step (accounts/twofactor.py) before a
    # socket counts them as signed in: the session records a confirmed
    # authenticator as django_otp.login does, as if the code had been typed.
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SESSION_ROLE_KEY] = user.role
    session.save()
    print(json.dumps({"room": ROOM, "topic": room.topic, "sessionid": client.cookies["sessionid"].value}))


if __name__ == "__main__":
    main()
