"""A real Redis Sentinel setup for tests: one primary, one replica and three
sentinels (quorum 2, as ``ops/deploy/redis/sentinel.conf``), each a
``redis-server`` process on a free loopback port with its files in a
temporary folder. ``redis-server --sentinel`` is the same binary the suite
already runs, so these tests never skip.

The sentinels judge a primary down after ``DOWN_AFTER_MS`` (production:
5 s) so a failover takes about two seconds, not half a minute.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from ops.launch import redis_args, redis_binary
from tests.live import free_port

MASTER = "balai"
DOWN_AFTER_MS = 1000
FAILOVER_TIMEOUT_MS = 5000
#: How long the setup and a failover may take before the test fails.
SETTLE_S = 30


def _wait(condition, what: str, timeout: float = SETTLE_S):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = condition()
        except (redis.ConnectionError, redis.ResponseError, redis.TimeoutError):
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.05)


class SentinelCluster:
    """``url``: the ``REDIS_URL`` the app is given (the three sentinels, the
    master ``balai``, database 0). ``primary_port``: the port of the current
    primary, as the sentinels say."""

    def __init__(self, folder: Path, *, sentinels: int = 3):
        self.folder = folder
        self.procs: dict[int, subprocess.Popen] = {}
        self.redis_ports = [free_port(), free_port()]
        first, second = self.redis_ports
        self._start_redis(first)
        self._start_redis(second, "--replicaof", "127.0.0.1", str(first))
        _wait(lambda: self._info(second).get("master_link_status") == "up", "the replica in sync")
        self.sentinel_ports = [free_port() for _ in range(sentinels)]
        for port in self.sentinel_ports:
            self._start_sentinel(port, first, quorum=min(2, sentinels))
        # Usable: every sentinel knows the replica and enough other sentinels
        # to reach the quorum and elect a leader.
        for port in self.sentinel_ports:
            _wait(lambda port=port: self.sentinel(port).execute_command("SENTINEL", "CKQUORUM", MASTER),
                  f"sentinel {port} reaching its quorum")
            _wait(lambda port=port: self.sentinel(port).sentinel_slaves(MASTER), f"sentinel {port} seeing the replica")
        self.url = "redis+sentinel://" + ",".join(f"127.0.0.1:{port}" for port in self.sentinel_ports) + f"/{MASTER}/0"

    def _spawn(self, port: int, args: list[str]) -> None:
        self.procs[port] = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _start_redis(self, port: int, *extra: str) -> None:
        folder = self.folder / f"redis-{port}"
        folder.mkdir()
        self._spawn(port, [*redis_args(folder, port, persistent=False), *extra])
        _wait(lambda: self.client(port).ping(), f"redis-server on {port} answering", timeout=10)

    def _start_sentinel(self, port: int, primary: int, *, quorum: int) -> None:
        folder = self.folder / f"sentinel-{port}"
        folder.mkdir()
        config = folder / "sentinel.conf"  # a sentinel rewrites its own file
        config.write_text("\n".join([
            f"port {port}", "bind 127.0.0.1", f"dir {folder}", f"logfile {folder / 'sentinel.log'}",
            f"sentinel monitor {MASTER} 127.0.0.1 {primary} {quorum}",
            f"sentinel down-after-milliseconds {MASTER} {DOWN_AFTER_MS}",
            f"sentinel failover-timeout {MASTER} {FAILOVER_TIMEOUT_MS}",
            f"sentinel parallel-syncs {MASTER} 1", "",
        ]))
        self._spawn(port, [redis_binary(), str(config), "--sentinel"])
        _wait(lambda: self.sentinel(port).ping(), f"sentinel on {port} answering", timeout=10)

    @staticmethod
    def client(port: int) -> redis.Redis:
        return redis.Redis(port=port, socket_connect_timeout=0.5, socket_timeout=2, retry=Retry(NoBackoff(), 0))

    sentinel = client

    def _info(self, port: int) -> dict:
        client = self.client(port)
        try:
            return client.info("replication")
        finally:
            client.close()

    @property
    def primary_port(self) -> int:
        for port in self.sentinel_ports:
            if self.procs[port].poll() is None:
                _host, primary = self.sentinel(port).sentinel_get_master_addr_by_name(MASTER)
                return int(primary)
        raise AssertionError("no sentinel is running")

    def primary(self) -> redis.Redis:
        """A plain client of the current primary (not through the sentinels)."""
        return self.client(self.primary_port)

    def replica_port(self) -> int:
        return next(port for port in self.redis_ports if port != self.primary_port)

    def _settle_on(self, new: int) -> None:
        """Every running sentinel names ``new``, it accepts writes, and the
        old primary, if it runs, has been made its replica (until then it
        still takes writes from clients connected to it — Sentinel's known
        window, docs/operations.md)."""
        for port in self.sentinel_ports:
            _wait(lambda port=port: int(self.sentinel(port).sentinel_get_master_addr_by_name(MASTER)[1]) == new,
                  f"sentinel {port} naming the new primary {new}")
        _wait(lambda: self._info(new).get("role") == "master", f"{new} promoted")
        for port in self.redis_ports:
            if port != new and self.procs[port].poll() is None:
                _wait(lambda port=port: self._info(port).get("master_port") == new, f"{port} made a replica of {new}")

    def failover(self) -> int:
        """``SENTINEL FAILOVER balai``: the replica is promoted, the old
        primary becomes its replica. Returns the new primary's port."""
        new = self.replica_port()
        self.sentinel(self.sentinel_ports[0]).execute_command("SENTINEL", "FAILOVER", MASTER)
        self._settle_on(new)
        return new

    def kill_primary(self) -> int:
        """``kill -9`` the primary; waits until the sentinels agreed it is
        down and promoted the replica. Returns the new primary's port."""
        new, old = self.replica_port(), self.primary_port
        self.procs[old].kill()
        self.procs[old].wait(timeout=10)
        self._settle_on(new)
        return new

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
