"""Redis restarts while rooms are live (issue 14 C): a private
``redis-server`` with its append-only file (as production's), shared by two
app processes and the worker, is killed while clients send and started
again on its port. No app process is restarted. Each process's Pub/Sub
connection subscribes again and its sockets re-read what they missed from
the database (``realtime/bus.py``); sends that failed meanwhile are answered
``unavailable`` and retried with the same ``client_id``; the worker lives
through it and runs the jobs queued after."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async

from accounts.choices import Role
from chat.services import room_upsert
from notify.models import Announcement
from notify.services import announcement_create
from tests.faults.cluster import (
    PrivateRedis,
    acked,
    all_running,
    app_processes,
    astored_check,
    room_crowd,
    session_cookie,
    worker_process,
)
from tests.hub import create_user, wait_until

pytestmark = pytest.mark.live

PER_SENDER = 20


@pytest.fixture
def private_redis(transactional_db, settings, tmp_path):
    redis = PrivateRedis(tmp_path)
    settings.REDIS_URL = redis.url  # this process, and every process the test starts
    room_upsert(slug="bupati", title="Ruang Bupati")
    yield redis
    redis.kill()


async def test_a_redis_restart_loses_no_message_and_the_worker_carries_on(private_redis):
    officials = [await sync_to_async(create_user)(f"pejabat{n}", role=Role.OFFICIAL) for n in range(2)]
    cookies = [await sync_to_async(session_cookie)(user) for user in officials]
    boss = await sync_to_async(create_user)("boss", role=Role.ADMIN)
    with app_processes(2) as (a, b), worker_process() as worker:
        senders, readers = room_crowd([[a.url, b.url], [b.url, a.url]], cookies, per_sender=PER_SENDER,
                                      readers=4, pace_s=0.05)
        clients = senders + readers
        async with all_running(clients, PER_SENDER * len(senders)):
            await wait_until(lambda: acked(senders) >= PER_SENDER, what="messages sent before the restart",
                             timeout=30)
            private_redis.kill()
            during = acked(senders)
            # Sends go on while Redis is away (stored, but their events cannot
            # be published), or are answered `unavailable` and retried.
            await wait_until(lambda: acked(senders) >= during + 2 or any(s.errors for s in senders),
                             what="sends while Redis is down", timeout=30)
            await asyncio.to_thread(private_redis.start)
        assert [c.reconnects for c in clients] == [0] * len(clients), "no socket had to be opened again"

        announcement = await sync_to_async(announcement_create)(author=boss, title="Pemadaman air", body="Besok.")

        def delivered():
            return Announcement.objects.get(pk=announcement.pk).finished_at

        await wait_until(sync_to_async(delivered), what="the announcement job after the restart", timeout=30,
                         interval=0.1)
        assert worker.poll() is None, "the worker is the same process"
    await astored_check(clients)
