"""Running Balai Warga's commands in child processes, as an operator would:
with an environment of the test's choosing instead of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from ops.launch import redis_binary
from tests.live import ROOT

# Variables a test sets itself; never inherited from the test process.
CONFIG_VARIABLES = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS",
                    "CSRF_TRUSTED_ORIGINS", "DEMO_PASSWORD", "PORT", "HOST")


def child_env(*, unset: tuple[str, ...] = (), **env: str | None) -> dict[str, str]:
    """The test process's environment without the configuration variables
    (and ``unset``), plus ``env``; a ``None`` value leaves a variable out."""
    environ = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES and k not in unset}
    environ.update({k: v for k, v in env.items() if v is not None})
    return environ


def run_manage(*args: str, settings: str = "settings.dev", timeout: float = 60,
               **env: str | None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT,
                          env=child_env(DJANGO_SETTINGS_MODULE=settings, **env),
                          capture_output=True, text=True, timeout=timeout)


def assert_one_line_naming(result: subprocess.CompletedProcess, variable: str) -> str:
    """A refusal an operator can act on: non-zero exit, one line on stderr
    naming the variable, no traceback; returns the line."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    return lines[0]


def start_redis(port: int, data_dir) -> subprocess.Popen:
    """A private, throw-away Redis on ``port`` (no persistence: it comes back empty)."""
    proc = subprocess.Popen([redis_binary(), "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                             "--appendonly", "no", "--dir", str(data_dir), "--daemonize", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port, socket_connect_timeout=0.5)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            client.ping()
            client.close()
            return proc
        except redis.ConnectionError:
            assert proc.poll() is None, "redis-server exited at start"
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("redis-server did not answer within 10 s")


def stop_redis(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)
