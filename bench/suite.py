"""``make bench``: every scenario that exists, in one bounded run, one table.

    .venv/bin/python -m bench.suite            # full: about 15 minutes on 2 cores
    .venv/bin/python -m bench.suite --quick    # smoke run: small rooms, short steps, ~2 minutes

Scenarios:

- **fan-out** in rooms of 10, 100 and 1,000 members (``--quick``: 10 and
  100), each against the hub (``asgi:application`` under Daphne), the
  Channels-tutorial baseline (``bench.baseline`` under Daphne) and a bare
  ``websockets`` broadcast server (``bench.bare``), one server process each,
  started one after the other: the maximum sustained rate with zero loss
  and p99 ≤ ``--p99-bound`` (250 ms), found by doubling until a step fails
  and then bisecting (geometric midpoint) until the bracket is within 5 %;
  then every server at half the hub's maximum: p50, p99, p99.9 per
  recipient. Ratios hub/baseline and hub/bare. One sender (an official on
  the hub), ``bench.loadgen`` in this process; in rooms of
  ``SPREAD_MEMBERS`` or more, or when a search's load generator passed
  ``CLIENT_SATURATED`` % of a core (the search is then run again), the
  receivers are spread over ``--loadgen-procs`` processes (``bench.spread``;
  CPU summed over them, saturation judged on the busiest);
- **1 vs 2 processes** (``bench.processes``): the hub as ``make run
  WORKERS=1`` and ``WORKERS=2`` serve it (two Daphne processes behind nginx)
  in a room of 1,000 members (``--quick``: 100): max deliveries/s and
  p50/p99/p99.9 at half the one-process max;
- **live Q&A session** (``bench.qa``): 2,000 sockets on ``sesi.<id>``
  (``--quick``: 200), 20 votes/s and 2 questions/s for 60 s (``--quick``:
  10 s): vote -> ranking p50/p99/p99.9 on the audience's sockets, the
  console's delay, exact counts. The audience is spread over processes;
- **idle capacity** (``bench.idle``): KiB per socket and idle server CPU at
  5,000 and 20,000 joined sockets (``--quick``: 500), hub, baseline and bare;
- **reconnect storm** (``bench.storm``): 5,000 clients of one room
  (``--quick``: 300) dropped and back within 5 s, resuming by id, while an
  official sends 5 messages/s: time to catch up, handshake and join p99, gaps.
  Both spread their clients over processes and loopback addresses.
- **notifications** (``bench.announce``): an announcement to 10,000
  citizens, 200 online (``--quick``: 2,000, 50): the POST, all rows, the
  last push; exact rows, one frame per online socket;
- **moderation** (``bench.moderation``): 200 held items/s for 15 s with one
  app process, then 1,000/s for 8 s across four (``--quick``: 4 s, and
  200/s for 3 s across four): submit -> console p50/p99, none lost;
- **forum** (``bench.forum``, PostgreSQL only): 20,000 aspirations and
  100,000 replies (``--quick``: 3,000 and 10,000; kept for the next run):
  list, search and statistics p95s.
- **the ASGI server** (``--parts servers``, not in the default run; about
  two minutes): the same hub under ``--server-variants`` (default Daphne on
  uvloop and Uvicorn; ``bench/servers.py``) in rooms of 100 and 1,000,
  a shortened search each, then all at half the first one's maximum. CPU per
  delivery at fixed rates, the figure the choice rests on, is ``bench.ab``'s
  (docs/decisions.md).

The CPU of each server and of the load generator are printed side by side;
a load generator near 100 % of a core means that row measured the client,
and the table says so. Redis: ``--redis-url`` / ``BENCH_REDIS_URL`` (its DB
is flushed, never DB 0), else a private Redis on a free port (``ops.launch``'s
embedded one). The hub uses a fresh SQLite file under ``var/bench/``
(``--database-url`` / ``BENCH_DATABASE_URL`` for PostgreSQL: then every
part runs on it, the moderation target's and the forum's own setting).

Writes the table with the date, machine, versions, load average and the
command into docs/performance.md between the ``make-bench`` markers (not in
``--quick`` mode unless ``--write-docs``), and every figure to
``var/bench/suite.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shlex
import subprocess
import sys
import time
from argparse import Namespace
from contextlib import contextmanager
from datetime import UTC, datetime

from bench import announce, forum, idle, moderation, processes, qa, spread, storm
from bench.loadgen import StepResult, Target, max_sustained, raise_fd_limit
from bench.run import PY, ROOT, baseline_env, daphne, flush, hub_env, machine_facts, say, server_process
from bench.servers import HUB_SERVERS, hub_process
from tests.live import stop_process

DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- make-bench:start -->", "<!-- make-bench:end -->"
SERVERS = ("hub", "baseline", "bare")
#: Deliveries/s each server's search starts from (the rate is this over the
#: room size): about half what each sustained before, so that the doubling
#: phase is short and the budget goes to bisecting.
START_DELIVERIES = {"hub": 3000.0, "hub-asyncio": 3000.0, "baseline": 1500.0, "bare": 8000.0}
#: A load-generator process above this share of a core may have measured itself.
CLIENT_SATURATED = 85.0
#: Rooms this large are read by several load-generator processes from the start.
SPREAD_MEMBERS = 500


def busiest_client(r: StepResult) -> float:
    """The CPU % of the load generator's busiest process."""
    return r.extra.get("client_cpu_max_pct", r.client_cpu_pct)


def client_bound(good: StepResult | None, steps: list[StepResult], args) -> bool:
    """Whether the load generator passed ``CLIENT_SATURATED`` % of a core in
    a step that decided the search: the best passing one or the lowest failing one."""
    failed = [r for r in steps if not (r.ok and r.p99_ms <= args.p99_bound)]
    deciding = [r for r in (good, min(failed, key=lambda r: r.rate, default=None)) if r]
    return any(busiest_client(r) >= CLIENT_SATURATED for r in deciding)


#: Parts whose scenario module runs them and writes their rows
#: (``suite_part(args) -> dict``, ``suite_rows(result) -> list[str]``).
MODULE_PARTS = {"notify": announce, "moderation": moderation, "forum": forum}


def bare_server():
    return server_process(lambda port: [PY, "-m", "bench.bare", "--port", str(port)], None, "bare")


@contextmanager
def server(kind: str, args):
    """The server of ``kind``; yields a ``Target`` for a room of it."""
    if kind in HUB_SERVERS:  # the hub under Daphne, Uvicorn or Granian (bench/servers.py)
        env = hub_env(args)
        out = subprocess.run([PY, "-m", "bench.hub_setup"], cwd=ROOT, env=env, check=True, capture_output=True,
                             text=True, timeout=300)
        setup = json.loads(out.stdout.strip().splitlines()[-1])
        with hub_process(kind, env, kind) as (port, pid):
            yield Target(kind="hub", url=f"ws://127.0.0.1:{port}/ws/", topic=setup["topic"],
                         sender_cookie=setup["sessionid"], server_pid=pid)
    elif kind == "baseline":
        with daphne("bench.baseline.asgi:application", baseline_env(args), "baseline") as (port, pid):
            yield Target(kind="baseline", url=f"ws://127.0.0.1:{port}/ws/chat/bench/", server_pid=pid)
    else:
        with bare_server() as (port, pid):
            yield Target(kind="bare", url=f"ws://127.0.0.1:{port}/", server_pid=pid)


async def fan_out(args, results: dict) -> None:
    for kind in SERVERS + tuple(args.extra_servers):
        flush(args.redis_url)
        flush(args.baseline_redis_url)
        with server(kind, args) as target:
            say(f"{kind}: server pid {target.server_pid}")
            for size in args.sizes:
                spread_over = args.loadgen_procs if size >= SPREAD_MEMBERS else 1
                while True:  # at most twice: again over several processes if one saturated
                    room = spread.room(target, size, 1, spread_over)
                    t = time.monotonic()
                    await room.open()
                    say(f"{kind}: {size} sockets joined in {time.monotonic() - t:.1f}s "
                        f"({getattr(room, 'processes', 1)} load-generator processes); searching")
                    try:
                        good, steps = await max_sustained(
                            room, start=START_DELIVERIES.get(kind, 3000.0) / size, p99_bound_ms=args.p99_bound,
                            step_s=args.step_seconds, budget_s=args.search_budget, factor=2.0, precision=1.05,
                            log=say)
                        if spread_over == 1 < args.loadgen_procs and client_bound(good, steps, args):
                            say(f"{kind}: the load generator passed {CLIENT_SATURATED:g} % of a core; "
                                f"searching again over {args.loadgen_procs} processes")
                            spread_over = args.loadgen_procs
                            continue
                        await _after_search(kind, size, room, good, steps, args, results)
                    finally:
                        await room.close()
                    break
                await asyncio.sleep(0.5)


async def _after_search(kind: str, size: int, room, good, steps, args, results: dict) -> None:
    """Record a search, then the step at half the hub's max."""
    results[f"{kind}.{size}.max"] = good
    results[f"{kind}.{size}.steps"] = len(steps)
    results[f"{kind}.{size}.loadgen_processes"] = getattr(room, "processes", 1)
    hub_max = results.get(f"hub.{size}.max")
    if hub_max:
        await asyncio.sleep(1.0)
        half = await room.step(hub_max.rate / 2, args.half_seconds, label="h")
        results[f"{kind}.{size}.half"] = half
        say(f"{kind}: {size} members at {half.rate:.1f} msg/s: {half.delivered}/{half.expected}, "
            f"p50 {half.p50_ms:.1f} p99 {half.p99_ms:.1f} p99.9 {half.p999_ms:.1f} ms")


#: ``--parts servers``: room sizes, and the search kept short (two servers stay within about two
#: minutes, most of it joining 1,000 sockets): it starts near the hub's maximum and steps by 1.5×.
SERVER_SIZES = (100, 1000)
SERVER_START = 6000.0
SERVER_SEARCH = {"step_s": 1.0, "budget_s": 12.0, "factor": 1.5, "precision": 1.15}


async def servers(args, results: dict) -> None:
    """The same hub under each of ``--server-variants`` (bench/servers.py),
    one process each: the maximum sustained rate in rooms of 100 and 1,000
    (the fan-out search, shortened), then every variant at half the first
    variant's maximum."""
    reference = args.server_variants[0]
    for kind in args.server_variants:
        flush(args.redis_url)
        with server(kind, args) as target:
            for size in SERVER_SIZES:
                room = spread.room(target, size, 1, 1)
                await room.open()
                try:
                    good, _ = await max_sustained(room, start=SERVER_START / size, p99_bound_ms=args.p99_bound,
                                                  log=say, **SERVER_SEARCH)
                    results[f"servers.{kind}.{size}.max"] = good
                    ref = results.get(f"servers.{reference}.{size}.max")
                    if ref:
                        await asyncio.sleep(0.5)
                        results[f"servers.{kind}.{size}.half"] = await room.step(ref.rate / 2, 2.0, label="h")
                finally:
                    await room.close()


def servers_rows(results: dict, args) -> list[str]:
    if not any(k.startswith("servers.") for k in results):
        return []
    reference = args.server_variants[0]
    rows = ["", f"The hub under each ASGI server (`--parts servers`; 1 s steps, a short search: compare within "
            f"the run; reference {reference}):", "",
            "| room | server | max deliveries/s (0 loss, p99 ≤ bound) | vs reference | server CPU % at max "
            "| load generator CPU % | at half the reference's max: p50 / p99 ms, lost |",
            "|---:|---|---:|---:|---:|---:|---|"]
    for size in SERVER_SIZES:
        ref = results.get(f"servers.{reference}.{size}.max")
        for kind in args.server_variants:
            r = results.get(f"servers.{kind}.{size}.max")
            h = results.get(f"servers.{kind}.{size}.half")
            fan = r and r.rate * r.sockets
            half = f"{num(h.p50_ms, '.1f')} / {num(h.p99_ms, '.1f')}, {h.lost}" if h else "-"
            rows.append(f"| {size} | {kind} | {num(fan)} | {ratio(fan, ref and ref.rate * ref.sockets)} "
                        f"| {num(r and r.server_cpu_pct)} | {num(r and r.client_cpu_pct)} | {half} |")
    return rows


async def session(args, results: dict) -> None:
    ns = Namespace(sockets=args.qa_sockets, votes=20.0, questions=2.0, seconds=args.qa_seconds, drain=3.0,
                   voters=min(200, args.qa_sockets // 4), citizens=min(200, args.qa_sockets // 4), initial=20,
                   workers=args.qa_workers, hold=False, ranking_interval_ms=None,
                   database_url=args.database_url, redis_url=args.redis_url)
    try:
        results["qa"] = await qa.main_async(ns)
    except Exception as exc:  # noqa: BLE001 - reported in the table, the rest of the suite stands
        results["qa.error"] = f"{type(exc).__name__}: {exc}"
        say(f"qa: not measured: {results['qa.error']}")


async def module_part(name: str, args, results: dict) -> None:
    try:
        results[name] = await MODULE_PARTS[name].suite_part(args)
    except Exception as exc:  # noqa: BLE001 - reported in the table, the rest of the suite stands
        results[f"{name}.error"] = f"{type(exc).__name__}: {exc}"
        say(f"{name}: not measured: {results[f'{name}.error']}")


def module_rows(results: dict, args) -> list[str]:
    rows = []
    for name, module in MODULE_PARTS.items():
        if name in results:
            rows += module.suite_rows(results[name])
        elif f"{name}.error" in results:
            rows.append(f"| {name} | not measured: {results[f'{name}.error']} | | | | | | |")
    return rows


def num(value, spec: str = ".0f") -> str:
    if value is None or value != value:  # None or NaN
        return "-"
    return format(value, spec)


def ratio(a, b) -> str:
    return f"{a / b:.2f}×" if a and b else "-"


def fan_out_rows(results: dict, args) -> list[str]:
    rows = []
    for size in args.sizes:
        best = {kind: results.get(f"{kind}.{size}.max") for kind in SERVERS}
        fan = {kind: (r.rate * r.sockets if r else None) for kind, r in best.items()}
        cpu = " / ".join(num(r and r.server_cpu_pct) for r in best.values())
        client = [busiest_client(r) for r in best.values() if r]
        note = " (load generator saturated)" if any(c >= CLIENT_SATURATED for c in client) else ""
        spread_over = [results.get(f"{kind}.{size}.loadgen_processes", 1) for kind in SERVERS]
        if max(spread_over) > 1:
            note += f" (load generator processes {' / '.join(map(str, spread_over))}: CPU summed)"
        rows.append(f"| fan-out, {size} members: max deliveries/s (0 loss, p99 ≤ {args.p99_bound:g} ms) | "
                    f"{num(fan['hub'])} | {num(fan['baseline'])} | {num(fan['bare'])} | "
                    f"{ratio(fan['hub'], fan['baseline'])} | {ratio(fan['hub'], fan['bare'])} | {cpu} | "
                    f"{' / '.join(num(r and r.client_cpu_pct) for r in best.values())}{note} |")
        half = {kind: results.get(f"{kind}.{size}.half") for kind in SERVERS}
        if half["hub"]:
            cells = [f"{num(h.p50_ms, '.1f')} / {num(h.p99_ms, '.1f')} / {num(h.p999_ms, '.1f')}"
                     + ("" if h.lost == 0 else f" ({h.lost} lost)") if h else "-" for h in half.values()]
            hp, bp, xp = (h and h.p99_ms for h in half.values())
            rows.append(f"| {size} members at half the hub's max ({half['hub'].rate:.1f} msg/s): p50 / p99 / p99.9 ms "
                        f"| {cells[0]} | {cells[1]} | {cells[2]} | p99 {ratio(hp, bp)} | p99 {ratio(hp, xp)} | "
                        f"{' / '.join(num(h and h.server_cpu_pct) for h in half.values())} | "
                        f"{' / '.join(num(h and h.client_cpu_pct) for h in half.values())} |")
        for kind in args.extra_servers:
            r = results.get(f"{kind}.{size}.max")
            extra = r.rate * r.sockets if r else None
            h = results.get(f"{kind}.{size}.half")
            rows.append(f"| fan-out, {size} members, **{kind}**: max deliveries/s; at half the hub's max p50 / p99 "
                        f"ms | {num(extra)}; {num(h and h.p50_ms, '.1f')} / {num(h and h.p99_ms, '.1f')} | | | "
                        f"{ratio(extra, fan['baseline'])} | {ratio(extra, fan['bare'])} | "
                        f"{num(r and r.server_cpu_pct)} | {num(r and r.client_cpu_pct)} |")
    return rows


def session_rows(results: dict, args) -> list[str]:
    q = results.get("qa")
    if not q:
        error = results.get("qa.error")
        return [f"| live Q&A session | not measured: {error} | | | | | | |"] if error else []
    cpu = q["cpu_pct"]
    clients = [v for k, v in cpu.items() if k not in ("server", "approver")]
    title = (f"session, {q['sockets']} sockets on `sesi.<id>`, {q['vote_rate']:.1f} votes/s, "
             f"{args_questions(q)} questions, {q['seconds']:g} s")
    return [
        f"| {title}: vote → ranking on the audience p50 / p99 / p99.9 ms (target p99 ≤ 250) | "
        f"{qa.ms(q['p50_ms'])} / {qa.ms(q['p99_ms'])} / {qa.ms(q['p999_ms'])}, missed {q['missed']} of {q['pairs']} | "
        f"| | | | {num(cpu['server'])} | {' / '.join(num(c) for c in clients)} |",
        f"| session: console (the Bupati's socket) max delay, vote → ranking / approval → question (target ≤ 1000 ms) "
        f"| {qa.ms(q['console_vote_max_ms'])} / {qa.ms(q['console_question_max_ms'])} ms, final state "
        f"{'current' if q['console_current'] else 'STALE'} | | | | | | |",
        f"| session: votes accepted / sent; DB `Question.votes` = `qa.Vote` rows = accepted | "
        f"{q['votes_accepted']} / {q['votes_sent']} ({q['votes_unanswered']} without a reply in 120 s); "
        f"{'exact' if q['exact'] else 'NOT EXACT'}; "
        f"{q['stale_sockets']} stale sockets; {q['handshakes_retried']} handshakes retried | | | | | | |",
    ]


def args_questions(q: dict) -> str:
    return f"{q['asks_sent']} asked / {q['approved_during_run']} approved"


def render(results: dict, args, facts: dict) -> str:
    head = ("| scenario | hub | baseline (tutorial) | bare `websockets` | hub/baseline | hub/bare "
            "| server CPU % hub / baseline / bare | load generator CPU % |\n|---|---:|---:|---:|---:|---:|---:|---:|")
    rows = ((fan_out_rows(results, args) if "fanout" in args.parts else []) + processes.rows(results, args)
            + session_rows(results, args) + idle.rows(results, num) + storm.rows(results, num)
            + module_rows(results, args))
    main = [head, *rows] if rows else []
    return "\n".join([*main, *servers_rows(results, args)])


def write_docs(text: str) -> None:
    doc = DOC.read_text()
    block = f"{START}\n{text}\n{END}"
    if START in doc and END in doc:
        doc = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _m: block, doc, flags=re.S)
    else:
        doc = doc.rstrip("\n") + "\n\n## `make bench`: the latest run\n\n" + block + "\n"
    DOC.write_text(doc)


def git_commit() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    return out.stdout.strip() + (" (with uncommitted changes)" if dirty else "")


async def main_async(args) -> dict:
    raise_fd_limit()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    results: dict = {}
    if "fanout" in args.parts:
        await fan_out(args, results)
    if "processes" in args.parts:
        await processes.run(args, results)
    if "session" in args.parts:
        await session(args, results)
    if "idle" in args.parts:
        results["idle"] = await idle.measure(server, idle.options(args, args.quick))
    if "storm" in args.parts:
        results["storm"] = await storm.measure(server, storm.options(args, args.quick))
    for name in MODULE_PARTS:
        if name in args.parts:
            await module_part(name, args, results)
    if "servers" in args.parts:
        await servers(args, results)
    return results


def with_db(url: str, db: int) -> str:
    return re.sub(r"/\d+$", "", url) + f"/{db}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: small rooms, short steps")
    parser.add_argument("--parts", default="fanout,processes,session,idle,storm,notify,moderation,forum")
    parser.add_argument("--p99-bound", type=float, default=250.0)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL"),
                        help="a Redis DB of the bench's own (flushed); default: a private Redis")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="postgres://.../<name with 'bench'> for the hub and every part (notify and forum reset "
                             "its schema; moderation and forum are judged on PostgreSQL); default: SQLite files "
                             "under var/, and no forum part")
    parser.add_argument("--write-docs", action="store_true", help="also in --quick mode")
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--extra-servers", default="",
                        help="also run these hub variants, comma-separated: " + ", ".join(HUB_SERVERS[1:])
                        + " (bench/servers.py)")
    parser.add_argument("--server-variants", default="hub,hub-uvicorn",
                        help="--parts servers: the hub under these servers (the first is the reference; "
                        "add hub-granian etc., about a minute each)")
    parser.add_argument("--sizes", help="fan-out room sizes, comma-separated (default: 10,100,1000; quick: 10,100)")
    parser.add_argument("--loadgen-procs", type=int, default=1 + max(2, (os.cpu_count() or 2) - 1),
                        help="load-generator processes where it is spread (the senders' and the receivers')")
    parser.add_argument("--processes-size", type=int, help="members in the 1 vs 2 processes part (1000; quick: 100)")
    args = parser.parse_args()
    args.parts = set(args.parts.split(","))
    args.extra_servers = [kind for kind in args.extra_servers.split(",") if kind]
    args.server_variants = [kind for kind in args.server_variants.split(",") if kind]
    quick = args.quick
    quick_note = " Quick mode (smoke run): small rooms and 1 s steps, not comparable with a full run."
    sizes = args.sizes
    args.sizes = (10, 100) if quick else (10, 100, 1000)
    if sizes:
        args.sizes = tuple(int(size) for size in sizes.split(","))
    args.step_seconds = 1.0 if quick else 3.0
    args.search_budget = 14.0 if quick else 45.0
    args.half_seconds = 2.0 if quick else 5.0
    args.qa_sockets = 200 if quick else 2000
    args.qa_seconds = 10.0 if quick else 60.0
    args.qa_workers = 1 if quick else max(2, (os.cpu_count() or 2) - 1)
    args.processes_size = args.processes_size or (100 if quick else 1000)
    args.processes_step_seconds = 1.0 if quick else 2.0
    args.processes_budget = 10.0 if quick else 20.0
    args.processes_half_seconds = 2.0 if quick else 3.0
    procs: list = []
    if args.redis_url:
        args.baseline_redis_url = args.redis_url
    else:
        from ops.launch import start_embedded_redis

        (ROOT / "var").mkdir(exist_ok=True)
        start_embedded_redis("bench", persistent=False, procs=procs)
        args.redis_url = with_db(os.environ["REDIS_URL"], 1)
        args.baseline_redis_url = with_db(os.environ["REDIS_URL"], 2)
    command = "make bench" + (" QUICK=1" if quick else "") + f"  (python -m bench.suite {shlex.join(sys.argv[1:])})"
    load_before = os.getloadavg()
    started = time.monotonic()
    try:
        facts = machine_facts(args)
        results = asyncio.run(main_async(args))
    finally:
        for proc in procs:
            stop_process(proc)
    load_after = os.getloadavg()
    minutes = (time.monotonic() - started) / 60
    table = render(results, args, facts)
    versions = ", ".join(f"{k} {v}" for k, v in facts.items() if k not in ("cpu", "cores", "database"))
    header = (f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {git_commit()}, {minutes:.1f} min; "
              f"`{command}`.\n\nMachine: {facts['cpu']}, {facts['cores']} cores; {versions}; hub database "
              f"{facts['database']}. Load average (1/5/15 min) before {' '.join(f'{x:.1f}' for x in load_before)}, "
              f"after {' '.join(f'{x:.1f}' for x in load_after)}"
              f"{' — a shared machine: treat the figures as noisy' if load_before[0] > 1.5 else ''}."
              f"{quick_note if quick else ''}")
    print()
    print(header)
    print()
    print(table)
    if "qa" in results:
        print()
        for line in qa.verdict(results["qa"]):
            print(line)
    out = {k: (v.row() if isinstance(v, StepResult) else v) for k, v in results.items()}
    (ROOT / "var" / "bench" / "suite.json").write_text(json.dumps({"header": header, "results": out}, indent=2,
                                                                  default=str))
    if not args.no_docs and (not quick or args.write_docs):
        write_docs(f"{header}\n\n{table}")
        say(f"written into {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
