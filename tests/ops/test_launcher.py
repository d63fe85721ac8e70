"""``python -m ops.launch run`` (``make run``) on a fresh machine: no
``REDIS_URL``, no ``DATABASE_URL``, an empty ``var/``. It must serve the app
with the demo logins, and Ctrl-C/SIGTERM must stop every process it started."""

from __future__ import annotations

import html
import json
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import psutil
import pytest

from tests.live import ROOT, free_port
from tests.ops.processes import child_env

pytestmark = pytest.mark.live

DEMO_PASSWORD = "x1y2z3w4"
# From launch to a healthy app: well under 60 s on an idle machine (Redis,
# preflight, migrate, seed_demo, Daphne); the margin absorbs a busy CI host.
START_TIMEOUT_S = 120
STOP_TIMEOUT_S = 15


def accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Launcher:
    """One ``ops.launch run`` child; its output is read line by line."""

    def __init__(self, var_dir, port: int, **extra_env: str):
        self.port = port
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        env = child_env(unset=("BALAI_VAR_DIR",), BALAI_VAR_DIR=str(var_dir), PORT=str(port),
                        DEMO_PASSWORD=DEMO_PASSWORD, PYTHONUNBUFFERED="1", **extra_env)
        self.proc = subprocess.Popen([sys.executable, "-m", "ops.launch", "run"], cwd=ROOT, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def log(self) -> str:
        while not self.lines.empty():
            self.output.append(self.lines.get())
        return "\n".join(self.output)

    def wait_for_line(self, pattern: str, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.proc.poll() is None, f"launcher exited with {self.proc.returncode}:\n{self.log()}"
                continue
            self.output.append(line)
            if match := re.search(pattern, line):
                return match
        raise AssertionError(f"no line matching {pattern!r} within {timeout} s:\n{self.log()}")

    def descendants(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def kill_everything(self, others: list[psutil.Process]) -> None:
        """Last-resort cleanup of the processes this test started."""
        if self.proc.poll() is None:
            others = [*others, psutil.Process(self.proc.pid)]
        for proc in others:
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
        self.proc.wait(timeout=10)


def handshake_status(port: int, origin: str) -> int:
    """The HTTP status a WebSocket handshake to ``/ws/`` from ``origin`` gets."""
    request = (f"GET /ws/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode())
        return int(sock.recv(1024).split(b" ", 2)[1])


def get(opener, url: str) -> tuple[int, str]:
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def wait_for_health(opener, base: str, launcher: Launcher, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        assert launcher.proc.poll() is None, f"launcher exited:\n{launcher.log()}"
        try:
            status, body = get(opener, base + "/healthz")
            if status == 200:
                return json.loads(body)
            last = (status, body)
        except OSError as exc:
            last = exc
        time.sleep(0.3)
    raise AssertionError(f"/healthz not 200 within {timeout} s (last: {last}):\n{launcher.log()}")


def sign_in(opener, base: str, username: str, password: str) -> str:
    """Sign in through the real form (CSRF token and cookie); returns the page after."""
    status, page = get(opener, base + "/akun/masuk/")
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
    request = urllib.request.Request(base + "/akun/masuk/", data=data.encode(), method="POST",
                                     headers={"Referer": base + "/akun/masuk/"})
    with opener.open(request, timeout=10) as response:
        return response.read().decode()


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_launcher_serves_the_app_and_stops_everything(tmp_path, stop_signal):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    launcher = Launcher(tmp_path / "var", port)
    children: list[psutil.Process] = []
    try:
        redis_port = int(launcher.wait_for_line(r"embedded Redis on 127\.0\.0\.1:(\d+)", START_TIMEOUT_S).group(1))
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

        health = wait_for_health(opener, base, launcher, START_TIMEOUT_S - (time.monotonic() - started))
        assert health == {"database": "ok", "redis": "ok", "channel_layer": "ok", "status": "ok"}
        status, home = get(opener, base + "/")
        assert status == 200
        assert "Balai Warga" in home
        assert 'lang="id"' in home
        assert (tmp_path / "var" / "balai.sqlite3").exists()

        after = html.unescape(sign_in(opener, base, "bupati", DEMO_PASSWORD))
        assert "Hj. Sri Wahyuningsih" in after
        assert "/akun/keluar/" in after

        # A socket from another site is refused in one line (issue 13 item 8).
        assert handshake_status(port, "http://evil.example") == 403
        launcher.wait_for_line(r"WebSocket refused: origin 'http://evil\.example'", 10)

        children = launcher.descendants()
        assert accepts_connections(port) and accepts_connections(redis_port)
        launcher.proc.send_signal(stop_signal)

        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline and (accepts_connections(port) or accepts_connections(redis_port)):
            time.sleep(0.2)
        assert not accepts_connections(port), "Daphne still serves after the launcher was told to stop"
        assert not accepts_connections(redis_port), "embedded Redis still runs after the launcher was told to stop"
        launcher.proc.wait(timeout=STOP_TIMEOUT_S)
        assert not [p for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        # Quiet logs: the refusal and the stop (Daphne, the worker and its Redis connection) left no traceback.
        log = launcher.log()
        assert "Traceback" not in log, log
        assert log.count("WebSocket refused") == 1
    finally:
        launcher.kill_everything(children or launcher.descendants())


def test_launcher_with_debug_off_serves_as_production_does(tmp_path):
    """`DEBUG=false make run`: hashed, compressed static files cached for a
    year and the site's own error pages, on the embedded defaults, with the
    demo data (forced on the embedded SQLite, and said so)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    launcher = Launcher(tmp_path / "var", port, DEBUG="false", STATIC_ROOT=str(tmp_path / "static"))
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        wait_for_health(opener, base, launcher, START_TIMEOUT_S)
        log = launcher.log()
        assert "DEBUG is off" in log and "seed_demo --force" in log and "demo logins" in log
        assert "Traceback" not in log

        status, home = get(opener, base + "/")
        assert status == 200
        css = re.search(r'href="(/static/frontend/css/balai\.[0-9a-f]{12}\.css)"', home).group(1)
        request = urllib.request.Request(base + css, headers={"Accept-Encoding": "gzip"})
        with opener.open(request, timeout=10) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert int(re.search(r"max-age=(\d+)", response.headers["Cache-Control"]).group(1)) >= 365 * 86400

        status, page = get(opener, base + "/tidak-ada/")
        assert status == 404 and "Halaman tidak ditemukan" in page

        children = launcher.descendants()
        launcher.proc.send_signal(signal.SIGTERM)
        launcher.proc.wait(timeout=STOP_TIMEOUT_S)
    finally:
        launcher.kill_everything(launcher.descendants())
    assert not [p for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_launcher_says_the_port_is_taken(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        launcher = Launcher(tmp_path / "var", port)
        try:
            code = launcher.proc.wait(timeout=20)
        finally:
            launcher.kill_everything(launcher.descendants())
        elapsed = time.monotonic() - started
    output = launcher.log()
    assert code != 0
    assert "taken" in output and str(port) in output, output
    assert "Traceback" not in output
    assert "embedded Redis" not in output  # refused before starting anything
    assert elapsed < 10


def is_named(proc: psutil.Process, word: str) -> bool:
    try:
        return word in " ".join([proc.name(), *proc.cmdline()])
    except psutil.NoSuchProcess:
        return False


def child_named(launcher: Launcher, word: str) -> psutil.Process:
    found = [p for p in launcher.descendants() if is_named(p, word)]
    assert len(found) == 1, f"expected one {word} child, found {found}:\n{launcher.log()}"
    return found[0]


def wait_for_new_child(launcher: Launcher, word: str, old_pid: int, timeout: float) -> psutil.Process:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p for p in launcher.descendants() if p.pid != old_pid and is_named(p, word)
                 and p.status() != psutil.STATUS_ZOMBIE]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no new {word} child within {timeout} s:\n{launcher.log()}")


def test_launcher_restarts_a_child_that_died_and_stops_every_child(tmp_path):
    """Issue 14 A7: a dead Daphne, worker or Redis is started again (the
    others keep running: the worker survives the Redis restart); SIGTERM then
    stops every child the launcher started, the restarted ones included."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    launcher = Launcher(tmp_path / "var", port)
    seen: dict[int, psutil.Process] = {}
    try:
        redis_port = int(launcher.wait_for_line(r"embedded Redis on 127\.0\.0\.1:(\d+)", START_TIMEOUT_S).group(1))
        opener = urllib.request.build_opener()
        wait_for_health(opener, base, launcher, START_TIMEOUT_S - (time.monotonic() - started))
        daphne, worker, redis_server = (child_named(launcher, w) for w in ("daphne", "run_worker", "redis-server"))
        seen.update({p.pid: p for p in (daphne, worker, redis_server)})

        daphne.kill()  # kill -9
        launcher.wait_for_line(r"Daphne \(pid \d+\) exited with code -9 .*restarting in 1 s", 10)
        new_daphne = wait_for_new_child(launcher, "daphne", daphne.pid, 15)
        seen[new_daphne.pid] = new_daphne
        assert wait_for_health(opener, base, launcher, 30)["status"] == "ok"

        redis_server.kill()
        launcher.wait_for_line(r"embedded Redis \(pid \d+\) exited with code -9", 10)
        new_redis = wait_for_new_child(launcher, "redis-server", redis_server.pid, 15)
        seen[new_redis.pid] = new_redis
        assert wait_for_health(opener, base, launcher, 30)["redis"] == "ok"
        assert accepts_connections(redis_port)  # same port: the children's REDIS_URL still holds
        time.sleep(2)
        assert worker.is_running() and worker.status() != psutil.STATUS_ZOMBIE, \
            f"the worker died with Redis:\n{launcher.log()}"

        worker.kill()
        new_worker = wait_for_new_child(launcher, "run_worker", worker.pid, 15)
        seen[new_worker.pid] = new_worker
        seen.update({p.pid: p for p in launcher.descendants()})

        launcher.proc.send_signal(signal.SIGTERM)
        launcher.proc.wait(timeout=STOP_TIMEOUT_S + 10)
        left = [p for p in seen.values() if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        assert not left, f"still running after SIGTERM: {left}\n{launcher.log()}"
        assert not accepts_connections(port) and not accepts_connections(redis_port)
        assert "Traceback" not in launcher.log()
    finally:
        launcher.kill_everything([p for p in seen.values() if p.is_running()] or launcher.descendants())
