"""``make bench``'s part ``processes`` (issue 12 item 4): the hub in one
process vs two behind nginx, in the fan-out scenario.

The topology is ``make run WORKERS=N``'s: the app processes are started with
the launcher's own command line (``ops.launch.daphne_args``: Daphne on uvloop,
the production default) and, with two, nginx listens on one port in front of
them with the configuration ``ops/nginx.py`` writes for ``make run`` (upstream
``least_conn``, so the room's sockets spread over both processes; the count
per process is recorded). Both share one Redis and the bench's database; the
official's socket sits on one process, whose messages reach the other one's
sockets through Redis, as in production. Without the background worker
(``run_worker``), which the fan-out does not use.

Per topology: the room's sockets join (the load generator spread over
processes, ``bench.spread``), the maximum sustained rate is searched as in
the fan-out scenario (0 loss, p99 ≤ the bound), then both run at half the
one-process maximum: p50 / p99 / p99.9. The server's CPU is the sum of the
Daphne processes and nginx (each recorded); the load generator's the sum of
its processes. On a 2-core machine the load generator, nginx and both app
processes share the same two cores: the table prints everyone's CPU.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psutil

from bench import spread
from bench.loadgen import StepResult, Target, max_sustained
from bench.run import PY, ROOT, flush, hub_env, say, server_process
from ops import nginx
from ops.launch import daphne_args

#: Where the search starts, in deliveries/s (the rate is this over the room size).
START_DELIVERIES = 3000.0


@contextmanager
def hub(args, count: int):
    """``count`` hub processes (behind nginx when more than one); yields
    ``(Target, {name: listening port of each app process})``."""
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    env = hub_env(args)
    if count > 1:
        env["TRUSTED_PROXIES"] = "127.0.0.1"  # as ops.launch sets it behind nginx
    out = subprocess.run([PY, "-m", "bench.hub_setup"], cwd=ROOT, env=env, check=True, capture_output=True,
                         text=True, timeout=300)
    setup = json.loads(out.stdout.strip().splitlines()[-1])
    with ExitStack() as stack:
        apps = [stack.enter_context(server_process(lambda port: daphne_args("127.0.0.1", port), env,
                                                   f"daphne-processes-{count}-{n + 1}")) for n in range(count)]
        names = {f"Daphne {n + 1}" if count > 1 else "Daphne": app for n, app in enumerate(apps)}
        pids = {name: pid for name, (_port, pid) in names.items()}
        if count == 1:
            port = apps[0][0]
        else:
            binary = nginx.binary()
            if binary is None:
                raise RuntimeError("nginx is not installed (apt-get install nginx)")
            # A folder of its own (config, pid, logs), removed once nginx has stopped.
            prefix = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nginx-", dir=ROOT / "var" / "bench")))
            upstreams = [f"127.0.0.1:{app_port}" for app_port, _pid in apps]
            port, pids["nginx"] = stack.enter_context(server_process(
                lambda port: nginx.command(binary, prefix, nginx.write_config(prefix, f"127.0.0.1:{port}", upstreams)),
                None, "nginx"))
        target = Target(kind="hub", url=f"ws://127.0.0.1:{port}/ws/", topic=setup["topic"],
                        sender_cookie=setup["sessionid"], extra_pids=pids)
        yield target, {name: app_port for name, (app_port, _pid) in names.items()}


def sockets_per_process(target: Target, ports: dict[str, int]) -> dict[str, int]:
    """Established connections on each app process's listening port."""
    out = {}
    for name, port in ports.items():
        connections = psutil.Process(target.extra_pids[name]).net_connections(kind="tcp")
        out[name] = sum(1 for c in connections if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port)
    return out


async def run(args, results: dict) -> None:
    size, started = args.processes_size, time.monotonic()
    for count in (1, 2):
        flush(args.redis_url)
        with hub(args, count) as (target, ports):
            room = spread.room(target, size, 1, args.loadgen_procs)
            t = time.monotonic()
            await room.open()
            try:
                placed = sockets_per_process(target, ports)
                results[f"processes.{count}.{size}.sockets"] = placed
                say(f"processes: {count} hub process(es) {target.extra_pids}: {size} sockets joined in "
                    f"{time.monotonic() - t:.1f}s over {getattr(room, 'processes', 1)} load-generator processes; "
                    f"sockets per app process {placed}")
                good, steps = await max_sustained(
                    room, start=START_DELIVERIES / size, p99_bound_ms=args.p99_bound,
                    step_s=args.processes_step_seconds, budget_s=args.processes_budget, factor=2.0, precision=1.05,
                    log=say)
                results[f"processes.{count}.{size}.max"] = good
                results[f"processes.{count}.{size}.steps"] = len(steps)
                one = results.get(f"processes.1.{size}.max") or good
                if one:
                    await asyncio.sleep(1.0)
                    half = await room.step(one.rate / 2, args.processes_half_seconds, label="h")
                    results[f"processes.{count}.{size}.half"] = half
                    say(f"processes: {count}: at {half.rate:.1f} msg/s {half.delivered}/{half.expected}, p50 "
                        f"{half.p50_ms:.1f} p99 {half.p99_ms:.1f} p99.9 {half.p999_ms:.1f} ms; server CPU "
                        f"{cpu_cell(half)}; load generator CPU {client_cell(half)}")
            finally:
                await room.close()
        await asyncio.sleep(0.5)
    results["processes.seconds"] = time.monotonic() - started


def num(value, spec: str = ".0f") -> str:
    return "-" if value is None or value != value else format(value, spec)


def cpu_cell(r: StepResult | None) -> str:
    """The server's processes: the sum, and each (Daphne 1 + Daphne 2 + nginx)."""
    if r is None:
        return "-"
    each = r.extra.get("server_cpu_by_process")
    return num(r.server_cpu_pct) + (f" ({' + '.join(f'{k} {v:.0f}' for k, v in each.items())})" if each else "")


def client_cell(r: StepResult | None) -> str:
    """The load generator's processes: the sum, and the busiest one."""
    if r is None:
        return "-"
    n = r.extra.get("loadgen_processes", 1)
    return f"{num(r.client_cpu_pct)} ({n} processes, busiest {num(r.extra.get('client_cpu_max_pct'))})" \
        if n > 1 else num(r.client_cpu_pct)


def rows(results: dict, args) -> list[str]:
    """The part's rows in the suite's table (hub column: both topologies)."""
    size = args.processes_size
    best = {n: results.get(f"processes.{n}.{size}.max") for n in (1, 2)}
    if not any(best.values()) and f"processes.1.{size}.sockets" not in results:
        return []
    fan = {n: (r.rate * r.sockets if r else None) for n, r in best.items()}
    placed = results.get(f"processes.2.{size}.sockets") or {}
    gain = f" = **{fan[2] / fan[1]:.2f}×**" if fan[1] and fan[2] else ""
    title = f"fan-out, {size} members, hub (Daphne on uvloop) in 1 process vs 2 behind nginx"
    out = [f"| {title}: max deliveries/s (0 loss, p99 ≤ {args.p99_bound:g} ms) | 1 process {num(fan[1])}; "
           f"2 processes {num(fan[2])}{gain} (sockets per process: "
           f"{' / '.join(str(v) for v in placed.values()) or '-'}) | | | | | "
           f"1: {cpu_cell(best[1])}; 2: {cpu_cell(best[2])} | 1: {client_cell(best[1])}; 2: {client_cell(best[2])} |"]
    half = {n: results.get(f"processes.{n}.{size}.half") for n in (1, 2)}
    if half[1] or half[2]:
        rate = (half[1] or half[2]).rate

        def cell(h):
            if h is None:
                return "-"
            return (f"{num(h.p50_ms, '.1f')} / {num(h.p99_ms, '.1f')} / {num(h.p999_ms, '.1f')}"
                    + ("" if h.lost == 0 else f" ({h.lost} lost)"))

        out.append(f"| {size} members, 1 vs 2 hub processes at half the 1-process max ({rate:.1f} msg/s): "
                   f"p50 / p99 / p99.9 ms | 1 process {cell(half[1])}; 2 processes {cell(half[2])} | | | | | "
                   f"1: {cpu_cell(half[1])}; 2: {cpu_cell(half[2])} | "
                   f"1: {client_cell(half[1])}; 2: {client_cell(half[2])} |")
    return out
