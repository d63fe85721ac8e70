"""Reconnect storm: thousands of clients of one room dropped at once, back within seconds.

    .venv/bin/python -m bench.storm --clients 5000 --jitter 5

One Daphne serves the hub (``bench.hub_setup``'s room ``bench``, an official
sender). Then:

- **history**: the official posts ``--history`` messages, so the room has a
  real backlog in the database;
- **join**: ``--clients`` guest sockets join the room, spread over
  ``--workers`` load-generator processes, each from a loopback address of its
  own (127.0.0.2, .3, …); each joins with ``since`` = the last id of the
  history (as a page rendered with it would) — within ``--join-s``: a server
  that joins too slowly meets the storm with the clients it joined, and the
  figures say how many and at what rate;
- **live**: the official sends ``--rate`` (5) messages/s from now to the end,
  each body carrying its number and send time;
- **storm**: after ``--steady`` s every client drops its socket at the same
  instant without a closing handshake (even clients with a TCP reset, odd ones
  with a plain FIN), waits a uniform random 0–``--jitter`` s, reconnects
  (handshake timed; a refused one retried with back-off) and joins with
  ``since`` = the last id it received (join → ``joined`` timed). It has
  *caught up* once it holds every id up to the ``joined`` frame's
  ``last_id``. The storm ends when every client has caught up, or at
  ``--storm-s``;
- **after**: the official stops; every client is given ``--drain`` s to hold
  the official's last published id; then per client, over the ids after the
  one it joined with: **gaps** (an id more than one past the last one it
  held; must be 0), **duplicates** (an id it already held) and **lost** (ids
  up to the last one published it never received).

Reported: time from the drop until all have rejoined and caught up (target:
5,000 within 15 s), handshake and join-reply p99, gaps, duplicates, lost, and
the official's messages sent during the storm, how many were acknowledged
(published) during it and their delivery latency (send → receipt on the
clients; a client that was away receives them in its replay). CPU of the
server and of the load generator side by side. Loopback only; every loop is
bounded by counts and deadlines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import time
import uuid

import psutil
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from bench.fleet import Fleet, bounded, drop, handshake, scenario_main
from bench.loadgen import _FROM_LETTERS, _TO_LETTERS, MARK, percentile
from bench.qa import HIST_MAX_MS, compress, hist_percentile, ms, spread

#: Handshakes in flight per worker process while joining.
IN_FLIGHT = 32


def say(text: str) -> None:
    from bench.run import say as run_say

    run_say(text)


def sent_at(body: str) -> float | None:
    """The send time in a body ``~b~<tag>~<n>~<time>~`` (digits as letters)."""
    i = body.find(MARK)
    if i < 0:
        return None
    parts = body[i + len(MARK):].split("~")
    return float(parts[2].translate(_FROM_LETTERS)) if len(parts) > 2 else None


# --- the worker: its share of the clients --------------------------------------------------
class Client:
    """One room member: the ids it holds (contiguous unless a gap is counted)."""

    __slots__ = ("index", "ws", "reader", "base", "last", "distinct", "dups", "gaps", "gap_ids", "waiting", "back",
                 "target", "caught_up_at", "dropping", "server_closes")

    def __init__(self, index: int, since: int | None) -> None:
        self.index = index
        self.ws = None
        self.reader: asyncio.Task | None = None
        self.base = since  # ids up to this one came with the page
        self.last = since
        self.distinct = self.dups = self.gaps = self.gap_ids = self.server_closes = 0
        self.waiting: asyncio.Future | None = None
        self.target: int | None = None
        self.caught_up_at: float | None = None
        self.dropping = False
        self.back = True  # joined (again) after the last drop


class Clients:
    def __init__(self, local_host: str) -> None:
        self.local_host = local_host
        self.clients: list[Client] = []
        self.hist = [0] * (HIST_MAX_MS + 1)
        self.storm_at = math.inf
        self.retries = 0
        self.failures: dict[str, int] = {}

    def fail(self, what: str) -> None:
        self.failures[what] = self.failures.get(what, 0) + 1

    # -- frames --
    def on_message(self, c: Client, message: dict, now: float) -> None:
        m = message["id"]
        if c.last is None:
            c.base = m - 1
        elif m <= c.last:
            c.dups += 1
            return
        elif m > c.last + 1:
            c.gaps += 1
            c.gap_ids += m - c.last - 1
        c.last = m
        c.distinct += 1
        sent = sent_at(message.get("body", ""))
        if sent is not None and sent >= self.storm_at:
            self.hist[min(HIST_MAX_MS, max(0, int((now - sent) * 1000)))] += 1
        if c.target is not None and c.caught_up_at is None and m >= c.target:
            c.caught_up_at = now

    async def read(self, c: Client, ws) -> None:
        try:
            async for raw in ws:
                if '"type":"message"' in raw:
                    self.on_message(c, json.loads(raw)["message"], time.time())
                elif '"type":"joined"' in raw or '"type":"error"' in raw:
                    if c.waiting is not None and not c.waiting.done():
                        c.waiting.set_result(json.loads(raw))
        except ConnectionClosed:
            if not c.dropping:
                c.server_closes += 1

    async def connect_and_join(self, c: Client, url: str, topic: str, deadline: float) -> tuple[float, float]:
        """A socket for ``c``, joined with ``since`` = what it holds; returns
        (handshake seconds, join-reply seconds)."""
        ws, handshake_s, retries = await handshake(url, self.local_host, deadline=deadline)
        self.retries += retries
        c.ws, c.dropping = ws, False
        c.waiting = asyncio.get_running_loop().create_future()
        c.reader = asyncio.create_task(self.read(c, ws))
        t = time.monotonic()
        await ws.send(json.dumps({"type": "join", "topic": topic, "since": c.last, "ref": "j"}))
        reply = await asyncio.wait_for(c.waiting, max(0.1, deadline - time.monotonic()))
        if reply["type"] != "joined":
            raise RuntimeError(f"join refused: {reply.get('code')}")
        return handshake_s, time.monotonic() - t

    # -- commands --
    async def join(self, command: dict) -> dict:
        t0 = time.monotonic()
        deadline = t0 + command["deadline_s"]

        async def one(i: int) -> None:
            c = Client(i, command["since"])
            try:
                await self.connect_and_join(c, command["url"], command["topic"], deadline)
                self.clients.append(c)
            except (OSError, InvalidHandshake, TimeoutError, RuntimeError, ConnectionClosed) as exc:
                self.fail(f"join: {type(exc).__name__}")
                if c.ws is not None:
                    c.dropping = True
                    drop(c.ws, reset=False)

        await bounded(command["n"], one, deadline, IN_FLIGHT)
        return {"joined": len(self.clients), "seconds": time.monotonic() - t0, "failures": self.failures}

    async def storm(self, command: dict) -> dict:
        at, jitter = command["at"], command["jitter"]
        self.storm_at = at
        deadline = time.monotonic() + (at - time.time()) + command["deadline_s"]
        rng = random.Random(command.get("seed", 0) * 1000 + len(self.clients))
        handshakes: list[float] = []
        join_replies: list[float] = []

        async def one(c: Client, delay: float) -> None:
            c.dropping, c.back = True, False
            drop(c.ws, reset=c.index % 2 == 0)
            try:
                await asyncio.wait_for(c.reader, 2)
            except TimeoutError:
                c.reader.cancel()
            await asyncio.sleep(delay)
            c.target = c.caught_up_at = None
            try:
                handshake_s, join_s = await self.connect_and_join(c, command["url"], command["topic"], deadline)
            except (OSError, InvalidHandshake, TimeoutError, RuntimeError, ConnectionClosed) as exc:
                self.fail(f"rejoin: {type(exc).__name__}")
                return
            handshakes.append(handshake_s)
            join_replies.append(join_s)
            c.back = True
            joined = c.waiting.result()
            c.target = joined.get("last_id")
            if c.caught_up_at is None and (c.target is None or (c.last is not None and c.last >= c.target)):
                c.caught_up_at = time.time()

        await asyncio.sleep(max(0.0, at - time.time()))
        tasks = [asyncio.create_task(one(c, rng.uniform(0, jitter))) for c in self.clients]
        await asyncio.wait(tasks, timeout=max(0.1, deadline - time.monotonic()))
        while time.monotonic() < deadline and any(c.caught_up_at is None for c in self.clients):
            await asyncio.sleep(0.05)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        caught = [c.caught_up_at - at for c in self.clients if c.caught_up_at is not None]
        return {"clients": len(self.clients), "rejoined": len(join_replies), "caught_up": len(caught),
                "caught_up_s": caught, "handshake_s": handshakes, "join_reply_s": join_replies,
                "retries": self.retries, "failures": self.failures,
                "server_closes": sum(c.server_closes for c in self.clients)}

    async def finish(self, command: dict) -> dict:
        final = command["final"]
        deadline = time.monotonic() + command["drain_s"]
        # Clients that did not get back before the storm was called off are
        # counted apart (``not_back``): they are offline, not losing messages.
        back = [c for c in self.clients if c.back]
        while time.monotonic() < deadline and any(c.last < final for c in back):
            await asyncio.sleep(0.05)
        behind = [c for c in back if c.last < final]
        out = {
            "clients": len(self.clients), "not_back": len(self.clients) - len(back),
            "gaps": sum(c.gaps for c in self.clients),
            "gap_ids": sum(c.gap_ids for c in self.clients), "duplicates": sum(c.dups for c in self.clients),
            # Never received by a client that is back: the ids skipped by gaps
            # and those after the last one it holds.
            "lost": sum(c.gap_ids for c in back) + sum(final - c.last for c in behind),
            "behind": len(behind), "received": sum(c.distinct for c in self.clients),
            "server_closes": sum(c.server_closes for c in self.clients), "hist": compress(self.hist),
        }
        for c in self.clients:
            c.dropping = True
            drop(c.ws, reset=False)
        return out


def commands(local_host: str) -> dict:
    """A worker's commands (``bench.fleet.worker_main``)."""
    clients = Clients(local_host)

    async def cpu(_command: dict) -> dict:
        return {}

    return {"join": clients.join, "storm": clients.storm, "finish": clients.finish, "cpu": cpu}


# --- the official: a signed-in sender -------------------------------------------------------------
class Official:
    """The official's socket: sends on a schedule, matches acks by ``ref``."""

    def __init__(self, url: str, topic: str, cookie: str) -> None:
        self.url, self.topic, self.cookie = url, topic, cookie
        self.ws = None
        self.reader: asyncio.Task | None = None
        self.sent: dict[str, float] = {}  # ref -> send time
        self.acks: dict[str, tuple[float, str, int | None]] = {}  # ref -> (ack time, status, id)
        self.waiting: dict[str, asyncio.Future] = {}
        self.tag = f"s{os.getpid()}".translate(_TO_LETTERS)

    async def open(self) -> None:
        self.ws, _s, _r = await handshake(self.url, None, cookie=self.cookie, deadline=time.monotonic() + 30)
        self.reader = asyncio.create_task(self._read())
        await self.request({"type": "join", "topic": self.topic, "since": None, "ref": "oj"})

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                if '"ref":' not in raw:
                    continue
                frame = json.loads(raw)
                ref = frame.get("ref")
                if frame.get("type") in ("ack", "error") and ref in self.sent:
                    self.acks[ref] = (time.time(), frame.get("status") or frame.get("code"), frame.get("id"))
                future = self.waiting.pop(ref, None)
                if future is not None and not future.done():
                    future.set_result(frame)
        except ConnectionClosed:
            return

    async def request(self, frame: dict, timeout: float = 30.0) -> dict:
        future = asyncio.get_running_loop().create_future()
        self.waiting[frame["ref"]] = future
        await self.ws.send(json.dumps(frame))
        return await asyncio.wait_for(future, timeout)

    async def send(self, ref: str, body: str, wait: bool) -> dict | None:
        """One message; ``ref`` ``h<n>`` for history, ``o<n>`` for a live one."""
        self.sent[ref] = time.time()
        frame = {"type": "send", "topic": self.topic, "client_id": str(uuid.uuid4()), "body": body, "ref": ref}
        if wait:
            return await self.request(frame)
        await self.ws.send(json.dumps(frame))
        return None

    async def history(self, count: int) -> int:
        """Post ``count`` messages (20 in flight); the last published id."""
        last = 0
        for start in range(0, count, 20):
            replies = await asyncio.gather(*(
                self.send(f"h{n}", f"Riwayat ruang uji, pesan ke-{n}".translate(_TO_LETTERS), wait=True)
                for n in range(start, min(count, start + 20))))
            for reply in replies:
                if reply.get("status") != "published":
                    raise RuntimeError(f"history message not published: {reply}")
                last = max(last, reply["id"])
        return last

    async def live(self, rate: float, stop: asyncio.Event, max_s: float) -> int:
        """Send ``rate`` messages/s until ``stop`` is set (at most ``max_s``); the count sent."""
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        n = 0
        while not stop.is_set() and loop.time() - t0 < max_s:
            delay = t0 + n / rate - loop.time()
            if delay > 0:
                try:
                    await asyncio.wait_for(stop.wait(), delay)
                    break
                except TimeoutError:
                    pass
            await self.send(f"o{n}", f"{MARK}{self.tag}~{n}~{time.time():.6f}~".translate(_TO_LETTERS), wait=False)
            n += 1
        return n

    def published(self) -> list[tuple[str, float, float, int]]:
        """(ref, sent, acked, id) of every live message published."""
        return [(ref, self.sent[ref], at, mid) for ref, (at, status, mid) in self.acks.items()
                if status == "published" and ref.startswith("o")]

    def live_sent(self) -> dict[str, float]:
        return {ref: at for ref, at in self.sent.items() if ref.startswith("o")}

    def live_unacked(self) -> int:
        return sum(1 for ref in self.live_sent() if ref not in self.acks)

    async def close(self) -> None:
        if self.reader:
            self.reader.cancel()
        if self.ws is not None:
            await self.ws.close()


# --- the coordinator ---------------------------------------------------------------------------
async def run_storm(target, args) -> dict:
    server = psutil.Process(target.server_pid)
    official = Official(target.url, target.topic, target.sender_cookie)
    await official.open()
    seed_last = await official.history(args.history)
    say(f"storm: {args.history} messages of history (last id {seed_last})")
    out: dict = {"clients_wanted": args.clients, "history": args.history, "rate": args.rate,
                 "jitter_s": args.jitter, "workers": args.workers}
    stop = asyncio.Event()
    async with Fleet("bench.storm", args.workers) as fleet:
        t = time.monotonic()
        common = {"url": target.url, "topic": target.topic}
        replies = await fleet.ask([dict(common, cmd="join", n=n, since=seed_last, deadline_s=args.join_s)
                                   for n in spread(args.clients, args.workers)], args.join_s + 60)
        join_s = time.monotonic() - t
        clients = sum(r["joined"] for r in replies)
        out.update(clients=clients, join_s=join_s, join_rate=clients / max(1e-6, join_s),
                   join_failures=merge(r["failures"] for r in replies))
        say(f"storm: {clients} of {args.clients} clients joined in {join_s:.1f}s ({out['join_rate']:.0f}/s, "
            f"{args.workers} processes)")
        sender = asyncio.create_task(official.live(args.rate, stop, args.steady + args.storm_s + 30))
        await asyncio.sleep(args.steady)
        at = time.time() + 0.3
        await fleet.ask({"cmd": "cpu"}, 30)
        cpu0, me0 = sum(server.cpu_times()[:2]), fleet.cpu()
        try:
            replies = await fleet.ask(dict(common, cmd="storm", at=at, jitter=args.jitter,
                                           deadline_s=args.storm_s, seed=args.seed), args.storm_s + 60)
        finally:
            storm_end = time.time()
            cpu1, me1 = sum(server.cpu_times()[:2]), fleet.cpu()
            await asyncio.sleep(1.0)
            stop.set()
            await sender
        # Acks of the last messages, then the final id every client must hold.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and official.live_unacked():
            await asyncio.sleep(0.05)
        published = official.published()
        final = max([seed_last, *(mid for *_rest, mid in published)])
        finals = await fleet.ask(dict(cmd="finish", final=final, drain_s=args.drain), args.drain + 60)
    await official.close()
    caught = sorted(x for r in replies for x in r["caught_up_s"])
    handshakes = sorted(x for r in replies for x in r["handshake_s"])
    join_replies = sorted(x for r in replies for x in r["join_reply_s"])
    hist = [0] * (HIST_MAX_MS + 1)
    for r in finals:
        for key, n in r["hist"].items():
            hist[int(key)] += n
    storm_s = storm_end - at
    during = [(sent, acked) for _ref, sent, acked, _mid in published if at <= sent < storm_end]
    acked_during = [(sent, acked) for sent, acked in during if acked < storm_end]
    out.update(
        rejoined=sum(r["rejoined"] for r in replies), caught_up=len(caught),
        all_caught_up_s=caught[-1] if caught and len(caught) == clients else None,
        caught_up_p50_s=percentile(caught, 0.5), caught_up_max_s=caught[-1] if caught else None,
        handshake_p50_ms=1000 * percentile(handshakes, 0.5), handshake_p99_ms=1000 * percentile(handshakes, 0.99),
        join_reply_p50_ms=1000 * percentile(join_replies, 0.5),
        join_reply_p99_ms=1000 * percentile(join_replies, 0.99),
        retries=sum(r["retries"] for r in replies), storm_failures=merge(r["failures"] for r in replies),
        gaps=sum(r["gaps"] for r in finals), gap_ids=sum(r["gap_ids"] for r in finals),
        duplicates=sum(r["duplicates"] for r in finals), lost=sum(r["lost"] for r in finals),
        behind=sum(r["behind"] for r in finals), not_back=sum(r["not_back"] for r in finals),
        received=sum(r["received"] for r in finals),
        server_closes=sum(r["server_closes"] for r in finals),
        final_id=final, storm_s=storm_s,
        official_sent=len([s for s in official.live_sent().values() if at <= s < storm_end]),
        official_sent_total=len(official.live_sent()), official_unacked=official.live_unacked(),
        official_published_total=len(published),
        official_acked_during=len(acked_during),
        official_ack_p99_ms=1000 * percentile(sorted(a - s for s, a in during), 0.99),
        delivery_p50_ms=hist_percentile(hist, 0.5), delivery_p99_ms=hist_percentile(hist, 0.99),
        deliveries=sum(hist),
        server_cpu_pct=100 * (cpu1 - cpu0) / max(1e-6, storm_s),
        client_cpu_pct=100 * (me1 - me0) / max(1e-6, storm_s),
    )
    say(summary(out))
    return out


def merge(dicts) -> dict:
    out: dict = {}
    for d in dicts:
        for key, n in d.items():
            out[key] = out.get(key, 0) + n
    return out


def seconds(value) -> str:
    return "-" if value is None or value != value else f"{value:.1f} s"


def summary(r: dict) -> str:
    done = (f"all {r['clients']} rejoined and caught up in {seconds(r['all_caught_up_s'])}"
            if r["all_caught_up_s"] is not None else
            f"{r['caught_up']} of {r['clients']} caught up within {seconds(r['storm_s'])} ({r['rejoined']} rejoined)")
    return (f"storm: {done}; handshake p99 {ms(r['handshake_p99_ms'])} ms, join reply p99 "
            f"{ms(r['join_reply_p99_ms'])} ms; gaps {r['gaps']}, duplicates {r['duplicates']}, lost {r['lost']}; "
            f"official {r['official_acked_during']} of {r['official_sent']} acked during the storm, delivery p50/p99 "
            f"{ms(r['delivery_p50_ms'])}/{ms(r['delivery_p99_ms'])} ms; server CPU {r['server_cpu_pct']:.0f}%, "
            f"load generator {r['client_cpu_pct']:.0f}% ({r['workers']} processes)")


async def measure(server, args) -> dict:
    """The storm on a fresh hub; ``server(kind, args)`` is the suite's context manager."""
    from bench.loadgen import raise_fd_limit
    from bench.run import flush

    raise_fd_limit(20000)
    flush(args.redis_url)
    try:
        with server("hub", args) as target:
            return await run_storm(target, args)
    except Exception as exc:  # noqa: BLE001 - reported in the row; the rest of the suite stands
        say(f"storm: not measured: {type(exc).__name__}: {exc}")
        return {"error": f"{type(exc).__name__}: {exc}"}


def add_arguments(parser, quick: bool = False) -> None:
    parser.add_argument("--clients", type=int, default=300 if quick else 5000)
    parser.add_argument("--history", type=int, default=100, help="messages in the room before the clients join")
    parser.add_argument("--rate", type=float, default=5.0, help="the official's messages per second")
    parser.add_argument("--jitter", type=float, default=5.0, help="clients reconnect within this many seconds")
    parser.add_argument("--steady", type=float, default=2.0, help="seconds of live messages before the drop")
    parser.add_argument("--join-s", type=float, default=15.0 if quick else 30.0,
                        help="seconds allowed for the clients' first join")
    parser.add_argument("--storm-s", type=float, default=15.0 if quick else 25.0,
                        help="seconds from the drop until the storm is called off")
    parser.add_argument("--drain", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=4, help="load-generator processes (one address each)")
    parser.add_argument("--seed", type=int, default=1)


def options(suite_args, quick: bool):
    """This scenario's settings for a run of ``bench.suite``: its defaults
    (``quick``: the smoke run's), the suite's Redis and database."""
    parser = argparse.ArgumentParser()
    add_arguments(parser, quick)
    args = parser.parse_args([])
    for name in ("redis_url", "baseline_redis_url", "database_url"):
        setattr(args, name, getattr(suite_args, name, None))
    return args


# --- the suite's rows ---------------------------------------------------------------------------
def rows(results: dict, num) -> list[str]:
    r = results.get("storm")
    if not r:
        return []
    if "error" in r:
        return [f"| reconnect storm | not measured: {r['error']} | | | | | | |"]
    wanted = (f" ({r['clients_wanted']:,} wanted; {r['join_rate']:.0f} joins/s within the {r['join_s']:.0f} s "
              "deadline)" if r["clients"] < r["clients_wanted"] else f" (first joins at {r['join_rate']:.0f}/s)")
    done = (seconds(r["all_caught_up_s"]) if r["all_caught_up_s"] is not None
            else f"{r['caught_up']:,} of {r['clients']:,} within {seconds(r['storm_s'])}")
    behind = f" ({r['behind']} clients behind at the end)" if r["behind"] else ""
    if r["not_back"]:
        behind += f"; {r['not_back']:,} clients not back when the storm was called off"
    return [
        f"| reconnect storm, {r['clients']:,} clients of one room{wanted}, {r['history']} messages of history, "
        f"dropped, back within {r['jitter_s']:g} s: all rejoined and caught up (target 5,000 ≤ 15 s) | {done} "
        f"| | | | | {num(r['server_cpu_pct'])} | {num(r['client_cpu_pct'])} ({r['workers']} processes) |",
        f"| storm: handshake p99 / join reply p99 ms; gaps (must be 0) / duplicates / lost | "
        f"{ms(r['handshake_p99_ms'])} / {ms(r['join_reply_p99_ms'])}; {r['gaps']} / {r['duplicates']} / "
        f"{r['lost']}{behind} | | | | | | |",
        f"| storm: the official at {r['rate']:g} msg/s: acked during the storm / sent; delivery p50 / p99 ms | "
        f"{r['official_acked_during']} / {r['official_sent']}; {ms(r['delivery_p50_ms'])} / "
        f"{ms(r['delivery_p99_ms'])} | | | | | | |",
    ]


def check_bounds(parser, args) -> None:
    if args.clients > 10000 or args.storm_s > 120 or args.join_s > 300:
        parser.error("keep a run bounded: --clients <= 10000, --storm-s <= 120, --join-s <= 300")


def main() -> None:
    scenario_main(__doc__, commands, add_arguments, measure, prepare=check_bounds)


if __name__ == "__main__":
    main()
