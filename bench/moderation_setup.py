"""Database side of the moderation-queue benchmark (``bench.moderation``).

Run with the same ``DJANGO_SETTINGS_MODULE``, ``DATABASE_URL``/``BALAI_VAR_DIR``
and ``REDIS_URL`` as the Daphne under test, so the load generator itself never
imports Django:

- ``python -m bench.moderation_setup prepare --senders N``: migrate; the
  pre-moderated bench room (emptied, with its queue items); a moderator and N
  citizen accounts, each with a signed-in session. Prints one JSON line.
- ``python -m bench.moderation_setup collect``: after a run, every message of
  the bench room with its queue item and whether that item's entry is on the
  Redis stream. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import time

import django

ROOM = "bench-modq"
MODERATOR = "bench-moderator"
CITIZEN = "bench-warga-{:04d}"


def prepare(senders: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import override_settings

    from accounts.choices import CitizenCategory, Kecamatan, Role
    from accounts.services import user_provision, user_register
    from chat.models import MESSAGE_TARGET as TARGET
    from chat.models import Message, Room
    from chat.services import room_upsert
    from moderation.models import QueueItem

    call_command("migrate", verbosity=0, interactive=False)
    room, _ = room_upsert(slug=ROOM, title="Bench moderasi", description="load test room (pre-moderated)",
                          state="open", post_policy="signed_in", is_public=True, premoderated=True,
                          slow_mode_seconds=0)
    # Each run starts from an empty room and queue (bench data only).
    ids = Message.objects.filter(room=room).values_list("pk", flat=True)
    QueueItem.objects.filter(target_kind=TARGET, target_id__in=list(ids)).delete()
    Message.objects.filter(room=room).delete()
    if connection.vendor == "postgresql":
        # Those deletes leave dead rows that autovacuum would otherwise clean
        # up in the middle of the next run (one run measured p99 134 ms where
        # the runs after a vacuum measured 50-58 ms).
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Message._meta.db_table}, {QueueItem._meta.db_table}")

    User = get_user_model()
    moderator, _ = user_provision(username=MODERATOR, password=secrets.token_urlsafe(24), role=Role.MODERATOR,
                                  display_name="Bench Moderator")
    existing = set(User.objects.filter(username__startswith="bench-warga-").values_list("username", flat=True))
    # Sign-up as a citizen, as the app does it, in one transaction (one commit);
    # the passwords are never used (sessions are made directly), so a fast
    # hasher keeps N sign-ups cheap.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), \
            transaction.atomic():
        for i in range(senders):
            name = CITIZEN.format(i)
            if name not in existing:
                user_register(username=name, password=secrets.token_urlsafe(16), display_name=f"Warga Uji {i}",
                              category=CitizenCategory.UMUM, kecamatan=Kecamatan.PATI)
    citizens = User.objects.filter(username__in=[CITIZEN.format(i) for i in range(senders)]).order_by("username")

    # What one durable commit costs on this machine (fsync): the held-message
    # path commits once per message.
    costs = []
    for _ in range(30):
        t = time.perf_counter()
        with transaction.atomic():
            Room.objects.filter(pk=room.pk).update(position=room.position)
        costs.append(time.perf_counter() - t)
    commit_ms = round(1000 * sorted(costs)[len(costs) // 2], 2)

    from bench.sessions import session_for as session

    with transaction.atomic():
        sessions = [session(user) for user in citizens]
        moderator_session = session(moderator)
    return {"room": ROOM, "topic": room.topic, "commit_ms": commit_ms, "moderator": moderator_session,
            "senders": sessions}


def collect() -> dict:
    from chat.models import HELD_QUEUE as QUEUE
    from chat.models import MESSAGE_TARGET as TARGET
    from chat.models import Message
    from moderation import streams
    from moderation.models import QueueItem

    messages = list(Message.objects.filter(room__slug=ROOM).values_list("pk", "client_id", "status"))
    items = {row["target_id"]: row for row in QueueItem.objects.filter(
        queue=QUEUE, target_kind=TARGET, target_id__in=[pk for pk, _, _ in messages]).values(
        "id", "target_id", "status", "stream", "stream_id")}
    stream = streams.stream_name(QUEUE)
    # The stream carries item ids only: which items have an entry there.
    on_stream = {}
    conn = streams.client()
    last = "-"
    for _page in range(1000):  # bounded: 1000 pages of 1000 entries
        rows = conn.xrange(stream, min=last, max="+", count=1000)
        rows = [row for row in rows if row[0].decode() != last]
        if not rows:
            break
        for entry_id, fields in rows:
            on_stream[int(fields[b"item"])] = entry_id.decode()
        last = rows[-1][0].decode()
    out = {}
    for pk, client_id, status in messages:
        item = items.get(pk)
        out[str(client_id)] = {
            "message": pk, "message_status": status,
            "item": item and item["id"], "item_status": item and item["status"],
            "stream_id": item and item["stream_id"],
            # The entry id is recorded on the item only when a moderator claims it.
            "on_stream": bool(item) and item["id"] in on_stream,
        }
    return {"messages": out, "stream": stream, "stream_len": conn.xlen(stream)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["prepare", "collect"])
    parser.add_argument("--senders", type=int, default=500)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.dev")
    django.setup()
    result = prepare(args.senders) if args.action == "prepare" else collect()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
