"""Live Q&A session benchmark: an audience on ``sesi.<id>``, votes and questions.

    .venv/bin/python -m bench.qa --sockets 2000 --votes 20 --questions 2 --seconds 60

Starts one Daphne for the hub (``settings.dev``, a fresh SQLite file under
``var/bench/qa/`` or ``--database-url``; Redis ``--redis-url``, flushed first)
and ``bench.qa_setup`` prepares a live session of the Bupati with
``--initial`` approved questions, ``--citizens`` signed-in citizens and a
moderator. Then:

- **audience**: ``--sockets`` sockets joined to ``sesi.<id>``, spread over
  ``--workers`` processes (``python -m bench.qa audience``), each opening its
  sockets from a loopback address of its own (127.0.0.2, .3, …). Guests, as
  on the public page; the voters' and the console's sockets count in the
  audience too. Every socket keeps, per question, the highest count it has
  seen; each ``ranking`` frame that raises a question from ``m`` to ``v``
  votes is recorded as the first receipt of counts ``m+1 … v``;
- **votes**: ``--votes`` per second, each a ``vote`` frame from a signed-in
  citizen (the voters) for a public question that citizen has not voted on
  (one "dukung" each: the counts only rise, so "the ranking carries the new
  count" means "shows at least the count this vote's reply gave"). Latency
  of a vote on a socket = the first receipt there of a count at least the
  vote's new count - the time the vote frame was sent (one machine, one
  clock). Its p99 over every (vote, socket) pair is the figure (target
  ≤ 250 ms); a pair never served by the end of the drain is *missed*;
- **questions**: ``--questions`` per second, each an ``ask`` frame from a
  citizen; a moderator process (``bench.qa_setup approve``) approves them
  through the moderation services as they arrive; new public questions take
  votes once the voters have seen them;
- **console**: the Bupati's own socket on the same topic. Current within 1 s:
  the time from each vote to the ranking that shows it, and from each
  approval to the question frame, both on the console (max ≤ 1000 ms), and
  its final state equal to the database;
- **exact at the end**: per question, ``Question.votes`` and the number of
  ``qa.Vote`` rows in the database equal the votes the load generator had
  accepted, and every audience socket's final view equals the database.

Also printed: the p99 per ``--window`` seconds of the votes (by send time,
from the first vote: a delay that grows as the session goes on shows as a
rising row, an episode as one window) and the server's full garbage
collections over the votes (read from its metrics endpoint, ``METRICS_PORT``).

Printed with the CPU of the server, of the audience processes and of this
process beside each other: if a load-generator process is near 100 % of a
core, add ``--workers``. Loopback only; every loop is bounded by counts and
deadlines; ``--seconds`` at most 120.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import functools
import json
import math
import os
import random
import resource
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from argparse import Namespace
from pathlib import Path

import psutil
import uvloop
from picows import WSCloseCode, WSError, WSListener, WSMsgType, ws_connect
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from bench.loadgen import percentile, raise_fd_limit, require_loopback

#: The hub's server, as ``make run`` starts it (``ops/launch.py``): Daphne on uvloop unless ``HUB_UVLOOP=0``.
SERVER_MODULES = {"daphne-uvloop": "ops.daphne_uvloop", "daphne": "daphne"}
HIST_MAX_MS = 20_000  # latencies above land in the last bucket
CONNECT_ATTEMPTS = 6
#: Handshakes retried in this process.
RETRIES = [0]


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _retrying(connect_once):
    """A handshake, retried: a loaded server drops handshakes (Daphne closes
    one that the application has not accepted within 5 s); retry as a
    browser would, with back-off, and count it (``RETRIES``)."""
    for attempt in range(CONNECT_ATTEMPTS):
        try:
            return await connect_once()
        except (OSError, InvalidHandshake, WSError, TimeoutError):
            if attempt == CONNECT_ATTEMPTS - 1:
                raise
            RETRIES[0] += 1
            await asyncio.sleep(0.5 * 2 ** attempt)
    raise AssertionError("unreachable")


async def open_socket(url: str, topic: str, cookie: str | None = None, local_host: str | None = None):
    """One socket joined to ``topic`` (the voters' and the console's, signed
    in with ``cookie``); returns ``(ws, frames before and with the snapshot)``."""
    require_loopback(url)
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    origin = url.replace("ws://", "http://").rsplit("/ws/", 1)[0]
    kwargs = {"local_addr": (local_host, 0)} if local_host else {}
    ws = await _retrying(lambda: connect(url, origin=origin, additional_headers=headers, compression=None,
                                         ping_interval=None, open_timeout=60, close_timeout=2, max_queue=None,
                                         **kwargs))
    frames: list[str] = []
    await ws.send(json.dumps({"type": "join", "topic": topic, "ref": "j"}))
    deadline = time.monotonic() + 60
    while True:
        raw = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
        frames.append(raw)
        if '"type":"error"' in raw:
            raise RuntimeError(f"join refused: {raw[:300]}")
        if '"type":"snapshot"' in raw:
            return ws, frames


class _AudienceListener(WSListener):
    """picows' callbacks for one audience socket: each complete text frame to
    ``on_text`` as it is parsed (picows parses in C: a fraction of the CPU
    per frame of a pure-Python client, so the audience's processes take
    less of the cores the server shares with them)."""

    def __init__(self, socket: AudienceSocket) -> None:
        super().__init__()
        self.socket = socket

    def on_ws_frame(self, transport, frame) -> None:
        if frame.msg_type == WSMsgType.TEXT and frame.fin:
            self.socket.on_text(frame.get_payload_as_utf8_text())
        elif frame.msg_type == WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code())
            transport.disconnect()

    def on_ws_disconnected(self, transport) -> None:
        self.socket.open = False


class AudienceSocket:
    """A guest on the session's public page, as the audience processes open
    it (``audience_socket``): ``on_text`` gets every text frame."""

    def __init__(self) -> None:
        self.on_text = None
        self.open = False
        self.transport = None

    async def close(self) -> None:
        if self.transport is not None and self.open:
            self.transport.send_close(WSCloseCode.OK)
            self.transport.disconnect()


async def audience_socket(url: str, topic: str, local_host: str | None = None) -> tuple[AudienceSocket, list[str]]:
    """One guest socket joined to ``topic`` (picows); returns ``(socket,
    frames up to and with the snapshot)`` — the list keeps growing until the
    caller sets its own ``on_text`` (in the same loop turn as it reads it)."""
    require_loopback(url)
    origin = url.replace("ws://", "http://").rsplit("/ws/", 1)[0]
    kwargs = {"local_addr": (local_host, 0)} if local_host else {}
    socket = AudienceSocket()
    frames: list[str] = []
    joined = asyncio.get_running_loop().create_future()

    def collect(raw: str) -> None:
        frames.append(raw)
        if not joined.done() and ('"type":"error"' in raw or '"type":"snapshot"' in raw):
            joined.set_result(raw)

    socket.on_text = collect
    socket.transport, _listener = await _retrying(lambda: ws_connect(
        lambda: _AudienceListener(socket), url, extra_headers={"Origin": origin}, websocket_handshake_timeout=60,
        **kwargs))
    socket.open = True
    socket.transport.send(WSMsgType.TEXT, json.dumps({"type": "join", "topic": topic, "ref": "j"}).encode())
    raw = await asyncio.wait_for(joined, 60)
    if '"type":"error"' in raw:
        raise RuntimeError(f"join refused: {raw[:300]}")
    return socket, frames


class View:
    """What one socket knows of the votes: per question the highest count seen."""

    __slots__ = ("counts", "rankings", "questions")

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.rankings = 0
        self.questions = 0


class Seen:
    """First receipts of each (question, count) over the sockets of one process."""

    def __init__(self) -> None:
        self.first: dict[tuple[int, int], array.array] = {}

    def apply(self, view: View, raw: str, now: float) -> None:
        """Apply one server frame to ``view``; ``ranking`` frames are timed."""
        if '"type":"ranking"' in raw:
            view.rankings += 1
            for qid, votes in json.loads(raw)["votes"]:
                old = view.counts.get(qid, 0)
                if votes > old:
                    view.counts[qid] = votes
                    for count in range(old + 1, votes + 1):
                        times = self.first.get((qid, count))
                        if times is None:
                            times = self.first[(qid, count)] = array.array("d")
                        times.append(now)
        elif '"type":"question"' in raw or '"type":"snapshot"' in raw:
            frame = json.loads(raw)
            questions = [frame["question"]] if frame["type"] == "question" else frame.get("questions", [])
            view.questions += frame["type"] == "question"
            for question in questions:
                if question.get("state") in ("dismissed", "hidden"):
                    view.counts.pop(question["id"], None)
                else:
                    # A whole question: its count is the newest state (not timed).
                    view.counts[question["id"]] = max(view.counts.get(question["id"], 0), question["votes"])

    def latencies(self, votes: dict[tuple[int, int], float], sockets: int,
                  window: tuple[float, float] | None = None) -> tuple[list[int], int, dict[int, list[int]]]:
        """A histogram (1 ms buckets) of vote -> first receipt, the number
        of (vote, socket) pairs never served, and with ``window`` = (start,
        seconds) the same histogram per window of the votes' send time (does
        the delay drift as the session goes on?)."""
        hist = [0] * (HIST_MAX_MS + 1)
        windows: dict[int, list[int]] = {}
        missed = 0
        for key, sent in votes.items():
            times = self.first.get(key, ())
            missed += sockets - len(times)
            part = None
            if window is not None:
                n = max(0, int((sent - window[0]) // window[1]))
                part = windows.get(n)
                if part is None:
                    part = windows[n] = [0] * (HIST_MAX_MS + 1)
            for received in times:
                ms = min(HIST_MAX_MS, max(0, int((received - sent) * 1000)))
                hist[ms] += 1
                if part is not None:
                    part[ms] += 1
        return hist, missed, windows


# --- the audience processes -----------------------------------------------------------
def _timed(apply, view: View, raw: str) -> None:
    apply(view, raw, time.time())


async def audience(args) -> None:
    raise_fd_limit()
    views = [View() for _ in range(args.sockets)]
    seen = Seen()
    sockets = []
    t0 = time.monotonic()
    for start in range(0, args.sockets, 25):
        batch = await asyncio.gather(*(audience_socket(args.url, args.topic, local_host=args.local_host)
                                       for _ in range(start, min(args.sockets, start + 25))))
        for i, (ws, frames) in enumerate(batch, start):
            for raw in frames:  # with the snapshot, whatever came since (timed now: joins are not measured)
                seen.apply(views[i], raw, time.time())
            ws.on_text = functools.partial(_timed, seen.apply, views[i])
            sockets.append(ws)
    cpu0 = own_cpu_seconds()
    print(json.dumps({"ready": args.sockets, "join_s": time.monotonic() - t0, "retries": RETRIES[0]}), flush=True)
    # The coordinator writes one line: the votes ({"q,c": sent}) and the final counts.
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    cpu1 = own_cpu_seconds()
    order = json.loads(line or "{}")
    votes = {tuple(map(int, key.split(","))): sent for key, sent in order.get("votes", {}).items()}
    final = {int(qid): count for qid, count in order.get("final", {}).items()}
    window = tuple(order["window"]) if order.get("window") else None

    def behind() -> bool:
        return any(view.counts.get(q, 0) < c for view in views for q, c in final.items())

    # Frames still on their way count too (late, with their whole latency):
    # wait until every socket shows the final counts, at most --grace seconds.
    deadline = time.monotonic() + args.grace
    while behind() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    closed = sum(1 for ws in sockets if not ws.open)
    hist, missed, windows = seen.latencies(votes, args.sockets, window)
    stale = sum(1 for view in views if {q: c for q, c in view.counts.items() if q in final} != final)
    print(json.dumps({
        "sockets": args.sockets, "hist": compress(hist), "missed": missed, "stale_sockets": stale,
        "windows": {n: compress(part) for n, part in windows.items()},
        "closed": closed, "rankings": sum(v.rankings for v in views), "questions": sum(v.questions for v in views),
        "sockets_without_ranking": sum(1 for v in views if not v.rankings), "cpu_s": cpu1 - cpu0}), flush=True)
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


def compress(hist: list[int]) -> dict[str, int]:
    return {str(ms): n for ms, n in enumerate(hist) if n}


# --- the coordinator --------------------------------------------------------------------
class Voters:
    """The signed-in citizens' sockets: they vote and ask; replies are matched by ``ref``."""

    def __init__(self, url: str, topic: str, cookies: list[str], rng: random.Random) -> None:
        self.url, self.topic, self.cookies, self.rng = url, topic, cookies, rng
        self.sockets: list = []
        self.voted: list[set[int]] = []
        self.waiting: dict[str, asyncio.Future] = {}
        self.public: list[int] = []  # questions in the order they became public
        self.known: set[int] = set()
        self.errors: dict[str, int] = {}
        self.readers: list[asyncio.Task] = []

    def learn(self, raw: str) -> None:
        if '"type":"question"' in raw or '"type":"snapshot"' in raw:
            frame = json.loads(raw)
            for question in [frame["question"]] if frame["type"] == "question" else frame.get("questions", []):
                if question.get("state") == "public" and question["id"] not in self.known:
                    self.known.add(question["id"])
                    self.public.append(question["id"])

    async def open(self) -> None:
        for start in range(0, len(self.cookies), 50):
            batch = await asyncio.gather(*(open_socket(self.url, self.topic, cookie)
                                           for cookie in self.cookies[start:start + 50]))
            self.sockets += [ws for ws, _ in batch]
            for raw in batch[0][1]:
                self.learn(raw)
        self.voted = [set() for _ in self.sockets]
        self.readers = [asyncio.create_task(self._read(i, ws)) for i, ws in enumerate(self.sockets)]

    async def _read(self, index: int, ws) -> None:
        try:
            async for raw in ws:
                if index == 0:
                    self.learn(raw)
                if '"ref":' not in raw:
                    continue
                frame = json.loads(raw)
                future = self.waiting.pop(frame.get("ref"), None)
                if future is not None and not future.done():
                    future.set_result(frame)
        except ConnectionClosed:
            return

    async def request(self, index: int, frame: dict, timeout: float = 120.0) -> dict:
        future = asyncio.get_running_loop().create_future()
        self.waiting[frame["ref"]] = future
        await self.sockets[index].send(json.dumps(frame))
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            self.waiting.pop(frame["ref"], None)
            return {"type": "error", "code": "bench_timeout"}

    def pick_vote(self) -> tuple[int, int] | None:
        """A public question (newer ones a little likelier) and a voter who
        has not voted on it yet."""
        if not self.public:
            return None
        for _ in range(50):
            qid = self.public[min(len(self.public) - 1, int(len(self.public) * self.rng.random() ** 0.7))]
            voter = self.rng.randrange(len(self.sockets))
            if qid not in self.voted[voter]:
                self.voted[voter].add(qid)
                return voter, qid
        return None

    def error(self, frame: dict) -> None:
        code = frame.get("code") or "error"
        self.errors[code] = self.errors.get(code, 0) + 1

    async def close(self) -> None:
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)


async def console_reader(ws, seen: Seen, view: View, question_times: dict[int, float]) -> None:
    try:
        async for raw in ws:
            now = time.time()
            seen.apply(view, raw, now)
            if '"type":"question"' in raw:
                question = json.loads(raw)["question"]
                question_times.setdefault(question["id"], now)
    except ConnectionClosed:
        return


def setup_step(env: dict, *argv: str, timeout: float = 300) -> dict:
    from bench.run import PY, ROOT

    out = subprocess.run([PY, "-m", "bench.qa_setup", *argv], cwd=ROOT, env=env, check=True, capture_output=True,
                         text=True, timeout=timeout)
    return json.loads(out.stdout.strip().splitlines()[-1])


def server_env(args) -> dict:
    from bench.run import hub_env

    env = hub_env(Namespace(redis_url=args.redis_url, database_url=args.database_url))
    if not args.database_url:
        env["BALAI_VAR_DIR"] = str(var_dir(args))
    # The bench's citizens ask far more often than people do (the limits are
    # still checked on every ask: per minute, per session, chat's rate limit).
    env.update(QA_QUESTION_INTERVAL_SECONDS="0", QA_QUESTIONS_PER_SESSION="100000", CHAT_RATE_COUNT="100000",
               HUB_MAX_SOCKETS_PER_USER="100")
    if getattr(args, "ranking_interval_ms", None) is not None:
        env["QA_RANKING_INTERVAL_MS"] = str(args.ranking_interval_ms)
    return env


def var_dir(args) -> Path:
    from bench.run import ROOT

    return Path(getattr(args, "var_dir", None) or ROOT / "var" / "bench" / "qa")


def spread(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


async def drive(args, setup: dict, port: int, server_pid: int) -> dict:
    children: list = []
    try:
        return await _drive(args, setup, port, server_pid, children)
    finally:
        for proc in children:  # stopped early by an error: none outlives the run
            if proc.returncode is None:
                proc.kill()
                await proc.wait()


async def _drive(args, setup: dict, port: int, server_pid: int, children: list) -> dict:
    from bench.run import PY, ROOT

    url = f"ws://127.0.0.1:{port}/ws/"
    topic = setup["topic"]
    rng = random.Random(11)
    voters_n = min(len(setup["citizens"]), args.voters)
    audience_n = max(0, args.sockets - voters_n - 1)
    workers_n = max(1, min(args.workers, audience_n // 5 or 1)) if audience_n else 0
    t = time.monotonic()
    workers = []
    for i, n in enumerate(spread(audience_n, workers_n) if workers_n else []):
        workers.append(await asyncio.create_subprocess_exec(
            PY, "-m", "bench.qa", "audience", "--url", url, "--topic", topic, "--sockets", str(n),
            "--grace", str(args.drain),
            "--local-host", f"127.0.0.{2 + i}", cwd=ROOT, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, limit=2**26))
        children.append(workers[-1])
    retries = 0
    for proc in workers:
        line = await asyncio.wait_for(proc.stdout.readline(), 600)
        if not line:
            raise RuntimeError("an audience process failed to join (see its stderr)")
        retries += json.loads(line)["retries"]
    voters = Voters(url, topic, setup["citizens"][:voters_n], rng)
    await voters.open()
    console_ws, frames = await open_socket(url, topic, setup["bupati"])
    console_seen, console_view, console_questions = Seen(), View(), {}
    for raw in frames:
        console_seen.apply(console_view, raw, time.time())
    console_task = asyncio.create_task(console_reader(console_ws, console_seen, console_view, console_questions))
    join_s = time.monotonic() - t
    say(f"qa: {args.sockets} sockets on {topic} ({audience_n} audience in {workers_n} processes, "
        f"{voters_n} voters, 1 console) in {join_s:.1f}s ({retries + RETRIES[0]} handshakes retried); "
        f"{len(voters.public)} public questions")

    approver = None if args.hold else await asyncio.create_subprocess_exec(
        PY, "-m", "bench.qa_setup", "approve", "--seconds", str(args.seconds + args.drain + 400), cwd=ROOT,
        env=server_env(args), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    if approver is not None:
        children.append(approver)
    await asyncio.sleep(0.5)

    votes: dict[tuple[int, int], float] = {}
    accepted: dict[int, int] = {}
    asked: dict[str, float] = {}
    vote_rtt: list[float] = []
    procs = {"server": psutil.Process(server_pid)}
    if approver is not None:
        procs["approver"] = psutil.Process(approver.pid)
    cpu0 = {name: sum(p.cpu_times()[:2]) for name, p in procs.items()}
    gen2_before = full_collections(args)
    me0 = own_cpu_seconds()
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    wall0 = time.time()
    pending: list[asyncio.Task] = []
    sent_votes = sent_asks = 0
    unanswered: dict[int, int] = {}

    async def one_vote(n: int) -> None:
        choice = voters.pick_vote()
        if choice is None:
            voters.error({"code": "bench_no_question"})
            return
        voter, qid = choice
        sent = time.time()
        reply = await voters.request(voter, {"type": "vote", "topic": topic, "question": qid, "ref": f"v{n}"})
        if reply.get("code") == "bench_timeout":
            # No reply within two minutes: it may still be counted; the
            # exactness check allows for it (and reports how many).
            unanswered[qid] = unanswered.get(qid, 0) + 1
        if reply.get("type") == "error" or "votes" not in reply:
            voters.error(reply)
            return
        vote_rtt.append(time.time() - sent)
        if not reply.get("voted", True):
            voters.error({"code": "bench_vote_removed"})
        votes[(qid, reply["votes"])] = sent
        accepted[qid] = accepted.get(qid, 0) + 1

    async def one_ask(n: int) -> None:
        voter = n % len(voters.sockets)
        client_id = str(uuid.uuid4())
        asked[client_id] = time.time()
        reply = await voters.request(voter, {
            "type": "ask", "topic": topic, "client_id": client_id, "anonymous": n % 5 == 0, "ref": f"a{n}",
            "body": f"Pertanyaan uji {n}: kapan jalan di desa kami diperbaiki, Pak Bupati?"})
        if reply.get("type") == "error":
            voters.error(reply)

    async def schedule(rate: float, action, count: int) -> None:
        for n in range(count):
            delay = start + n / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            pending.append(asyncio.create_task(action(n)))

    vote_count = round(args.votes * args.seconds)
    ask_count = round(args.questions * args.seconds)
    await asyncio.gather(schedule(args.votes, one_vote, vote_count),
                         *([schedule(args.questions, one_ask, ask_count)] if ask_count else []))
    sent_votes, sent_asks = vote_count, ask_count
    await asyncio.wait_for(asyncio.gather(*pending, return_exceptions=True), 180)
    send_end = time.time()
    # Drain: until the console shows every accepted vote, at most --drain seconds.
    deadline = time.monotonic() + args.drain
    while time.monotonic() < deadline and any(console_view.counts.get(q, 0) < n for q, n in accepted.items()):
        await asyncio.sleep(0.05)
    elapsed = time.time() - wall0
    cpu = {}
    for name, proc in procs.items():
        try:
            cpu[name] = 100 * (sum(proc.cpu_times()[:2]) - cpu0[name]) / elapsed
        except psutil.NoSuchProcess:  # ended by itself: its share is unknown, not zero
            cpu[name] = math.nan
    cpu["load generator (this process)"] = 100 * (own_cpu_seconds() - me0) / elapsed
    gen2_after = full_collections(args)
    approved: dict[int, float] = {}
    if approver is not None:
        approver.stdin.close()
        out = (await asyncio.wait_for(approver.stdout.read(), 120)).decode()
        approved = {int(k): v for k, v in json.loads(out.strip().splitlines()[-1])["approved"].items()}
    db = setup_step(server_env(args), "collect", "--session", str(setup["session"]))["questions"]
    final = {qid: row["votes"] for qid, row in db.items() if row["status"] == "published"}

    order = json.dumps({"votes": {f"{q},{c}": sent for (q, c), sent in votes.items()}, "final": final,
                        "window": [min(votes.values(), default=wall0), window_s(args)]}) + "\n"
    hist = [0] * (HIST_MAX_MS + 1)
    windows: dict[int, list[int]] = {}
    missed = stale = closed = rankings = without = 0
    for i, proc in enumerate(workers):
        proc.stdin.write(order.encode())
        await proc.stdin.drain()
        out = json.loads((await asyncio.wait_for(proc.stdout.readline(), 300)).decode())
        for ms, n in out["hist"].items():
            hist[int(ms)] += n
        for part, counts in out["windows"].items():
            merged = windows.setdefault(int(part), [0] * (HIST_MAX_MS + 1))
            for ms, n in counts.items():
                merged[int(ms)] += n
        missed += out["missed"]
        stale += out["stale_sockets"]
        closed += out["closed"]
        rankings += out["rankings"]
        without += out["sockets_without_ranking"]
        cpu[f"audience process {i + 1}"] = 100 * out["cpu_s"] / elapsed
        await asyncio.wait_for(proc.wait(), 60)
    console_task.cancel()
    await asyncio.gather(console_task, return_exceptions=True)
    await console_ws.close()
    await voters.close()

    # The console: every vote and every approval, shown within a second?
    console_hist, console_missed, _ = console_seen.latencies(votes, 1)
    question_ms = sorted(1000 * (console_questions[q] - at) for q, at in approved.items() if q in console_questions)
    # Per question: (accepted, Question.votes, qa.Vote rows, votes left without a reply).
    exact = {qid: (accepted.get(int(qid), 0), row["votes"], row["vote_rows"], unanswered.get(int(qid), 0))
             for qid, row in db.items() if accepted.get(int(qid), 0) or row["votes"] or row["vote_rows"]}
    console_counts = {str(q): c for q, c in console_view.counts.items()}
    return {
        "sockets": args.sockets, "audience_processes": workers_n, "voters": voters_n, "join_s": join_s,
        "handshakes_retried": retries + RETRIES[0],
        "seconds": args.seconds, "votes_sent": sent_votes, "votes_accepted": sum(accepted.values()),
        "vote_rate": sum(accepted.values()) / max(1e-6, send_end - wall0),
        "asks_sent": sent_asks, "approved_during_run": len(approved), "errors": voters.errors,
        "pairs": sum(hist) + missed, "missed": missed, "closed": closed, "stale_sockets": stale,
        "audience_rankings": rankings, "sockets_without_ranking": without,
        "p50_ms": hist_percentile(hist, 0.5), "p99_ms": hist_percentile(hist, 0.99),
        "p999_ms": hist_percentile(hist, 0.999), "max_ms": hist_percentile(hist, 1.0),
        "window_s": window_s(args),
        "p99_ms_by_window": [hist_percentile(windows[n], 0.99) for n in sorted(windows)],
        "server_full_collections": gen2_after - gen2_before if None not in (gen2_before, gen2_after) else None,
        "vote_reply_p99_ms": 1000 * percentile(sorted(vote_rtt), 0.99),
        "console_vote_max_ms": hist_percentile(console_hist, 1.0),
        "console_vote_missed": console_missed,
        "console_question_max_ms": question_ms[-1] if question_ms else None,
        "console_questions_missed": len(set(approved) - set(console_questions)),
        "console_current": all(console_counts.get(q, 0) == c for q, c in final.items()),
        # Exact: the database counts every accepted vote once and nothing else
        # (a vote whose reply never came may or may not have been counted).
        "exact": all(v == r and a <= v <= a + u for a, v, r, u in exact.values()), "counts": exact,
        "votes_unanswered": sum(unanswered.values()),
        "deliveries_per_s": rankings / max(1e-6, elapsed), "cpu_pct": cpu,
    }


def window_s(args) -> float:
    return getattr(args, "window", None) or 20.0


def full_collections(args) -> int | None:
    """The server's full (generation 2) garbage collections so far, from its
    Prometheus endpoint (``METRICS_PORT``, set by ``main_async``)."""
    port = getattr(args, "metrics_port", None)
    if not port:
        return None
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            text = response.read().decode()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith('python_gc_collections_total{generation="2"}'):
            return int(float(line.split()[-1]))
    return None


def hist_percentile(hist: list[int], q: float) -> float | None:
    """The ``q`` quantile (ms, 1 ms buckets) of a latency histogram; ``None`` when empty."""
    total = sum(hist)
    if not total:
        return None
    rank = max(1, math.ceil(q * total))
    for ms, n in enumerate(hist):
        rank -= n
        if rank <= 0:
            return float(ms)
    return float(len(hist) - 1)


def ms(value) -> str:
    """A latency in ms; the histogram's last bucket reads "≥ 20000"."""
    if value is None or value != value:
        return "-"
    return f"≥ {HIST_MAX_MS}" if value >= HIST_MAX_MS else f"{value:.0f}"


def verdict(r: dict) -> list[str]:
    lines = []
    ok = r["p99_ms"] is not None and r["p99_ms"] <= 250 and r["missed"] == 0
    lines.append(f"vote -> ranking on {r['sockets']} sockets: p50 {ms(r['p50_ms'])} ms, p99 {ms(r['p99_ms'])} ms, "
                 f"p99.9 {ms(r['p999_ms'])} ms, missed {r['missed']} of {r['pairs']} (target p99 <= 250 ms, "
                 f"0 missed): {'MET' if ok else 'MISSED'}")
    if r.get("p99_ms_by_window"):
        lines.append(f"  p99 by {r['window_s']:.0f}-s window of the votes: "
                     + ", ".join(f"{ms(v)}" for v in r["p99_ms_by_window"])
                     + f" ms; the server's full garbage collections meanwhile: {r['server_full_collections']}")
    cv, cq = r["console_vote_max_ms"], r["console_question_max_ms"]
    ok = (cv is not None and cv <= 1000 and r["console_vote_missed"] == 0 and r["console_questions_missed"] == 0
          and (cq is None or cq <= 1000) and r["console_current"])
    lines.append(f"console: vote -> ranking max {ms(cv)} ms, approval -> question max {ms(cq)} ms, "
                 f"missed {r['console_vote_missed']} votes / {r['console_questions_missed']} questions, final state "
                 f"{'current' if r['console_current'] else 'STALE'} (target within 1 s): {'MET' if ok else 'MISSED'}")
    ok = r["exact"] and r["stale_sockets"] == 0 and r["votes_accepted"] == r["votes_sent"]
    lines.append(f"counts: {r['votes_accepted']} of {r['votes_sent']} votes accepted ({r['votes_unanswered']} without "
                 f"a reply in 120 s), DB Question.votes = qa.Vote rows = accepted for every question: {r['exact']}; "
                 f"audience sockets whose final view differs from the DB: {r['stale_sockets']}; errors {r['errors']}: "
                 f"{'EXACT' if ok else 'NOT EXACT'}")
    return lines


async def main_async(args) -> dict:
    from bench.run import daphne, flush, free_port

    raise_fd_limit()
    flush(args.redis_url)
    var = var_dir(args)
    if not args.database_url:
        shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True, exist_ok=True)
    env = server_env(args)
    say(f"qa: prepare a live session, {args.citizens} citizens, {args.initial} approved questions")
    setup = setup_step(env, "prepare", "--citizens", str(args.citizens), "--questions", str(args.initial))
    server = getattr(args, "server", "daphne-uvloop")
    args.metrics_port = free_port()
    env = dict(env, METRICS_PORT=str(args.metrics_port))  # the server's only (full_collections)
    with daphne("asgi:application", env, "qa", SERVER_MODULES[server]) as (port, pid):
        say(f"qa: {server} pid {pid} on 127.0.0.1:{port}")
        return await drive(args, setup, port, pid)


def add_arguments(parser) -> None:
    parser.add_argument("--sockets", type=int, default=2000, help="audience sockets in all (voters and console too)")
    parser.add_argument("--votes", type=float, default=20.0, help="votes per second")
    parser.add_argument("--questions", type=float, default=2.0, help="questions asked per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--drain", type=float, default=3.0,
                        help="after the last vote, wait at most this long for the sockets to show it")
    parser.add_argument("--window", type=float, default=20.0,
                        help="also give the p99 per window of this many seconds of the votes (drift)")
    parser.add_argument("--hold", action="store_true",
                        help="diagnosis: questions are asked but nobody approves them")
    parser.add_argument("--ranking-interval-ms", type=int,
                        help="the server's QA_RANKING_INTERVAL_MS (default: the app's, 100)")
    parser.add_argument("--voters", type=int, default=200, help="signed-in citizens' sockets that vote and ask")
    parser.add_argument("--citizens", type=int, default=200)
    parser.add_argument("--initial", type=int, default=20, help="approved questions before the run")
    parser.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 1),
                        help="audience processes")
    parser.add_argument("--server", choices=sorted(SERVER_MODULES), default="daphne-uvloop",
                        help="the hub's server: Daphne on uvloop (production's default, ops/launch.py) or plain Daphne")
    parser.add_argument("--database-url", help="postgres://... (default: a fresh SQLite file under var/bench/qa/)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--var-dir", help="the SQLite file's folder, emptied first (default var/bench/qa/)")


def run(args) -> dict:
    if args.seconds > 120 or args.sockets > 5000 or args.votes * args.seconds > args.voters * args.initial:
        raise SystemExit("keep a run bounded: --seconds <= 120, --sockets <= 5000, and enough voters x "
                         "initial questions for every vote to be a first one (--voters, --initial)")
    return asyncio.run(main_async(args))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "audience":
        parser = argparse.ArgumentParser(prog="bench.qa audience")
        parser.add_argument("audience")
        parser.add_argument("--url", required=True)
        parser.add_argument("--topic", required=True)
        parser.add_argument("--sockets", type=int, required=True)
        parser.add_argument("--local-host")
        parser.add_argument("--grace", type=float, default=3.0)
        # uvloop: the audience's cost per frame is the load generator's, not the hub's.
        uvloop.run(audience(parser.parse_args()))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    parser.add_argument("--json", help="write every figure to this file")
    args = parser.parse_args()
    args.voters = min(args.voters, args.citizens)
    result = run(args)
    print(json.dumps({k: v for k, v in result.items() if k != "counts"}, indent=2, default=str))
    for line in verdict(result):
        print(line)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
