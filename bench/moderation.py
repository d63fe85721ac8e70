"""Moderation queue benchmark: held chat messages reaching a moderator's console.

    .venv/bin/python -m bench.moderation --rate 200 --seconds 60

Starts ``--servers`` real Daphne processes (default 1; ``settings.dev``; a
fresh SQLite file of its own under ``/tmp/balai-bench-mod/`` or
``--database-url``; Redis ``--redis-url``, DB 7 by default, flushed first),
prepares a pre-moderated room, ``--senders`` citizen accounts with sessions
and one moderator (``bench.moderation_setup``), then:

- the moderator's socket joins ``modq.console`` on the first server and
  timestamps every ``queue.event`` ``arrived`` frame on receipt, by
  ``item_id``;
- the citizens' sockets, spread round robin over the servers, join the room
  and send ``--rate`` messages per second in total for ``--seconds`` (round
  robin, each sender under the chat rate limit of ``CHAT_RATE_COUNT`` per
  ``CHAT_RATE_SECONDS``, left at its default unless ``--rate-count`` is
  given); each send is timestamped just before the ``send`` frame, by
  ``client_id``;
- after the run the database maps ``client_id`` -> message -> queue item, so
  latency = console receipt of the item's ``arrived`` - submit of its message,
  both read from this process's clock. It also checks every submitted message
  has a pending ``QueueItem`` whose entry is on the Redis stream.

Loopback only; every loop is bounded by counts and deadlines; a run takes
about ``--seconds`` + 40 s and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import time
import uuid
from argparse import Namespace
from contextlib import ExitStack
from pathlib import Path

import psutil
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from bench.loadgen import percentile, raise_fd_limit, require_loopback
from bench.run import HUB_DAPHNE, PY, ROOT, cpu_seconds, daphne, flush, hub_env, machine_facts, save_json, say

SQLITE_DIR = Path("/tmp/balai-bench-mod")
RATE_SECONDS = 10  # CHAT_RATE_SECONDS default (settings/base.py)
RATE_COUNT = 5  # CHAT_RATE_COUNT default


def server_env(args) -> dict:
    env = hub_env(Namespace(redis_url=args.redis_url, database_url=args.database_url))
    if not args.database_url:
        # The app's own SQLite default (timeout, IMMEDIATE transactions), in a
        # fresh file of this benchmark's own.
        env["BALAI_VAR_DIR"] = str(SQLITE_DIR)
    if args.rate_count:
        env["CHAT_RATE_COUNT"] = str(args.rate_count)
    env["DJANGO_SETTINGS_MODULE"] = args.settings
    if args.pg_async_commit:
        env["BENCH_PG_ASYNC_COMMIT"] = "1"
    return env


def setup_step(env: dict, *argv: str, timeout: float = 150) -> dict:
    out = subprocess.run([PY, "-m", "bench.moderation_setup", *argv], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True, timeout=timeout)
    return json.loads(out.stdout.strip().splitlines()[-1])


async def open_joined(url: str, cookie: str, topic: str):
    ws = await connect(url, origin=url.replace("ws://", "http://").rsplit("/ws/", 1)[0],
                       additional_headers={"Cookie": f"sessionid={cookie}"}, compression=None,
                       ping_interval=None, open_timeout=30, close_timeout=2, max_queue=None)
    await ws.send(json.dumps({"type": "join", "topic": topic, "ref": "j"}))
    deadline = time.monotonic() + 30
    while True:
        raw = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
        if '"type":"joined"' in raw:
            return ws
        if '"type":"error"' in raw:
            raise RuntimeError(f"join {topic} refused: {raw[:200]}")


class Run:
    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}  # item id -> first console receipt
        self.arrived_dup = 0
        self.other_queue = 0
        self.submitted: dict[str, float] = {}  # client id -> submit time
        self.acked: dict[str, float] = {}  # client id -> held ack receipt
        self.ack_status: dict[str, int] = {}
        self.errors: dict[str, int] = {}
        self.late_max = 0.0  # how far the generator fell behind its schedule

    async def read_console(self, ws) -> None:
        clock = time.time
        try:
            async for raw in ws:
                now = clock()
                if '"queue.event"' not in raw or '"arrived"' not in raw:
                    continue
                frame = json.loads(raw)
                if frame.get("event") != "arrived":
                    continue
                if frame.get("queue") != "chat":
                    self.other_queue += 1
                    continue
                if frame["item_id"] in self.arrived:
                    self.arrived_dup += 1
                else:
                    self.arrived[frame["item_id"]] = now
        except ConnectionClosed:
            return

    async def read_sender(self, ws) -> None:
        clock = time.time
        try:
            async for raw in ws:
                if raw.startswith('{"type":"ack"') or '"type":"ack"' in raw:
                    now = clock()
                    frame = json.loads(raw)
                    self.acked.setdefault(frame["client_id"], now)
                    status = frame.get("status")
                    self.ack_status[status] = self.ack_status.get(status, 0) + 1
                elif '"type":"error"' in raw:
                    code = json.loads(raw).get("code", "?")
                    self.errors[code] = self.errors.get(code, 0) + 1
        except ConnectionClosed:
            return

    async def send_all(self, senders: list, topic: str, rate: float, count: int) -> float:
        loop = asyncio.get_running_loop()
        clock = time.time
        interval = 1.0 / rate
        t0 = loop.time() + 0.05
        n_senders = len(senders)
        for n in range(count):
            delay = t0 + n * interval - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                self.late_max = max(self.late_max, -delay)
            client_id = str(uuid.uuid4())
            # Letters only: digit runs could trip the personal-data rule.
            frame = json.dumps({"type": "send", "topic": topic, "client_id": client_id,
                                "body": f"Laporan uji antrean moderasi nomor {n:x}".translate(_NO_DIGITS)})
            self.submitted[client_id] = clock()
            await senders[n % n_senders].send(frame)
        return loop.time() - t0


_NO_DIGITS = str.maketrans("0123456789", "abcdefghij")


async def drive(args, urls: list[str], setup: dict, server_pids: list[int]) -> dict:
    """The console joins the first server; senders are spread round robin over
    all of them, so with ``--servers 2`` half the arrivals cross Redis from
    the other process."""
    run = Run()
    tasks = []
    t = time.monotonic()
    console = await open_joined(urls[0], setup["moderator"], "modq.console")
    tasks.append(asyncio.create_task(run.read_console(console)))
    senders = []
    cookies = setup["senders"]
    for start in range(0, len(cookies), 50):
        senders += await asyncio.gather(*(open_joined(urls[(start + n) % len(urls)], c, setup["topic"])
                                          for n, c in enumerate(cookies[start:start + 50])))
    tasks += [asyncio.create_task(run.read_sender(ws)) for ws in senders]
    say(f"moderator on modq.console, {len(senders)} senders joined {setup['topic']} "
        f"over {len(urls)} server(s) in {time.monotonic() - t:.1f}s")
    await asyncio.sleep(2.0)  # let the join-time presence broadcasts settle

    profiler = None
    if args.py_spy:
        profiler = subprocess.Popen([args.py_spy, "record", "--pid", str(server_pids[0]), "--rate", "100",
                                     "--duration", str(int(args.seconds)), "--format", "raw", "--nonblocking",
                                     "--idle", "--threads", "-o", args.py_spy_out],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    servers, me = [psutil.Process(pid) for pid in server_pids], psutil.Process()
    cpu0, me0, wall0 = sum(map(cpu_seconds, servers)), cpu_seconds(me), time.monotonic()
    count = round(args.rate * args.seconds)
    say(f"sending {count} messages at {args.rate:g}/s for {args.seconds:g}s")
    send_s = await run.send_all(senders, setup["topic"], args.rate, count)
    send_end = time.monotonic()
    deadline = send_end + args.drain
    while time.monotonic() < deadline and (len(run.arrived) < count or len(run.acked) < count):
        await asyncio.sleep(0.05)
    elapsed = time.monotonic() - wall0
    cpu1, me1 = sum(map(cpu_seconds, servers)), cpu_seconds(me)
    if profiler is not None:
        try:
            profiler.wait(timeout=30)
        except subprocess.TimeoutExpired:
            profiler.terminate()
            profiler.wait()
    say(f"sent in {send_s:.1f}s; console saw {len(run.arrived)}, held acks {len(run.acked)} "
        f"after {time.monotonic() - send_end:.1f}s of drain")
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.gather(console.close(), *(ws.close() for ws in senders), return_exceptions=True)
    return {"run": run, "send_s": send_s, "elapsed_s": elapsed,
            "server_cpu_pct": 100 * (cpu1 - cpu0) / elapsed, "client_cpu_pct": 100 * (me1 - me0) / elapsed}


def analyse(run: Run, collected: dict, args, send_s: float) -> dict:
    rows = collected["messages"]
    submitted = len(run.submitted)
    stored = [cid for cid in run.submitted if cid in rows]
    items = {cid: rows[cid]["item"] for cid in stored if rows[cid]["item"]}
    pending = sum(1 for cid in items if rows[cid]["item_status"] == "pending")
    on_stream = sum(1 for cid in items if rows[cid]["on_stream"])
    latencies, ack_lat, timeline = [], [], []
    for cid, t_submit in run.submitted.items():
        if cid in run.acked:
            ack_lat.append(run.acked[cid] - t_submit)
        item = items.get(cid)
        if item is not None and item in run.arrived:
            latency = run.arrived[item] - t_submit
            latencies.append(latency)
            timeline.append((t_submit, latency))
    seen = len(latencies)
    lat, ack_sorted = sorted(latencies), sorted(ack_lat)
    # p99 per 10 s of the run: does latency grow as the queue grows?
    windows = []
    if timeline:
        start = min(t for t, _ in timeline)
        buckets: dict[int, list[float]] = {}
        for t_submit, latency in timeline:
            buckets.setdefault(int((t_submit - start) // 10), []).append(latency)
        windows = [round(1000 * percentile(sorted(v), 0.99), 1) for _, v in sorted(buckets.items())]
    arrivals = sorted(run.arrived.values())
    first_submit = min(run.submitted.values()) if run.submitted else 0
    ms = lambda values, q: round(1000 * percentile(values, q), 1)  # noqa: E731
    return {
        "submitted": submitted, "held_acks": len(run.acked), "ack_status": run.ack_status, "errors": run.errors,
        "messages_in_db": len(stored), "queue_items": len(items), "queue_items_pending": pending,
        "queue_items_on_stream": on_stream, "stream_len": collected["stream_len"],
        "console_seen": seen, "console_duplicates": run.arrived_dup, "lost": submitted - seen,
        "send_rate": round(submitted / send_s, 1) if send_s else 0.0,
        "console_rate": round(len(arrivals) / max(1e-6, arrivals[-1] - first_submit), 1) if arrivals else 0.0,
        "p50_ms": ms(lat, 0.50), "p95_ms": ms(lat, 0.95), "p99_ms": ms(lat, 0.99),
        "max_ms": round(1000 * lat[-1], 1) if lat else None,
        "ack_p50_ms": ms(ack_sorted, 0.50), "ack_p99_ms": ms(ack_sorted, 0.99),
        "p99_by_10s_ms": windows, "generator_late_max_ms": round(1000 * run.late_max, 1),
    }


async def main_async(args) -> dict:
    raise_fd_limit()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    flush(args.redis_url)
    if not args.database_url:
        shutil.rmtree(SQLITE_DIR, ignore_errors=True)
        SQLITE_DIR.mkdir(parents=True)
    env = server_env(args)
    say(f"setup: migrate, pre-moderated room, moderator, {args.senders} citizens with sessions")
    setup = setup_step(env, "prepare", "--senders", str(args.senders))
    with ExitStack() as stack:
        started = [stack.enter_context(daphne("asgi:application", env, f"moderation-{n}", HUB_DAPHNE))
                   for n in range(args.servers)]
        urls = [f"ws://127.0.0.1:{port}/ws/" for port, _pid in started]
        for url in urls:
            require_loopback(url)
        for port, pid in started:
            say(f"Daphne pid {pid} on 127.0.0.1:{port}")
        driven = await drive(args, urls, setup, [pid for _port, pid in started])
    collected = setup_step(env, "collect")
    result = analyse(driven["run"], collected, args, driven["send_s"])
    result["db_commit_ms"] = setup["commit_ms"]
    result.update(server_cpu_pct=round(driven["server_cpu_pct"]), client_cpu_pct=round(driven["client_cpu_pct"]),
                  servers=args.servers, rate=args.rate, seconds=args.seconds, senders=args.senders, drain=args.drain,
                  database="PostgreSQL" if args.database_url else "SQLite")
    return result


def bounds_error(args) -> str | None:
    """Why a run's arguments are out of bounds (or would trip the chat rate limit), or None."""
    if not 1 <= args.servers <= 4:
        return "--servers: 1 to 4"
    if args.seconds > 90 or args.senders > 2000 or args.rate > 2000 or args.rate <= 0 or args.senders < 1:
        return "keep a run bounded: --seconds <= 90, 1 <= --senders <= 2000, 0 < --rate <= 2000"
    allowed = (args.rate_count or RATE_COUNT) / RATE_SECONDS
    if args.rate / args.senders > 0.9 * allowed:
        return (f"{args.rate / args.senders:.2f} msg/s per sender is too close to the chat rate limit "
                f"({allowed:.2f}/s): add --senders or --rate-count")
    return None


def complete(result: dict) -> bool:
    """None lost, every submitted message a pending item on the stream, no errors."""
    return (result["lost"] == 0 and result["queue_items_pending"] == result["submitted"]
            and result["queue_items_on_stream"] == result["submitted"] and not result["errors"])


# --- make bench (bench.suite --parts moderation) ------------------------------

#: Issue 12's targets: p99 submit -> console <= 100 ms at 200 items/s with one
#: app process on PostgreSQL, and 1,000 items/s across four.
SUITE_RUNS = ((1, 200.0, 50), (4, 1000.0, 250))  # (processes, items/s, senders)


def suite_namespace(args, servers: int, rate: float, senders: int) -> Namespace:
    """One of the suite's runs: 15 s at one process, 8 s at four (``--quick``:
    4 s and 3 s, a fifth of the senders' rate at four processes), 50 messages
    per 10 s allowed per sender, on the suite's database (the moderation
    target is judged on PostgreSQL: ``--database-url``) and Redis."""
    if args.quick and servers > 1:
        rate, senders = rate / 5, senders // 5
    seconds = (4.0 if servers == 1 else 3.0) if args.quick else (15.0 if servers == 1 else 8.0)
    return Namespace(rate=rate, seconds=seconds, senders=senders, servers=servers, drain=5.0, rate_count=50,
                     settings="settings.dev", pg_async_commit=False, target_ms=100.0,
                     database_url=args.database_url, redis_url=args.redis_url, py_spy=None, py_spy_out=None)


async def suite_part(args) -> dict:
    """Both runs, one after the other; a run that fails is reported, the other stands."""
    results = {}
    for servers, rate, senders in SUITE_RUNS:
        ns = suite_namespace(args, servers, rate, senders)
        error = bounds_error(ns)
        try:
            if error:
                raise ValueError(error)
            results[str(servers)] = await main_async(ns)
        except Exception as exc:  # noqa: BLE001 - reported in the table
            results[str(servers)] = {"error": f"{type(exc).__name__}: {exc}", "servers": servers, "rate": ns.rate}
            say(f"moderation, {servers} process(es): not measured: {results[str(servers)]['error']}")
    return results


def suite_rows(results: dict) -> list[str]:
    rows = []
    for key in sorted(results, key=int):
        r = results[key]
        where = f"moderation, {r['servers']} app process{'es' if r['servers'] > 1 else ''}, {r['rate']:g} items/s"
        if "error" in r:
            rows.append(f"| {where} | not measured: {r['error']} | | | | | | |")
            continue
        verdict = "met" if complete(r) and r["p99_ms"] <= 100 else (
            f"MISSED by {r['p99_ms'] - 100:.0f} ms" if complete(r) else "MISSED (incomplete)")
        rows.append(
            f"| {where} for {r['seconds']:g} s, {r['database']}: submit → console p50 / p99 / max ms "
            f"(target p99 ≤ 100{'' if r['database'] == 'PostgreSQL' else ', judged on PostgreSQL'}) | "
            f"{r['p50_ms']} / {r['p99_ms']} / {r['max_ms']}, {verdict}; p99 per 10 s {r['p99_by_10s_ms']} | "
            f"| | | | {r['server_cpu_pct']} (all processes) | {r['client_cpu_pct']} |")
        errors = f"; errors {r['errors']}" if r["errors"] else ""
        rows.append(
            f"| moderation, {r['servers']} process{'es' if r['servers'] > 1 else ''}: console saw / submitted "
            f"within {r['drain']:g} s of the last send; pending items on the stream; duplicates; through the console "
            f"| {r['console_seen']} / {r['submitted']}, {r['lost']} lost; {r['queue_items_on_stream']}; "
            f"{r['console_duplicates']}; "
            f"{r['console_rate']}/s{'' if complete(r) else ' — INCOMPLETE'}{errors} | | | | | | |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200.0, help="new items per second, all senders together")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--senders", type=int, default=500, help="citizen accounts, one socket each")
    parser.add_argument("--servers", type=int, default=1,
                        help="Daphne processes sharing the database and Redis (senders spread over them)")
    parser.add_argument("--drain", type=float, default=5.0, help="wait this long after sending for stragglers")
    parser.add_argument("--rate-count", type=int, help="raise CHAT_RATE_COUNT (per 10 s) for fewer senders")
    parser.add_argument("--settings", default="settings.dev",
                        help="diagnosis: bench.moderation_settings (persistent database connections)")
    parser.add_argument("--pg-async-commit", action="store_true",
                        help="diagnosis, with --settings bench.moderation_settings: synchronous_commit off")
    parser.add_argument("--target-ms", type=float, default=100.0, help="p99 bound of the verdict")
    parser.add_argument("--database-url", help="postgres://... (default: a fresh SQLite file under /tmp)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7", help="a Redis DB of its own (flushed)")
    parser.add_argument("--py-spy", help="path to a py-spy binary: profile Daphne while sending")
    parser.add_argument("--py-spy-out", default="/tmp/balai-bench-mod-profile.txt")
    parser.add_argument("--json", help="write every figure to this file")
    args = parser.parse_args()
    error = bounds_error(args)
    if error:
        parser.error(error)
    result = asyncio.run(main_async(args))
    facts = machine_facts(Namespace(redis_url=args.redis_url, database_url=args.database_url))
    if not args.database_url:
        facts["database"] = f"SQLite ({SQLITE_DIR})"
    print()
    print("machine:", ", ".join(f"{k} {v}" for k, v in facts.items()))
    print(f"settings {args.settings}{' + synchronous_commit off' if args.pg_async_commit else ''}; "
          f"{args.servers} Daphne process(es); "
          f"senders {args.senders} (CHAT_RATE_COUNT {args.rate_count or RATE_COUNT}/{RATE_SECONDS}s), "
          f"rate {args.rate:g}/s for {args.seconds:g}s")
    for key, value in result.items():
        print(f"  {key:24} {value}")
    met = complete(result) and result["p99_ms"] <= args.target_ms
    print(f"none lost, all pending and on the stream: {'yes' if complete(result) else 'NO'}; "
          f"p99 submit->console {result['p99_ms']} ms (target <= {args.target_ms:g} ms): "
          f"{'MET' if met else 'MISSED'}")
    say("done")
    save_json(args.json, facts, args, result)


if __name__ == "__main__":
    main()
