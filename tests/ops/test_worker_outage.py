"""The background worker survives Redis going away and coming back (issue 14
A7): it waits with back-off, reconnects, creates its consumer group again
when Redis came back empty, and runs the jobs queued after."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from common import jobs
from tests.live import free_port
from tests.ops.processes import start_redis, stop_redis


@pytest.fixture
def private_redis(settings, tmp_path):
    port = free_port()
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    procs = [start_redis(port, tmp_path)]
    yield port, procs
    for proc in procs:
        stop_redis(proc)


@pytest.fixture
def ping_job():
    ran = threading.Event()
    jobs.register_job("test.ping", lambda payload: ran.set())
    yield ran
    jobs._jobs.pop("test.ping", None)


def test_the_worker_survives_a_redis_restart(private_redis, ping_job, tmp_path, monkeypatch, caplog):
    port, procs = private_redis
    monkeypatch.setattr(jobs, "BACKOFF_MAX_S", 1.0)
    ticks = []
    # Only a periodic task of the test's own (the apps' ones use the database).
    monkeypatch.setattr(jobs, "_periodic", {"test.tick": jobs.Periodic("test.tick", 0.2, lambda: ticks.append(1))})
    worker = jobs.Worker("outage-test")
    stopping = threading.Event()
    failures: list[BaseException] = []

    def serve():
        try:
            worker.serve(stopping.is_set, block_ms=200)
        except BaseException as exc:  # the thread's death is the failure under test
            failures.append(exc)
            raise

    thread = threading.Thread(target=serve, daemon=True)
    caplog.set_level(logging.WARNING, logger="common.jobs")
    thread.start()
    try:
        jobs.enqueue("test.ping", {})
        assert ping_job.wait(5), "the worker did not run a job before the outage"
        ping_job.clear()

        stop_redis(procs[0])  # Redis dies (kill -9) and stays away a while
        time.sleep(1.5)
        assert thread.is_alive(), f"the worker died when Redis went away: {failures!r}"
        ticks_during_outage = len(ticks)
        time.sleep(0.6)
        assert len(ticks) > ticks_during_outage, "periodic tasks stopped during the outage"

        procs.append(start_redis(port, tmp_path))  # back on the same port, empty (no consumer group)
        jobs.enqueue("test.ping", {})
        assert ping_job.wait(10), f"the worker did not run a job queued after Redis came back: {failures!r}"
        assert thread.is_alive()
    finally:
        stopping.set()
        thread.join(timeout=10)
        worker.close()
    assert not thread.is_alive() and not failures
    outage_lines = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert outage_lines and all(r.exc_info is None for r in outage_lines)  # one line each, no traceback
    assert any("reachable again" in r.getMessage() for r in caplog.records)


def test_the_worker_starts_while_redis_is_down(settings, ping_job, tmp_path, monkeypatch):
    port = free_port()
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    monkeypatch.setattr(jobs, "BACKOFF_MAX_S", 0.5)
    monkeypatch.setattr(jobs, "_periodic", {})
    worker = jobs.Worker("early-test")  # Redis is not up yet: no error
    stopping = threading.Event()
    thread = threading.Thread(target=worker.serve, args=(stopping.is_set, 200), daemon=True)
    thread.start()
    proc = None
    try:
        time.sleep(1)
        assert thread.is_alive()
        proc = start_redis(port, tmp_path)
        jobs.enqueue("test.ping", {})
        assert ping_job.wait(10), "the worker did not run a job once Redis came up"
    finally:
        stopping.set()
        thread.join(timeout=10)
        worker.close()
        if proc:
            stop_redis(proc)
    assert not thread.is_alive()
