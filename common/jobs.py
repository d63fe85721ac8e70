"""Background jobs and periodic tasks, run by ``manage.py run_worker``.

Jobs travel on a Redis Stream with one consumer group of workers: a job is
acknowledged only after it ran, a worker that dies mid-job leaves it pending
and another worker claims it after ``CLAIM_IDLE_MS``. Jobs carry references
only; the database holds the state, so a job must be safe to run twice
(each handler documents how it is).

Apps register handlers from their ``AppConfig.ready``:
``register_job("notify.announcement", handler)`` and
``register_periodic("notify.digest", every_s=3600, fn)``.
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis
from django.db import close_old_connections, transaction

from common.metrics import REDIS_RECONNECTS
from common.redis import new_client, prefixed

log = logging.getLogger(__name__)

GROUP = "workers"
CLAIM_IDLE_MS = 60_000
#: A job that failed this many times is logged and dropped (its database
#: state stays as it was, for the reconcilers to find).
MAX_ATTEMPTS = 5
#: While Redis is unreachable the worker waits this long before trying again,
#: doubling from the first to the last, each wait with up to 20 % jitter.
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 30.0
#: A blocking read waits ``block_ms``; a socket silent this long means Redis is gone.
WORKER_SOCKET_TIMEOUT_S = 15
#: Errors that mean "Redis is unreachable right now" (not a bug): the worker waits and reconnects.
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError)
#: Errors that mean "the job stream or its consumer group is gone" (Redis lost
#: its data): the worker creates them again. A read blocked on the stream when
#: it is deleted (``FLUSHDB``) ends with ``UNBLOCKED the stream key no longer exists``.
GROUP_GONE = ("NOGROUP", "UNBLOCKED")

REDIS_RECONNECTS_WORKER = REDIS_RECONNECTS.labels("worker")

_jobs: dict[str, Callable[[dict], None]] = {}


@dataclass
class Periodic:
    name: str
    every_s: float
    fn: Callable[[], None]
    next_at: float = 0.0


_periodic: dict[str, Periodic] = {}


def register_job(name: str, handler: Callable[[dict], None]) -> None:
    _jobs[name] = handler


def register_periodic(name: str, every_s: float, fn: Callable[[], None]) -> None:
    _periodic[name] = Periodic(name, every_s, fn)


def _stream() -> str:
    return prefixed("jobs")


def _client() -> redis.Redis:
    """A connection of the job system's own: the worker blocks on it."""
    return new_client()


def enqueue(name: str, payload: dict) -> None:
    """Queue a job now (prefer ``enqueue_on_commit`` inside a transaction)."""
    if name not in _jobs:
        raise KeyError(f"no job named {name!r}")
    client = _client()
    try:
        client.xadd(_stream(), {"name": name, "payload": json.dumps(payload)})
    finally:
        client.close()


def backlog() -> tuple[int, int]:
    """``(waiting, pending)``: jobs never delivered to a worker, and jobs
    delivered but not acknowledged (running, or lost with a worker)."""
    client = _client()
    try:
        for group in client.xinfo_groups(_stream()):
            if group["name"] in (GROUP, GROUP.encode()):
                return int(group.get("lag") or 0), int(group["pending"])
        return int(client.xlen(_stream())), 0
    except redis.ResponseError:  # no stream yet
        return 0, 0
    finally:
        client.close()


def enqueue_on_commit(name: str, payload: dict) -> None:
    """Queue a job once the surrounding transaction commits (its rows exist)."""
    transaction.on_commit(lambda: enqueue(name, payload), robust=True)


class Worker:
    def __init__(self, name: str | None = None) -> None:
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self.client = new_client(socket_timeout=WORKER_SOCKET_TIMEOUT_S)
        self._group_ready = False
        try:
            self._ensure_group()
        except REDIS_DOWN:
            pass  # Redis is not up yet: ``serve`` waits for it.

    def _ensure_group(self) -> None:
        """Create the consumer group (and the stream) unless it exists: at
        start, and again after an outage, since Redis may have come back empty."""
        try:
            self.client.xgroup_create(_stream(), GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    def close(self) -> None:
        self.client.close()

    def _run(self, entry_id, fields) -> None:
        name = fields.get(b"name", b"").decode()
        handler = _jobs.get(name)
        try:
            if handler is None:
                log.error("job %s: no handler named %r; dropped", entry_id, name)
            else:
                handler(json.loads(fields.get(b"payload", b"{}")))
            self.client.xack(_stream(), GROUP, entry_id)
        except REDIS_DOWN:
            raise  # not the job's fault: it stays pending and runs again once Redis is back
        except Exception:
            log.exception("job %s (%s) failed", entry_id, name)
            info = self.client.xpending_range(_stream(), GROUP, min=entry_id, max=entry_id, count=1)
            if info and info[0]["times_delivered"] >= MAX_ATTEMPTS:
                log.error("job %s (%s) failed %d times; dropped", entry_id, name, MAX_ATTEMPTS)
                self.client.xack(_stream(), GROUP, entry_id)
        finally:
            close_old_connections()

    def run_once(self, block_ms: int = 0) -> int:
        """Run claimed-over and new jobs, and due periodic tasks; return how many jobs ran."""
        ran = 0
        if not self._group_ready:
            self._ensure_group()
        _, claimed, _ = self.client.xautoclaim(_stream(), GROUP, self.name, min_idle_time=CLAIM_IDLE_MS,
                                               start_id="0-0", count=50)
        for entry_id, fields in claimed:
            if fields:
                self._run(entry_id, fields)
                ran += 1
        response = self.client.xreadgroup(GROUP, self.name, {_stream(): ">"}, count=50,
                                          block=block_ms or None)
        for _stream_name, entries in response or []:
            for entry_id, fields in entries:
                self._run(entry_id, fields)
                ran += 1
        self.run_periodic()
        return ran

    def serve(self, should_stop: Callable[[], bool], block_ms: int = 1000) -> None:
        """Run jobs until ``should_stop()``, surviving Redis outages and restarts.

        When Redis is unreachable: one log line per attempt, a wait with capped
        exponential back-off and jitter, then a fresh connection (and the
        consumer group again, should Redis have come back empty). Periodic
        tasks keep their schedule meanwhile (those that need Redis fail and
        are logged, as any failing periodic task is)."""
        delay = 0.0
        while not should_stop():
            try:
                self.run_once(block_ms=block_ms)
            except REDIS_DOWN as exc:
                self._group_ready = False
                self.client.connection_pool.disconnect()
                if not delay:
                    REDIS_RECONNECTS_WORKER.inc()
                delay = min(BACKOFF_MAX_S, delay * 2 if delay else BACKOFF_FIRST_S)
                wait = delay * random.uniform(0.8, 1.0)
                log.warning("worker %s: Redis unreachable (%s: %s); retrying in %.1f s",
                            self.name, type(exc).__name__, exc, wait)
                deadline = time.monotonic() + wait
                while not should_stop() and time.monotonic() < deadline:
                    self.run_periodic()
                    time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
                continue
            except redis.ResponseError as exc:
                if not any(marker in str(exc) for marker in GROUP_GONE):
                    raise
                # Redis lost our data: restarted without persistence (NOGROUP),
                # or flushed while the read was blocked on the stream (UNBLOCKED).
                log.warning("worker %s: the job stream's consumer group is gone; creating it again", self.name)
                self._group_ready = False
                continue
            if delay:
                log.warning("worker %s: Redis reachable again; jobs resume", self.name)
                delay = 0.0

    def run_periodic(self, force: bool = False) -> None:
        now = time.monotonic()
        for task in _periodic.values():
            if force or now >= task.next_at:
                task.next_at = now + task.every_s
                try:
                    task.fn()
                except Exception:
                    log.exception("periodic task %s failed", task.name)
                finally:
                    close_old_connections()

    def drain(self) -> int:
        """Run jobs until none are waiting (tests, and the end of a deploy)."""
        total = 0
        while ran := self.run_once():
            total += ran
        return total
