"""The ASGI servers the benchmark runs the hub (``asgi:application``) under:
one place for their command lines (``bench.suite``, ``bench.ab``,
``bench.slow_reader``).

- ``hub``: Daphne on uvloop (``ops.daphne_uvloop``), what ``make run``
  and the systemd units start (the production default), and so what every
  scenario of ``make bench`` measures as "the hub" (until 2026-11-30 it
  measured Daphne on asyncio, the next one);
- ``hub-asyncio``: Daphne on asyncio's own loop (``python -m daphne``;
  ``HUB_UVLOOP=0 make run``);
- ``hub-uvicorn``: Uvicorn on uvloop with httptools and its
  ``websockets-sansio`` WebSocket implementation;
- ``hub-uvicorn-websockets`` / ``hub-uvicorn-wsproto``: the same with
  Uvicorn's two other WebSocket implementations (``websockets``' legacy
  protocol, ``wsproto``);
- ``hub-granian``: Granian's ASGI interface (without lifespan) on uvloop (Granian's own Rust
  HTTP/WebSocket stack; one worker, one runtime thread). Granian has no
  WebSocket message-size option.

Every one is one process on one loopback port with the same limits as
``make run``'s Daphne: 64 KiB WebSocket messages, no per-message
compression (the load generator asks for none anyway). The Daphne-specific
hooks of ``realtime/daphne.py`` (send-buffer cap, direct frame writes,
"going away" on shutdown) apply only under Daphne; docs/decisions.md says
what that means for a slow reader under the others.
"""

from __future__ import annotations

import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import psutil

from tests.live import free_port, stop_process, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
MAX_MESSAGE = 65536

#: Hub variants, in the order a comparison runs them.
HUB_SERVERS = ("hub", "hub-asyncio", "hub-uvicorn", "hub-uvicorn-websockets", "hub-uvicorn-wsproto", "hub-granian")


def _daphne(module: str, app: str, port: int) -> list[str]:
    return [PY, "-m", module, "-b", "127.0.0.1", "-p", str(port), "--websocket-max-message-size", str(MAX_MESSAGE),
            "--websocket-max-frame-size", str(MAX_MESSAGE), app]


def _uvicorn(ws: str, app: str, port: int) -> list[str]:
    return [PY, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop", "--http",
            "httptools", "--ws", ws, "--ws-max-size", str(MAX_MESSAGE), "--ws-per-message-deflate", "false",
            "--lifespan", "off", "--no-access-log", "--log-level", "warning", app]


def _granian(app: str, port: int) -> list[str]:
    # asginl: ASGI without the lifespan protocol, which the app does not speak
    # (the same as Uvicorn's --lifespan off).
    return [PY, "-m", "granian", "--interface", "asginl", "--host", "127.0.0.1", "--port", str(port), "--loop",
            "uvloop", "--workers", "1", "--runtime-threads", "1", "--ws", "--log-level", "warning", app]


def server_argv(variant: str, port: int, app: str = "asgi:application") -> list[str]:
    """The command line that serves ``app`` on ``127.0.0.1:port`` under ``variant``."""
    if variant == "hub":
        return _daphne("ops.daphne_uvloop", app, port)
    if variant == "hub-asyncio":
        return _daphne("daphne", app, port)
    if variant == "hub-uvicorn":
        return _uvicorn("websockets-sansio", app, port)
    if variant == "hub-uvicorn-websockets":
        return _uvicorn("websockets", app, port)
    if variant == "hub-uvicorn-wsproto":
        return _uvicorn("wsproto", app, port)
    if variant == "hub-granian":
        return _granian(app, port)
    raise ValueError(f"unknown hub server {variant!r}; one of {', '.join(HUB_SERVERS)}")


def serving_pid(variant: str, pid: int, timeout: float = 20.0) -> int:
    """The process whose CPU is the server's: Granian's main process only
    supervises, one worker process (its child) serves; the others serve in
    the process they were started as."""
    if variant != "hub-granian":
        return pid
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = psutil.Process(pid).children()
        if len(children) == 1:
            return children[0].pid
        time.sleep(0.1)
    raise RuntimeError(f"Granian ({pid}) has {len(children)} worker processes, expected 1")


@contextmanager
def hub_process(variant: str, env: dict, name: str, cwd: Path = ROOT, app: str = "asgi:application"):
    """``app`` under ``variant`` on a free loopback port, logging to
    ``var/bench/<name>.log``; yields ``(port, pid of the serving process)``."""
    port = free_port()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    log = open(ROOT / "var" / "bench" / f"{name}.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(server_argv(variant, port, app), cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        wait_for_port(port, proc, timeout=60)
        yield port, serving_pid(variant, proc.pid)
    finally:
        stop_process(proc)
        log.close()
