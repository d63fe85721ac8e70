"""A/B fan-out comparison for a shared, noisy machine: fixed rates, rounds
interleaved, CPU per delivery.

    .venv/bin/python -m bench.ab --variants hub-before=/path/to/old/checkout,hub,baseline,bare \\
        --sizes 100,1000 --rounds 2

A maximum-rate search measures how much CPU the machine's other tenants leave
the server as much as the server itself. This measures, at rates every
variant sustains, what each delivery *costs*: the server process's CPU
seconds (every thread: the event loop, the database thread) over the step,
divided by the deliveries — plus p50/p99 and loss. Variants run one after
the other within a round, and rounds repeat, so drift in the machine's load
lands on every variant alike. The hub's cost per delivery against the
baseline's and the bare server's, in the same round, is the figure to
compare across runs.

Variants: ``hub`` (this checkout under Daphne on uvloop, ``ops.daphne_uvloop``,
as ``make run`` serves it), ``hub-asyncio`` (the same on asyncio's loop), the
same under another ASGI server:
``hub-uvicorn`` (``websockets-sansio``), ``hub-uvicorn-websockets``,
``hub-uvicorn-wsproto``, ``hub-granian`` (``bench/servers.py``);
``NAME=PATH`` (the hub of another checkout, e.g. the code before a change,
under Daphne on uvloop — or under that server when NAME is one of the above; it needs
a ``.venv`` link like this one), ``baseline`` (the Channels tutorial),
``bare`` (``bench.bare``).

The ASGI-server comparison (docs/decisions.md), one command::

    .venv/bin/python -m bench.ab --sizes 100,1000 --rounds 2 \
        --variants hub,hub-uvicorn,hub-uvicorn-websockets,hub-uvicorn-wsproto,hub-granian,hub-asyncio
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
from contextlib import contextmanager
from pathlib import Path

from bench.loadgen import Room, Target, raise_fd_limit
from bench.run import PY, ROOT, baseline_env, flush, hub_env, say
from bench.servers import HUB_SERVERS, hub_process
from tests.live import free_port, stop_process, wait_for_port

#: Messages/s per room size: low enough that every variant delivers all.
#: The second step sends three times as many.
RATES = {10: 20.0, 100: 4.0, 1000: 0.6}


@contextmanager
def process(argv: list[str], env: dict | None, cwd: Path, name: str):
    port = free_port()
    log = open(ROOT / "var" / "bench" / f"ab-{name}.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([part.replace("PORT", str(port)) for part in argv], cwd=cwd, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, proc, timeout=60)
        yield port, proc.pid
    finally:
        stop_process(proc)
        log.close()


def daphne_argv(module: str, app: str) -> list[str]:
    return [PY, "-m", module, "-b", "127.0.0.1", "-p", "PORT", "--websocket-max-message-size", "65536",
            "--websocket-max-frame-size", "65536", app]


@contextmanager
def server(variant: str, args):
    name, _, path = variant.partition("=")
    if name == "bare":
        with process([PY, "-m", "bench.bare", "--port", "PORT"], None, ROOT, name) as (port, pid):
            yield Target(kind="bare", url=f"ws://127.0.0.1:{port}/", server_pid=pid)
        return
    if name == "baseline":
        with process(daphne_argv("daphne", "bench.baseline.asgi:application"), baseline_env(args), ROOT,
                     name) as (port, pid):
            yield Target(kind="baseline", url=f"ws://127.0.0.1:{port}/ws/chat/bench/", server_pid=pid)
        return
    root = Path(path) if path else ROOT
    env = hub_env(args)
    out = subprocess.run([PY, "-m", "bench.hub_setup"], cwd=root, env=env, check=True, capture_output=True,
                         text=True, timeout=300)
    setup = json.loads(out.stdout.strip().splitlines()[-1])
    with hub_process(name if name in HUB_SERVERS else "hub", env, f"ab-{name}", root) as (port, pid):
        yield Target(kind="hub", url=f"ws://127.0.0.1:{port}/ws/", topic=setup["topic"],
                     sender_cookie=setup["sessionid"], server_pid=pid)


async def measure(variant: str, size: int, args) -> dict:
    """Two fixed rates, ``rate`` and ``3 × rate``: the server's CPU per
    delivery at the higher one, and the *marginal* cost, (CPU/s at the high
    rate − CPU/s at the low one) / (deliveries/s high − low), which leaves
    out what the server spends whatever the rate (heartbeats, timers)."""
    flush(args.redis_url)
    with server(variant, args) as target:
        room = Room(target, size, 1)
        await room.open(batch=25)
        try:
            rate = args.rate or RATES.get(size, 8000.0 / size)
            await room.step(rate, 2.0, label="w")
            low = await room.step(rate, args.seconds, label="l")
            r = await room.step(3 * rate, args.seconds, label="m")
        finally:
            await room.close()
    elapsed = r.delivered / r.deliveries_per_s if r.deliveries_per_s else float("nan")
    cpu_s = r.server_cpu_pct / 100 * elapsed
    spread = r.deliveries_per_s - low.deliveries_per_s
    return {"variant": variant.partition("=")[0], "size": size, "rate": r.rate,
            "delivered": r.delivered + low.delivered, "expected": r.expected + low.expected,
            "p50_ms": r.p50_ms, "p99_ms": r.p99_ms, "server_cpu_pct": r.server_cpu_pct,
            "client_cpu_pct": r.client_cpu_pct,
            "cpu_us_per_delivery": 1e6 * cpu_s / r.delivered if r.delivered else float("nan"),
            "marginal_us": (1e4 * (r.server_cpu_pct - low.server_cpu_pct) / spread if spread > 0
                            else float("nan"))}


async def main_async(args) -> list[dict]:
    raise_fd_limit()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    rows = []
    for round_ in range(1, args.rounds + 1):
        for size in args.sizes:
            for variant in args.variants:
                row = await measure(variant, size, args)
                row["round"] = round_
                rows.append(row)
                say(f"round {round_} {row['variant']:>10} {size:>5}: {row['delivered']}/{row['expected']}, "
                    f"p50 {row['p50_ms']:.1f} p99 {row['p99_ms']:.1f} ms, server {row['server_cpu_pct']:.0f}% "
                    f"client {row['client_cpu_pct']:.0f}%, {row['cpu_us_per_delivery']:.1f} µs CPU/delivery, "
                    f"marginal {row['marginal_us']:.1f} µs")
    return rows


def summary(rows: list[dict], args) -> str:
    names = [v.partition("=")[0] for v in args.variants]
    first = names[0]
    lines = ["| room | variant | µs server CPU per delivery at 3× the rate (median; each round) "
             "| marginal µs per delivery (median; each round) | p50 / p99 ms (median) | lost | cost: baseline/this "
             f"| cost: bare/this | cost: {first}/this |", "|---:|---|---|---|---|---:|---:|---:|---:|"]
    for size in args.sizes:
        med = {}
        for name in names:
            mine = [r for r in rows if r["variant"] == name and r["size"] == size]
            med[name] = (statistics.median(r["cpu_us_per_delivery"] for r in mine), mine)
        for name in names:
            cost, mine = med[name]
            each = ", ".join(f"{r['cpu_us_per_delivery']:.1f}" for r in mine)
            marginal = statistics.median(r["marginal_us"] for r in mine)
            each_marginal = ", ".join(f"{r['marginal_us']:.1f}" for r in mine)
            p50 = statistics.median(r["p50_ms"] for r in mine)
            p99 = statistics.median(r["p99_ms"] for r in mine)
            lost = sum(r["expected"] - r["delivered"] for r in mine)
            rel = [f"{med[other][0] / cost:.2f}×" if other in med and cost else "-"
                   for other in ("baseline", "bare", first)]
            lines.append(f"| {size} | {name} | **{cost:.1f}** ({each}) | {marginal:.1f} ({each_marginal}) "
                         f"| {p50:.1f} / {p99:.1f} | {lost} "
                         f"| {rel[0]} | {rel[1]} | {rel[2]} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", default="hub,baseline,bare")
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rate", type=float, help="messages/s for every size (default: RATES)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--json", default=str(ROOT / "var" / "bench" / "ab.json"))
    args = parser.parse_args()
    args.variants = args.variants.split(",")
    args.sizes = [int(s) for s in args.sizes.split(",")]
    args.baseline_redis_url = args.redis_url
    args.database_url = None
    rows = asyncio.run(main_async(args))
    Path(args.json).write_text(json.dumps(rows, indent=2))
    print()
    print(summary(rows, args))


if __name__ == "__main__":
    main()
