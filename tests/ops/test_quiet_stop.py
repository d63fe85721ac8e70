"""Quiet logs (issue 13 item 8), across real processes: the worker stopped
by SIGTERM or Ctrl-C — with its Redis up, or already gone as when a terminal's
Ctrl-C reaches every process at once — says at most a line, never a
traceback. (The refused handshake through a real Daphne: tests/ops/test_launcher.py.)"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading

import pytest
from django.db import connection

from tests.live import ROOT, database_url_for, free_port
from tests.ops.processes import child_env, start_redis, stop_redis

pytestmark = pytest.mark.live

STOP_TIMEOUT_S = 15


class Worker:
    """``manage.py run_worker`` against the test database and a private Redis."""

    def __init__(self, redis_port: int):
        env = child_env(DJANGO_SETTINGS_MODULE="settings.test", REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
                        DATABASE_URL=database_url_for(connection.settings_dict), PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "run_worker"], cwd=ROOT, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.started = threading.Event()
        self.stdout: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.stdout.append(line)
            if "started" in line:
                self.started.set()

    def stop(self, sig: int) -> tuple[int, str]:
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError("the worker did not stop within 15 s") from None
        return code, self.proc.stderr.read()


@pytest.fixture
def redis_and_worker(transactional_db, tmp_path):
    port = free_port()
    redis = start_redis(port, tmp_path)
    worker = Worker(port)
    try:
        assert worker.started.wait(30), "the worker did not start"
        yield redis, worker
    finally:
        if worker.proc.poll() is None:
            worker.proc.kill()
            worker.proc.wait()
        stop_redis(redis)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_stopped_worker_leaves_no_traceback(redis_and_worker, sig):
    _redis, worker = redis_and_worker
    code, stderr = worker.stop(sig)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert stderr.strip() == "", f"nothing to say on a normal stop:\n{stderr}"


def test_a_worker_whose_redis_went_first_stops_in_at_most_a_line_each(redis_and_worker):
    redis, worker = redis_and_worker
    stop_redis(redis)  # as a Ctrl-C in the terminal reaches the embedded Redis too
    code, stderr = worker.stop(signal.SIGINT)
    assert code == 0, stderr
    assert "Traceback" not in stderr, stderr
    assert len(stderr.strip().splitlines()) <= 2, f"one line for the lost connection, at most one more:\n{stderr}"
