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
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis
from django.db import close_old_connections, transaction

from common.redis import new_client, prefixed

log = logging.getLogger(__name__)

GROUP = "workers"
CLAIM_IDLE_MS = 60_000
#: A job that failed this many times is logged and dropped (its database
#: state stays as it was, for the reconcilers to find).
MAX_ATTEMPTS = 5

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


def enqueue_on_commit(name: str, payload: dict) -> None:
    """Queue a job once the surrounding transaction commits (its rows exist)."""
    transaction.on_commit(lambda: enqueue(name, payload), robust=True)


class Worker:
    def __init__(self, name: str | None = None) -> None:
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self.client = _client()
        try:
            self.client.xgroup_create(_stream(), GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

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
