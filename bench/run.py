"""Hub vs. tutorial baseline, in one bounded run.

    .venv/bin/python -m bench.run --sockets 100 --rate 50 --seconds 10

Starts Daphne for the hub (``settings.dev``, its own SQLite file under
``var/bench/`` or ``--database-url``, Redis DB 5), runs the parts, stops it;
then the same for the baseline (``bench.baseline``, Redis DB 6). Parts:

- ``scenario``: ``--sockets`` joined sockets, ``--senders`` of them sending
  ``--rate`` messages/s in total for ``--seconds``;
- ``search``: the max sustained rate (zero loss, p99 under ``--p99-bound``),
  then the hub's p99 at half its max (and the baseline at the same rate);
- ``idle``: server RSS per idle socket over ``--idle-sockets`` sockets
  (``bench.idle``'s measurement; ``make bench`` runs it at 5,000 and 20,000
  against the bare server too).

Only loopback addresses; every loop is bounded by counts and deadlines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

import redis

from bench import idle as idle_scenario
from bench.loadgen import Room, StepResult, Target, max_sustained, raise_fd_limit

# The same helpers the live-server tests use to start Daphne.
from tests.live import free_port, stop_process, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
T0 = time.monotonic()


def say(text: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f}s] {text}", flush=True)


@contextmanager
def server_process(argv, env: dict | None, name: str):
    """A server process on a free loopback port (``argv(port)`` is its
    command line), logging to ``var/bench/<name>.log``; yields ``(port, pid)``."""
    port = free_port()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    log = open(ROOT / "var" / "bench" / f"{name}.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(argv(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        wait_for_port(port, proc)
        yield port, proc.pid
    finally:
        stop_process(proc)
        log.close()


#: The hub's server as ``make run`` starts it (``ops/launch.py``): Daphne on uvloop.
HUB_DAPHNE = "ops.daphne_uvloop"


def daphne(app: str, env: dict, name: str, module: str = "daphne"):
    """One Daphne process on a free loopback port; yields ``(port, pid)``.
    ``module``: ``HUB_DAPHNE`` for the hub as production runs it; plain
    ``daphne`` (asyncio's loop) for the tutorial baseline."""
    return server_process(lambda port: [
        PY, "-m", module, "-b", "127.0.0.1", "-p", str(port), "--websocket-max-message-size", "65536",
        "--websocket-max-frame-size", "65536", app], env, f"daphne-{name}")


#: With DEBUG off the pages name the hashed static files ``collectstatic``
#: wrote, as in production: the benches that render pages collect them here.
STATIC_ROOT = ROOT / "var" / "bench" / "static"


def collect_static(env: dict) -> None:
    """``collectstatic`` into ``env["STATIC_ROOT"]`` (a few seconds; only changed files are copied)."""
    subprocess.run([PY, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)


def cpu_seconds(proc) -> float:
    """User + system CPU seconds of a ``psutil.Process`` so far."""
    times = proc.cpu_times()
    return times.user + times.system


def save_json(path: str | None, facts: dict, args, result: dict) -> None:
    """Write a run's machine facts, arguments and figures (``--json``)."""
    if path:
        Path(path).write_text(json.dumps({"facts": facts, "args": vars(args), "result": result}, indent=2))


#: Redis Pub/Sub channels ignore the database number: a prefix of this run's
#: own keeps another bench on the same Redis (whose ``bench.hub_setup`` resets
#: the bench official's password, which closes that user's sockets) from
#: reaching this run's hub.
BENCH_PREFIX = f"bench{os.getpid()}"


def hub_env(args) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="settings.dev", DEBUG="false", REDIS_URL=args.redis_url,
               LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1", CHANNEL_PREFIX=BENCH_PREFIX,
               # The load generator is one address opening every guest socket, and
               # its one sender writes far faster than a person: the abuse limits
               # (docs/security.md) are lifted so that the bench measures fan-out.
               HUB_MAX_GUEST_SOCKETS_PER_ADDRESS="1000000", HUB_FRAME_RATE_COUNT="1000000")
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        # The app's own SQLite default (timeout, IMMEDIATE transactions) in a
        # file of the bench's own.
        env.pop("DATABASE_URL", None)
        env["BALAI_VAR_DIR"] = str(ROOT / "var" / "bench")
    return env


def baseline_env(args) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.baseline.settings",
               BASELINE_REDIS_URL=args.baseline_redis_url, PYTHONUNBUFFERED="1")
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    return env


def flush(url: str) -> None:
    """Empty the bench's own Redis database (never DB 0, which others use)."""
    client = redis.Redis.from_url(url)
    if client.connection_pool.connection_kwargs.get("db", 0) == 0:
        raise SystemExit(f"refusing to flush Redis DB 0 ({url}); give the bench a DB of its own")
    client.flushdb()
    client.close()


async def run_server(target: Target, args, results: dict, half_rate: float | None) -> None:
    kind = target.kind
    if "scenario" in args.parts or "search" in args.parts:
        room = Room(target, args.sockets, args.senders)
        t = time.monotonic()
        await room.open()
        say(f"{kind}: {args.sockets} sockets joined in {time.monotonic() - t:.1f}s")
        try:
            if "scenario" in args.parts:
                result = await room.step(args.rate, args.seconds, drain_s=args.drain, label="f")
                results[f"{kind}.scenario"] = result
                say(f"{kind}: scenario {fmt(result)}")
            if "search" in args.parts:
                await asyncio.sleep(1.0)
                good, steps = await max_sustained(
                    room, start=args.search_start, p99_bound_ms=args.p99_bound, step_s=args.step_seconds,
                    budget_s=args.search_budget, log=lambda line: say(line))
                results[f"{kind}.max"] = good
                results[f"{kind}.steps"] = steps
                rate = half_rate if half_rate is not None else (good.rate / 2 if good else None)
                if rate:
                    await asyncio.sleep(2.0)
                    half = await room.step(rate, args.seconds, drain_s=args.drain, label="h")
                    results[f"{kind}.half"] = half
                    say(f"{kind}: at {rate:.1f} msg/s (half the hub's max) {fmt(half)}")
        finally:
            await room.close()
    if "idle" in args.parts:
        await asyncio.sleep(1.0)
        # bench.idle's measurement (spread over processes and addresses), one size.
        options = idle_scenario.options(args, quick=False, sizes=str(args.idle_sockets), connect_s="120")
        idle = await idle_scenario.measure_server(target, options.sizes, options)
        results[f"{kind}.idle"] = idle["sizes"][str(args.idle_sockets)]


def fmt(r: StepResult) -> str:
    return (f"{r.delivered}/{r.expected} delivered, {r.deliveries_per_s:.0f}/s, p50 {r.p50_ms:.1f} "
            f"p95 {r.p95_ms:.1f} p99 {r.p99_ms:.1f} ms, server cpu {r.server_cpu_pct:.0f}%, "
            f"client cpu {r.client_cpu_pct:.0f}%, errors {r.send_errors}")


def machine_facts(args) -> dict:
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    redis_version = redis.Redis.from_url(args.redis_url).info("server")["redis_version"]
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "kernel": platform.release(), "redis": redis_version,
            "database": args.database_url.split("@")[-1] if args.database_url else "SQLite (var/bench/)",
            **{name: version(name) for name in ("django", "channels", "channels-redis", "daphne", "websockets",
                                                "uvicorn", "granian")}}


def table(results: dict, args) -> str:
    rows = []

    def add(label, hub, base, unit, fmt_="{:.1f}"):
        h = fmt_.format(hub) if hub is not None else "-"
        b = fmt_.format(base) if base is not None else "-"
        ratio = f"{hub / base:.2f}" if hub and base else "-"
        rows.append(f"| {label} | {h} | {b} | {ratio} | {unit} |")

    get = results.get
    for part, title in (("scenario", f"scenario {args.sockets} sockets, {args.rate:g} msg/s, {args.seconds:g} s"),
                        ("half", "at half the hub's max rate")):
        h, b = get(f"hub.{part}"), get(f"baseline.{part}")
        if not (h or b):
            continue
        rows.append(f"| **{title}** | | | | |")
        add("delivered / expected", h and h.delivered / max(1, h.expected), b and b.delivered / max(1, b.expected),
            "fraction", "{:.4f}")
        add("deliveries per second", h and h.deliveries_per_s, b and b.deliveries_per_s, "1/s", "{:.0f}")
        for q in ("p50", "p95", "p99"):
            add(f"{q} latency", h and getattr(h, f"{q}_ms"), b and getattr(b, f"{q}_ms"), "ms")
        add("server CPU", h and h.server_cpu_pct, b and b.server_cpu_pct, "% of a core", "{:.0f}")
    h, b = get("hub.max"), get("baseline.max")
    if "search" in args.parts:
        rows.append(f"| **max sustained (0 loss, p99 <= {args.p99_bound:g} ms), {args.sockets} sockets** | | | | |")
        add("send rate", h and h.rate, b and b.rate, "msg/s")
        # rate x members: a short step's own deliveries/s over-reads one burst.
        add("fan-out (rate x members)", h and h.rate * h.sockets, b and b.rate * b.sockets, "deliveries/s", "{:.0f}")
        add("p99 at that rate", h and h.p99_ms, b and b.p99_ms, "ms")
    hi, bi = get("hub.idle"), get("baseline.idle")
    if hi or bi:
        rows.append(f"| **{args.idle_sockets} idle sockets** | | | | |")
        add("RSS per idle socket", hi and hi["per_socket_kib"], bi and bi["per_socket_kib"], "KiB")
    head = "| | hub | baseline | hub/baseline | unit |\n|---|---:|---:|---:|---|"
    return head + "\n" + "\n".join(rows)


def verdicts(results: dict, args) -> list[str]:
    out = []
    h, b = results.get("hub.max"), results.get("baseline.max")
    if h and b:
        ratio = (h.rate * h.sockets) / (b.rate * b.sockets)
        out.append(f"fan-out hub/baseline = {ratio:.2f}x (target >= 4x): {'MET' if ratio >= 4 else 'MISSED'}")
    half = results.get("hub.half")
    if half:
        met = half.p99_ms <= 100 and half.lost == 0
        out.append(f"hub p99 at half its max ({half.rate:.1f} msg/s, {half.sockets} sockets) = {half.p99_ms:.1f} ms, "
                   f"lost {half.lost} (target <= 100 ms): {'MET' if met else 'MISSED'}")
    idle = results.get("hub.idle")
    if idle:
        kib = idle["per_socket_kib"]
        out.append(f"hub idle socket = {kib:.1f} KiB (target <= 40 KiB): {'MET' if kib <= 40 else 'MISSED'}")
    return out


async def main_async(args) -> dict:
    raise_fd_limit()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    flush(args.redis_url)
    flush(args.baseline_redis_url)
    results: dict = {"facts": machine_facts(args), "args": vars(args)}
    if "hub" in args.servers:
        env = hub_env(args)
        say("hub: migrate, bench room, official sender session")
        out = subprocess.run([PY, "-m", "bench.hub_setup"], cwd=ROOT, env=env, check=True, capture_output=True,
                             text=True, timeout=120)
        setup = json.loads(out.stdout.strip().splitlines()[-1])
        with daphne("asgi:application", env, "hub", HUB_DAPHNE) as (port, pid):
            say(f"hub: Daphne pid {pid} on 127.0.0.1:{port}")
            target = Target(kind="hub", url=f"ws://127.0.0.1:{port}/ws/", topic=setup["topic"],
                            sender_cookie=setup["sessionid"], server_pid=pid)
            await run_server(target, args, results, None)
    if "baseline" in args.servers:
        hub_max = results.get("hub.max")
        with daphne("bench.baseline.asgi:application", baseline_env(args), "baseline") as (port, pid):
            say(f"baseline: Daphne pid {pid} on 127.0.0.1:{port}")
            target = Target(kind="baseline", url=f"ws://127.0.0.1:{port}/ws/chat/bench/", server_pid=pid)
            await run_server(target, args, results, hub_max.rate / 2 if hub_max else None)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=100)
    parser.add_argument("--senders", type=int, default=1)
    parser.add_argument("--rate", type=float, default=4.0, help="scenario: messages/s, all senders together")
    parser.add_argument("--seconds", type=float, default=10.0, help="scenario and half-max step length")
    parser.add_argument("--drain", type=float, default=3.0, help="wait this long after sending for stragglers")
    parser.add_argument("--parts", default="scenario,search,idle")
    parser.add_argument("--servers", default="hub,baseline")
    parser.add_argument("--p99-bound", type=float, default=250.0, help="search: a step fails above this p99 (ms)")
    parser.add_argument("--step-seconds", type=float, default=3.0)
    parser.add_argument("--search-start", type=float, default=1.0)
    parser.add_argument("--search-budget", type=float, default=45.0, help="seconds per server")
    parser.add_argument("--idle-sockets", type=int, default=300)
    parser.add_argument("--database-url", help="postgres://... for the hub (default: SQLite under var/bench/)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--baseline-redis-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--json", help="write every figure to this file")
    args = parser.parse_args()
    args.parts = set(args.parts.split(","))
    args.servers = set(args.servers.split(","))
    if args.seconds > 60 or args.sockets > 5000 or args.idle_sockets > 5000 or args.search_budget > 90:
        parser.error("keep a run bounded: --seconds <= 60, sockets <= 5000, --search-budget <= 90")
    results = asyncio.run(main_async(args))
    print()
    print("machine:", ", ".join(f"{k} {v}" for k, v in results["facts"].items()))
    print(f"senders: {args.senders}; hub database: {results['facts']['database']}")
    print(table(results, args))
    print()
    for line in verdicts(results, args):
        print(line)
    say("done")
    if args.json:
        def plain(value):
            if isinstance(value, StepResult):
                return value.row()
            if isinstance(value, set):
                return sorted(value)
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value
        Path(args.json).write_text(json.dumps({k: plain(v) for k, v in results.items()}, indent=2, default=str))


if __name__ == "__main__":
    main()
