"""``REDIS_URL=redis+sentinel://…``: every Redis user of the app — its own
clients (``common/redis.py``), Django's cache, the channel layer, the rate
limits — reaches the primary the sentinels name, and after a failover the
new one, without a restart. Real processes throughout (``tests/sentinel.py``:
a primary, a replica and three sentinels); the hub's own failover test, with
a Daphne serving sockets while the primary is killed, is
``test_a_socket_keeps_its_room_through_a_failover``."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import connection

from accounts.choices import Role
from accounts.throttle import signup_attempt
from chat.services import room_upsert
from common.redis import get_redis, get_sync_redis, new_async_client, new_client, prefixed
from notify.models import Announcement
from notify.services import announcement_create
from realtime import bus, ratelimit
from realtime.events import event_message
from settings.env import cache_config, channel_layer_host
from tests.faults.cluster import worker_process
from tests.hub import create_user, seed_messages, wait_until
from tests.live import daphne_server, database_url_for
from tests.ops.processes import run_manage
from tests.realtime.test_bus import Listener
from tests.realtime.test_live import LiveSocket
from tests.sentinel import SentinelCluster


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = SentinelCluster(tmp_path_factory.mktemp("sentinel"))
    yield cluster
    cluster.stop()


@pytest.fixture
def through_sentinel(cluster, settings):
    """This process's Redis users configured, as settings/base.py does, from
    the sentinel ``REDIS_URL``; the primary's database empty."""
    primary = cluster.primary()
    primary.flushdb()
    primary.close()
    url = cluster.url
    settings.REDIS_URL = url
    settings.CACHES = {"default": cache_config(url, key_prefix=settings.CACHES["default"]["KEY_PREFIX"])}
    layer = settings.CHANNEL_LAYERS["default"]
    settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": {**layer["CONFIG"], "hosts": [channel_layer_host(url)]}}}
    return cluster


def _on_primary(cluster: SentinelCluster, key: str) -> bytes | None:
    """A key as the current primary holds it, read directly (no sentinel)."""
    primary = cluster.primary()
    try:
        return primary.get(key)
    finally:
        primary.close()


def _keys_on_primary(cluster: SentinelCluster) -> list[str]:
    primary = cluster.primary()
    try:
        return sorted(key.decode() for key in primary.keys("*"))
    finally:
        primary.close()


def test_the_blocking_clients_write_to_the_primary(through_sentinel):
    get_sync_redis().set("balai:test:shared", "satu")
    client = new_client()
    try:
        client.set("balai:test:own", "dua")
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    finally:
        client.close()
    assert _on_primary(through_sentinel, "balai:test:shared") == b"satu"
    assert _on_primary(through_sentinel, "balai:test:own") == b"dua"


async def test_the_asyncio_clients_write_to_the_primary(through_sentinel):
    await get_redis().set("balai:test:shared", "satu")
    client = new_async_client()
    try:
        await client.set("balai:test:own", "dua")
    finally:
        await client.aclose()
    assert await sync_to_async(_on_primary)(through_sentinel, "balai:test:shared") == b"satu"
    assert await sync_to_async(_on_primary)(through_sentinel, "balai:test:own") == b"dua"


def test_the_cache_and_the_sign_up_limit_live_on_the_primary(through_sentinel, settings):
    cache.set("sapaan", "selamat pagi", 60)
    assert cache.get("sapaan") == "selamat pagi"
    settings.SIGNUP_RATE_COUNT, settings.SIGNUP_RATE_SECONDS = 1, 60
    assert signup_attempt("10.0.0.9") is None
    assert signup_attempt("10.0.0.9") is not None, "the second attempt is refused: the count is kept"
    keys = _keys_on_primary(through_sentinel)
    assert any(key.endswith(":sapaan") for key in keys), keys
    assert any(key.startswith(prefixed("accounts", "limits")) for key in keys), keys


async def test_the_channel_layer_and_the_hub_rate_limit_work_through_the_sentinels(through_sentinel):
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("warga", channel)
    await layer.group_send("warga", {"type": "hub.ping", "text": "halo"})
    assert (await asyncio.wait_for(layer.receive(channel), 10))["text"] == "halo"
    assert await ratelimit.hit(1, 60, "uji", "sentinel") is None
    assert await ratelimit.hit(1, 60, "uji", "sentinel") is not None
    keys = await sync_to_async(_keys_on_primary)(through_sentinel)
    assert any("warga" in key for key in keys), keys
    await layer.flush()


@pytest.mark.django_db(transaction=True)
def test_preflight_passes_with_a_sentinel_url(cluster):
    """The launcher's first step, in a process configured from the
    environment alone: settings parse the URL and Redis and the channel
    layer answer through the sentinels."""
    result = run_manage("preflight", settings="settings.test", REDIS_URL=cluster.url,
                        DATABASE_URL=database_url_for(connection.settings_dict))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


async def test_after_a_failover_the_same_clients_write_to_the_new_primary(through_sentinel):
    """``SENTINEL FAILOVER``: the replica is promoted, the old primary made
    its replica. Clients made before it — as in a long-running process —
    reach the new primary on their next call."""
    cluster = through_sentinel
    blocking, shared, layer = get_sync_redis(), get_redis(), get_channel_layer()
    blocking.set("balai:test:before", "1")
    await shared.set("balai:test:before-async", "1")
    await sync_to_async(cache.set)("sebelum", 1, 60)
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "x", "n": 1})
    assert (await asyncio.wait_for(layer.receive(channel), 10))["n"] == 1
    listener = Listener()
    await listener.subscription.subscribe(bus.channel_for("room.pindah"))
    old = cluster.primary_port

    new = await asyncio.to_thread(cluster.failover)
    assert new != old
    # Sentinel closed the subscription when it demoted the old primary: the
    # hub subscribed again — to the new primary — and told its sockets to
    # re-read from the database (``on_lost``); then events flow again.
    await wait_until(lambda: listener.lost == 1, what="the subscription lost and renewed", timeout=30)
    assert [c["name"] for c in await sync_to_async(_subscribers)(new)] == [listener.subscription.name]
    await bus.publish([event_message("room.pindah", {"type": "x"}, seq=1)])
    assert [event["seq"] for event in await listener.wait_for(1)] == [1]

    await sync_to_async(blocking.set)("balai:test:after", "2")
    await shared.set("balai:test:after-async", "2")
    await sync_to_async(cache.set)("sesudah", 2, 60)
    await layer.send(channel, {"type": "x", "n": 2})
    assert (await asyncio.wait_for(layer.receive(channel), 10))["n"] == 2
    assert cluster.primary_port == new
    keys = await sync_to_async(_keys_on_primary)(cluster)
    for key in ("balai:test:before", "balai:test:after", "balai:test:before-async", "balai:test:after-async"):
        assert key in keys, keys
    assert any(key.endswith(":sesudah") for key in keys), keys
    assert await sync_to_async(cache.get)("sebelum") == 1, "the replica had the data"
    await layer.flush()


@pytest.fixture
def failing_cluster(tmp_path, settings):
    cluster = SentinelCluster(tmp_path)
    settings.REDIS_URL = cluster.url  # this process (it queues the job) as the ones it starts
    yield cluster
    cluster.stop()


def _subscribers(port: int) -> list[dict]:
    """The hub subscriptions connected to the Redis on ``port``."""
    client = SentinelCluster.client(port)
    try:
        return [c for c in client.client_list() if "subscriber" in c.get("name", "") and int(c.get("sub", 0))]
    finally:
        client.close()


@pytest.mark.live
async def test_a_socket_keeps_its_room_through_a_failover(failing_cluster, transactional_db):
    """A Daphne and the worker configured with the sentinel URL; the primary
    is killed (``kill -9``) and the sentinels promote the replica. The
    Daphne's Pub/Sub subscription reconnects — to the new primary — and its
    sockets re-read from the database what was written during the switch;
    messages sent afterwards are delivered live; the socket is never closed.
    The worker lives through it and runs a job queued afterwards."""
    cluster = failing_cluster
    room, _ = await sync_to_async(room_upsert)(slug="bupati", title="Ruang Bupati")
    bupati = await sync_to_async(create_user)("bupati", role=Role.OFFICIAL)
    alice = await sync_to_async(create_user)("alice")
    boss = await sync_to_async(create_user)("boss", role=Role.ADMIN)
    sentinel_env = {"REDIS_URL": cluster.url}
    with daphne_server(connection.settings_dict, extra_env=sentinel_env) as url, \
            worker_process(extra_env=sentinel_env) as worker:
        speaker = await LiveSocket.open(url, bupati)
        listener = await LiveSocket.open(url)
        try:
            await speaker.join()
            await listener.join()
            ack = await speaker.say("sebelum")
            assert ack["type"] == "ack" and ack["id"] == 1, ack
            assert (await listener.recv_until("message"))["message"]["id"] == 1
            old = cluster.primary_port
            assert len(_subscribers(old)) == 1
            await wait_until(lambda: " started" in worker.log_path.read_text(), what="the worker at work", timeout=30)

            new = await asyncio.to_thread(cluster.kill_primary)
            # Written while the hub had no Redis: their events were never
            # published (as messages whose events were lost in the switch).
            await sync_to_async(seed_messages)(room, alice, 2, prefix="terlewat")
            await wait_until(lambda: len(_subscribers(new)) == 1, what="the subscription on the new primary",
                             timeout=30, interval=0.2)
            ids = []
            while ids[-1:] != [3]:
                ids.append((await listener.recv_until("message", timeout=30))["message"]["id"])
            assert ids == [2, 3], "re-read from the database once the subscription was back"

            while (ack := await speaker.say("sesudah"))["type"] != "ack":
                assert ack.get("retry_after"), ack  # only "unavailable, retry" is acceptable
                await asyncio.sleep(ack["retry_after"])
            assert ack["id"] == 4 and ack["status"] == "published", ack
            assert (await listener.recv_until("message"))["message"]["id"] == 4

            announcement = await sync_to_async(announcement_create)(author=boss, title="Pemadaman air", body="Besok.")

            def delivered():
                return Announcement.objects.get(pk=announcement.pk).finished_at

            await wait_until(sync_to_async(delivered), what="the announcement job after the failover", timeout=30,
                             interval=0.1)
            assert worker.poll() is None, "the worker is the same process"
        finally:
            await speaker.close()
            await listener.close()
