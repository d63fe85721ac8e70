"""Announcement fan-out benchmark: one administrator's announcement to N citizens.

    .venv/bin/python -m bench.announce --recipients 10000 --online 200

In a fresh database (SQLite under ``var/bench-announce/``, or PostgreSQL with
``--database-url``, whose ``public`` schema is dropped and re-created: the
database name must contain ``bench``), ``bench.announce_setup`` migrates and
bulk-creates ``--recipients`` citizens and one administrator. Then it starts a
real Daphne (``settings.dev``, ``DEBUG=false``, Redis ``--redis-url``, DB 8 by
default, flushed first) and one worker (``manage.py run_worker``), connects
``--online`` of the citizens (spread over the id range) over WebSocket with
session cookies (each socket is on ``notify.<id>`` from connect; a ``ping``
answered proves the connect finished), signs the administrator in (a session
that passed the second sign-in step, made by the setup) and POSTs the form at
``/notifikasi/umumkan/`` (role: citizens, so the administrator is not a
recipient). Measured, from one clock:

- the POST's response time (it only stores the announcement and enqueues);
- when all N ``Notification`` rows exist (a watcher process counts them every
  25 ms) and when the announcement is marked finished;
- when each online socket received its ``notification`` frame (p50/p99 after
  the POST) and when the last one did;
- the worker's and Daphne's CPU seconds over the run, and the load average.

Checked: exactly N rows, one per citizen, ``delivered`` == N, ``finished_at``
set, every online socket got exactly one frame.

``--py-spy /path/to/py-spy`` also records the worker during the fan-out (raw
collapsed stacks, idle samples included) for finding hot spots.

Loopback only; every wait has a deadline; everything started is stopped at
the end. A run with the defaults takes under a minute (``--online 1000``:
about two, connecting the sockets is the slow part).
"""

from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from argparse import Namespace
from contextlib import contextmanager

import psutil
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from bench.loadgen import percentile, raise_fd_limit, require_loopback
from bench.run import (
    HUB_DAPHNE,
    PY,
    ROOT,
    STATIC_ROOT,
    collect_static,
    cpu_seconds,
    daphne,
    flush,
    hub_env,
    machine_facts,
    save_json,
    say,
)
from tests.live import stop_process

VAR_DIR = ROOT / "var" / "bench-announce"


def server_env(args) -> dict:
    env = hub_env(Namespace(redis_url=args.redis_url, database_url=args.database_url))
    env["STATIC_ROOT"] = str(STATIC_ROOT)
    if not args.database_url:
        env["BALAI_VAR_DIR"] = str(VAR_DIR)
    return env


def setup_step(env: dict, *argv: str, timeout: float = 150) -> dict:
    out = subprocess.run([PY, "-m", "bench.announce_setup", *argv], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True, timeout=timeout)
    return json.loads(out.stdout.strip().splitlines()[-1])


@contextmanager
def worker(env: dict):
    """One ``manage.py run_worker`` process; yields its pid."""
    log = open(VAR_DIR / "worker.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([PY, "manage.py", "run_worker"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while "started" not in (VAR_DIR / "worker.log").read_text():
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited early with code {proc.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError("worker did not start within 30 s")
            time.sleep(0.1)
        yield proc.pid
    finally:
        stop_process(proc)
        log.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Admin:
    """The administrator's browser: a cookie jar, CSRF tokens, no redirects."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def _csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def request(self, path: str, data: dict | None = None) -> int:
        body = None
        headers = {"Referer": self.base + path}
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self._csrf()}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(req, timeout=60) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as exc:  # 302 lands here with redirects off
            exc.read()
            return exc.code

    def use_session(self, sessionid: str) -> None:
        """Sign in with a session made by ``bench.announce_setup`` (it passed
        the second sign-in step administrators owe, ``accounts.twofactor``)."""
        host = urllib.parse.urlsplit(self.base).hostname
        self.jar.set_cookie(http.cookiejar.Cookie(
            0, "sessionid", sessionid, None, False, host, False, False, "/", True, False, None, False, None, None,
            {}))
        status = self.request("/notifikasi/umumkan/")
        if status != 200 or not any(c.name == "csrftoken" for c in self.jar):
            raise RuntimeError(f"the announcement form is not reachable for the administrator (HTTP {status})")


class Sockets:
    """The online citizens' sockets and when each got its notification."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self.first: dict[str, float] = {}  # user id -> first notification frame
        self.frames: dict[str, int] = {}
        self.other: dict[str, int] = {}  # notification frames of something else
        self.closed = 0
        self.sockets: list = []
        self.tasks: list[asyncio.Task] = []

    async def open_one(self, url: str, origin: str, uid: str, cookie: str):
        ws = await connect(url, origin=origin, additional_headers={"Cookie": f"sessionid={cookie}"},
                           compression=None, ping_interval=None, open_timeout=30, close_timeout=2,
                           max_queue=None)
        # The hub handles one socket's events in order: the pong comes after
        # connect (and the auto-join of notify.<id>) has finished.
        await ws.send(json.dumps({"type": "ping", "ref": "p"}))
        deadline = time.monotonic() + 30
        while True:
            raw = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
            if '"type":"pong"' in raw:
                return uid, ws
            if '"type":"error"' in raw:
                raise RuntimeError(f"socket of user {uid} refused: {raw[:200]}")

    async def open(self, url: str, sessions: dict[str, str], batch: int = 50) -> None:
        origin = url.replace("ws://", "http://").rsplit("/ws/", 1)[0]
        items = list(sessions.items())
        for start in range(0, len(items), batch):
            self.sockets += await asyncio.gather(
                *(self.open_one(url, origin, uid, cookie) for uid, cookie in items[start:start + batch]))
        self.tasks = [asyncio.create_task(self.read(uid, ws)) for uid, ws in self.sockets]

    async def read(self, uid: str, ws) -> None:
        clock = time.time
        try:
            async for raw in ws:
                now = clock()
                if '"type":"notification"' not in raw:
                    continue
                if self.marker in raw:
                    self.frames[uid] = self.frames.get(uid, 0) + 1
                    self.first.setdefault(uid, now)
                else:
                    self.other[uid] = self.other.get(uid, 0) + 1
        except ConnectionClosed:
            self.closed += 1

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await asyncio.gather(*(ws.close() for _, ws in self.sockets), return_exceptions=True)


async def drive(args, env: dict, setup: dict, port: int, daphne_pid: int, worker_pid: int) -> dict:
    base = f"http://127.0.0.1:{port}"
    url = f"ws://127.0.0.1:{port}/ws/"
    require_loopback(url)
    title = f"Pengumuman uji {int(time.time())}"
    sockets = Sockets(title)
    t = time.monotonic()
    await sockets.open(url, setup["sessions"])
    say(f"{len(sockets.sockets)} citizens connected (on notify.<id>) in {time.monotonic() - t:.1f}s")

    admin = Admin(base)
    await asyncio.to_thread(admin.use_session, setup["admin_session"])
    say("administrator signed in; starting the row watcher")
    watcher = await asyncio.create_subprocess_exec(
        PY, "-m", "bench.announce_setup", "watch", "--title", title, "--expect", str(args.recipients),
        "--timeout", str(args.timeout), cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    profiler = None
    try:
        line = await asyncio.wait_for(watcher.stdout.readline(), 60)
        if line.strip() != b"ready":
            raise RuntimeError(f"watcher did not start: {line!r} {await watcher.stderr.read()!r}")
        await asyncio.sleep(1.0)  # let the sockets' connect traffic and the watcher settle
        server, work = psutil.Process(daphne_pid), psutil.Process(worker_pid)
        cpu_d0, cpu_w0 = cpu_seconds(server), cpu_seconds(work)
        load_before = os.getloadavg()

        if args.py_spy:
            profiler = subprocess.Popen([args.py_spy, "record", "--pid", str(worker_pid), "--rate", "200",
                                         "--duration", str(int(args.timeout)), "--format", "raw", "--idle",
                                         "--nonblocking", "-o", args.py_spy_out],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
            await asyncio.sleep(1.0)
        form = {"title": title, "body": "Uji beban pengumuman Balai Warga.", "role": "citizen", "kecamatan": ""}
        t_post = time.time()
        status = await asyncio.to_thread(admin.request, "/notifikasi/umumkan/", form)
        post_s = time.time() - t_post
        say(f"POST /notifikasi/umumkan/ -> HTTP {status} in {1000 * post_s:.1f} ms")
        if status != 302:
            raise RuntimeError(f"the announcement form answered HTTP {status}, expected a redirect")

        out, err = await asyncio.wait_for(watcher.communicate(), args.timeout + 30)
        if watcher.returncode != 0:
            raise RuntimeError(f"watcher failed: {err.decode()[-2000:]}")
        watched = json.loads(out.decode().strip().splitlines()[-1])
        # The rows are all there: wait (bounded) for the last pushes to land.
        deadline = time.monotonic() + args.drain
        while time.monotonic() < deadline and len(sockets.first) < len(sockets.sockets):
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # a duplicate would arrive about now
        cpu_d1, cpu_w1 = cpu_seconds(server), cpu_seconds(work)
        load_after = os.getloadavg()
    finally:
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)  # py-spy writes what it has and exits
            try:
                profiler.wait(timeout=30)
            except subprocess.TimeoutExpired:
                profiler.kill()
                profiler.wait()
        if watcher.returncode is None:
            watcher.kill()
            await watcher.wait()
        await sockets.close()

    receipts = sorted(t - t_post for t in sockets.first.values())
    ms = lambda values, q: round(1000 * percentile(values, q), 1)  # noqa: E731
    rel = lambda ts: round(ts - t_post, 3) if ts else None  # noqa: E731
    progress = watched.get("progress", [])
    first_rows = next((ts for ts, n in progress if n > 0), None)
    return {
        "recipients": args.recipients, "online": len(sockets.sockets),
        "post_status": status, "post_ms": round(1000 * post_s, 1),
        "first_rows_s": rel(first_rows),
        "all_rows_s": rel(watched.get("all_rows_at")),
        "finished_s": rel(watched.get("finished_at")),
        "rows": watched.get("rows"), "delivered": watched.get("delivered"),
        "distinct_recipients": watched.get("distinct_recipients"), "duplicates": watched.get("duplicates"),
        "missing_citizens": watched.get("missing_citizens"), "non_citizens": watched.get("non_citizens"),
        "finished": watched.get("finished_at") is not None,
        "sockets_with_frame": len(sockets.first),
        "sockets_with_extra_frames": sum(1 for n in sockets.frames.values() if n > 1),
        "other_notification_frames": sum(sockets.other.values()), "sockets_closed": sockets.closed,
        "push_p50_ms": ms(receipts, 0.50), "push_p99_ms": ms(receipts, 0.99),
        "push_last_s": round(receipts[-1], 3) if receipts else None,
        "worker_cpu_s": round(cpu_w1 - cpu_w0, 2), "daphne_cpu_s": round(cpu_d1 - cpu_d0, 2),
        "load_avg_before": [round(x, 2) for x in load_before], "load_avg_after": [round(x, 2) for x in load_after],
        "row_progress": [(rel(ts), n) for ts, n in progress],
        "watcher_polls": watched.get("polls"),
    }


async def main_async(args) -> dict:
    raise_fd_limit()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)  # bench.run.daphne logs there
    flush(args.redis_url)
    if not args.database_url:
        shutil.rmtree(VAR_DIR, ignore_errors=True)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    env = server_env(args)
    say(f"setup: fresh database, migrate, {args.recipients} citizens, one administrator, "
        f"{args.online} sessions")
    setup = setup_step(env, "prepare", "--recipients", str(args.recipients), "--online", str(args.online))
    collect_static(env)  # the administrator's form page is rendered with DEBUG off
    say(f"setup done: migrate {setup['migrate_s']}s, {setup['citizens']} citizens bulk-created in "
        f"{setup['users_s']}s ({setup['vendor']})")
    if setup["citizens"] != args.recipients:
        raise RuntimeError(f"expected {args.recipients} citizens, found {setup['citizens']}")
    with daphne("asgi:application", env, "announce", HUB_DAPHNE) as (port, daphne_pid), worker(env) as worker_pid:
        say(f"Daphne pid {daphne_pid} on 127.0.0.1:{port}; worker pid {worker_pid}")
        result = await drive(args, env, setup, port, daphne_pid, worker_pid)
    result["setup"] = {k: setup[k] for k in ("migrate_s", "users_s", "vendor")}
    return result


# --- make bench (bench.suite --parts notify) ----------------------------------

def suite_namespace(args) -> Namespace:
    """The suite's run: 10,000 recipients, 200 online (``--quick``: 2,000 and
    50), on the suite's database (a PostgreSQL one is reset: its name must
    contain ``bench``) and Redis."""
    quick = args.quick
    return Namespace(recipients=2000 if quick else 10_000, online=50 if quick else 200,
                     timeout=60.0, drain=10.0, database_url=args.database_url, redis_url=args.redis_url,
                     py_spy=None, py_spy_out=None)


async def suite_part(args) -> dict:
    return await main_async(suite_namespace(args))


def exact(result: dict) -> bool:
    """Exactly one row per citizen, ``delivered`` == N, the announcement finished."""
    n = result["recipients"]
    return (result["rows"] == n and result["delivered"] == n and result["distinct_recipients"] == n
            and result["duplicates"] == 0 and result["missing_citizens"] == 0 and result["non_citizens"] == 0
            and result["finished"])


def pushed_once(result: dict) -> bool:
    """Every online socket got exactly one frame of the announcement."""
    return result["sockets_with_frame"] == result["online"] and result["sockets_with_extra_frames"] == 0


def suite_rows(result: dict) -> list[str]:
    """Rows of ``make bench``'s table (hub column only; CPU as seconds)."""
    r = result
    return [
        f"| notifications: announcement to {r['recipients']:,} citizens ({r['online']} online): POST / all rows / "
        f"finished / last push s (target: the POST does not wait for the fan-out) | {r['post_ms']:.0f} ms / "
        f"{r['all_rows_s']} / {r['finished_s']} / {r['push_last_s']} s; push p50 / p99 {r['push_p50_ms']:.0f} / "
        f"{r['push_p99_ms']:.0f} ms | | | | | Daphne {r['daphne_cpu_s']} s + worker {r['worker_cpu_s']} s CPU | |",
        f"| notifications: rows / `delivered` / duplicates; online sockets with exactly one frame | "
        f"{r['rows']} / {r['delivered']} / {r['duplicates']}, {'exact' if exact(r) else 'NOT EXACT'}; "
        f"{r['sockets_with_frame'] - r['sockets_with_extra_frames']} of {r['online']}"
        f"{'' if pushed_once(r) else ' — NOT ALL'} | | | | | | |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=10_000, help="citizens the announcement goes to")
    parser.add_argument("--online", type=int, default=200, help="of them, connected over WebSocket")
    parser.add_argument("--timeout", type=float, default=100.0, help="give up on the rows after this long")
    parser.add_argument("--drain", type=float, default=10.0, help="wait this long for pushes after the rows")
    parser.add_argument("--database-url", help="postgres://.../<name with 'bench'> (reset!); default: SQLite")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/8", help="a Redis DB of its own (flushed)")
    parser.add_argument("--py-spy", help="path to a py-spy binary: profile the worker during the fan-out")
    parser.add_argument("--py-spy-out", default="/tmp/balai-bench-announce-profile.txt")
    parser.add_argument("--json", help="write every figure to this file")
    args = parser.parse_args()
    if not (1 <= args.recipients <= 50_000 and 0 <= args.online <= min(1000, args.recipients)
            and args.timeout <= 150 and args.drain <= 30):
        parser.error("keep a run bounded: 1 <= --recipients <= 50000, 0 <= --online <= min(1000, recipients), "
                     "--timeout <= 150, --drain <= 30")
    result = asyncio.run(main_async(args))
    facts = machine_facts(Namespace(redis_url=args.redis_url, database_url=args.database_url))
    if not args.database_url:
        facts["database"] = f"SQLite ({VAR_DIR.relative_to(ROOT)})"
    print()
    print("machine:", ", ".join(f"{k} {v}" for k, v in facts.items()))
    for key, value in result.items():
        if key != "row_progress":
            print(f"  {key:28} {value}")
    print("  rows over time (s after POST, rows):",
          " ".join(f"{t}:{n}" for t, n in result["row_progress"][:: max(1, len(result["row_progress"]) // 12)]))
    n = args.recipients
    print(f"exactly {n} rows, delivered == {n}, finished: {'yes' if exact(result) else 'NO'}; "
          f"every online socket got exactly one frame: {'yes' if pushed_once(result) else 'NO'}")
    say("done")
    save_json(args.json, facts, args, result)


if __name__ == "__main__":
    main()

