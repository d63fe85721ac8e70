"""Real Daphne processes for tests that cross process boundaries (browser
tests, the two-process hub test, the launcher smoke test).

A live server shares the test database with the test process, so tests that
use it must use ``transactional_db`` (rows committed, visible to others).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def stop_process(proc: subprocess.Popen) -> None:
    """Ask a child process to stop; kill it if it has not within 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_for(settings_dict: dict) -> str:
    """A ``DATABASE_URL`` that opens the database the test process is using."""
    engine = settings_dict["ENGINE"]
    name = settings_dict["NAME"]
    if engine.endswith("sqlite3"):
        return f"sqlite:///{Path(name).resolve()}"
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else f"{user}@"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{name}"


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not start in {timeout} s")


@contextmanager
def daphne_process(settings_dict: dict, *, extra_env: dict | None = None):
    """Start one Daphne on a free port against the test database and Redis;
    yields its base URL (``http://127.0.0.1:PORT``) and its process."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="settings.test",
        DATABASE_URL=database_url_for(settings_dict),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra_env or {})
    log = open(ROOT / "var" / f"daphne-{port}.log", "w")  # noqa: SIM115 - closed below
    # What ``make run`` starts: Daphne on uvloop (ops/daphne_uvloop.py).
    argv = [sys.executable, "-m", "ops.daphne_uvloop", "-b", "127.0.0.1", "-p", str(port),
            "--websocket-max-message-size", "65536", "asgi:application"]
    if other := os.environ.get("LIVE_ASGI_SERVER"):
        # The same app under another ASGI server (a ``bench/servers.py`` name,
        # e.g. hub-uvicorn, hub-granian): docs/decisions.md, "The ASGI server".
        from bench.servers import server_argv

        argv = server_argv(other, port)
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}", proc
    finally:
        stop_process(proc)
        log.close()


@contextmanager
def daphne_server(settings_dict: dict, *, extra_env: dict | None = None):
    """``daphne_process``'s base URL alone."""
    with daphne_process(settings_dict, extra_env=extra_env) as (url, _proc):
        yield url
