"""Several app processes behind one address (issue 12 item 4): nginx, as
``make run WORKERS=2`` configures it (``ops/nginx.py``), in front of two
Daphne processes on one Redis and one database. Clients know one URL only."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import urllib.request
from contextlib import contextmanager

import psutil
import pytest
from asgiref.sync import sync_to_async
from websockets.exceptions import ConnectionClosed

from accounts.choices import Role
from chat.services import room_upsert
from ops import nginx
from tests.hub import create_user, wait_until
from tests.live import ROOT, daphne_process, free_port, stop_process, wait_for_port
from tests.ops.processes import child_env
from tests.realtime.test_live import LiveSocket

pytestmark = pytest.mark.live


def nginx_binary() -> str:
    found = nginx.binary()
    if found is None:
        if os.environ.get("BALAI_REQUIRE_E2E") == "1":
            pytest.fail("nginx is missing (CI installs it: apt-get install nginx)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    return found


@contextmanager
def nginx_in_front(prefix, upstreams: list[str]):
    """nginx on a free port in front of ``upstreams`` (base URLs); its base URL."""
    port = free_port()
    config = nginx.write_config(prefix, f"127.0.0.1:{port}", [u.removeprefix("http://") for u in upstreams])
    proc = subprocess.Popen(nginx.command(nginx_binary(), prefix, config), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(proc)


class AppProcess:
    def __init__(self, url: str, proc: subprocess.Popen):
        self.url, self.proc = url, proc
        self.port = int(url.rsplit(":", 1)[1])

    def clients(self) -> int:
        """Connections it holds on its listening port (nginx's, one per socket)."""
        try:
            connections = psutil.Process(self.proc.pid).net_connections(kind="tcp")
        except psutil.NoSuchProcess:
            return 0
        return sum(1 for c in connections if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == self.port)


@pytest.fixture
def cluster(transactional_db, tmp_path):
    """``(url, [process, process])``: two Daphne processes behind one nginx."""
    from django.db import connection

    room_upsert(slug="bupati", title="Ruang Bupati")
    nginx_binary()
    with daphne_process(connection.settings_dict) as a, daphne_process(connection.settings_dict) as b:
        processes = [AppProcess(*a), AppProcess(*b)]
        with nginx_in_front(tmp_path / "nginx", [p.url for p in processes]) as url:
            yield url, processes


async def open_through(url: str, processes: list[AppProcess], user=None) -> tuple[LiveSocket, AppProcess]:
    """A socket through the one URL, and the app process nginx gave it to."""
    before = [p.clients() for p in processes]
    sock = await LiveSocket.open(url, user)
    await sock.send({"type": "ping", "ref": "where"})
    await sock.recv_until("pong")
    grown = await wait_until(lambda: [p for p, n in zip(processes, before, strict=True) if p.clients() > n],
                             what="the socket's connection on an app process")
    assert len(grown) == 1
    return sock, grown[0]


async def open_on(url: str, processes: list[AppProcess], target: AppProcess, user=None,
                  opened: list | None = None) -> LiveSocket:
    """Open sockets through the one URL until one lands on ``target``."""
    for _ in range(6):
        sock, where = await open_through(url, processes, user)
        if opened is not None:
            opened.append(sock)
        if where is target:
            return sock
    raise AssertionError("nginx never handed a socket to the chosen process")


async def test_a_message_sent_through_one_process_reaches_sockets_on_the_other(cluster):
    url, processes = cluster
    bupati = await sync_to_async(create_user)("bupati", role=Role.OFFICIAL, title="Bupati Pati")
    warga = await sync_to_async(create_user)("warga")
    opened: list[LiveSocket] = []
    try:
        official, here = await open_through(url, processes, bupati)
        opened.append(official)
        there = processes[1] if here is processes[0] else processes[0]
        citizen = await open_on(url, processes, there, warga, opened)
        guest = await open_on(url, processes, there, None, opened)
        for sock in (official, citizen, guest):
            await sock.join()

        ack = await official.say("Selamat pagi warga Pati")
        assert ack["status"] == "published"
        for sock in (citizen, guest):
            event = await sock.recv_until("message")
            assert event["message"]["id"] == ack["id"] and event["message"]["author"]["title"] == "Bupati Pati"

        reply = await citizen.say("Selamat pagi, Bu")
        while (event := await official.recv_until("message"))["message"]["id"] < reply["id"]:
            pass
        assert event["message"]["author"]["role"] == "citizen"
    finally:
        for sock in opened:
            await sock.close()


async def receive_ids(sock: LiveSocket, seen: list[int]) -> int | None:
    """Append the ids of the room's messages until the socket closes; its close code."""
    try:
        while True:
            frame = await sock.recv(timeout=30)
            if frame["type"] == "message":
                seen.append(frame["message"]["id"])
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


async def reconnect(url: str, since: int | None) -> tuple[LiveSocket, list[int]]:
    """Reconnect through the one URL at once, as the browser does after a
    close (then with a back-off), and resume the room from ``since``."""
    last = None
    for attempt in range(20):
        try:
            sock = await LiveSocket.open(url)
            _, replayed = await sock.join(since=since)
            return sock, replayed
        except (OSError, ConnectionClosed, TimeoutError) as exc:
            last = exc
            await asyncio.sleep(0.1 * (attempt + 1))
    raise AssertionError(f"could not reconnect through {url}: {last!r}")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["killed", "stopped"])
async def test_clients_of_a_dead_process_reconnect_to_the_other_and_resume_without_gaps(cluster, how):
    url, processes = cluster
    total = 40
    official = await sync_to_async(create_user)("bupati", role=Role.OFFICIAL)
    opened: list[LiveSocket] = []
    try:
        sender, survivor = await open_through(url, processes, official)
        opened.append(sender)
        doomed = processes[1] if survivor is processes[0] else processes[0]
        receivers = [await open_on(url, processes, doomed, None, opened) for _ in range(2)]
        await sender.join()
        for sock in receivers:
            await sock.join()

        acked: list[int] = []
        half_sent = asyncio.Event()

        async def keep_sending():
            for n in range(total):
                ack = await sender.say(f"pesan {n}")
                assert ack["status"] == "published", ack
                acked.append(ack["id"])
                if n == total // 2:
                    half_sent.set()
                await asyncio.sleep(0.02)

        async def follow(sock: LiveSocket) -> tuple[list[int], int | None, list[int]]:
            before: list[int] = []
            code = await receive_ids(sock, before)
            sock, after = await reconnect(url, before[-1] if before else None)
            opened.append(sock)
            while not after or after[-1] < total:
                frame = await sock.recv(timeout=30)
                if frame["type"] == "message":
                    after.append(frame["message"]["id"])
            return before, code, after

        sending = asyncio.create_task(keep_sending())
        following = [asyncio.create_task(follow(sock)) for sock in receivers]
        await asyncio.wait_for(half_sent.wait(), 30)
        doomed.proc.send_signal(how)
        await asyncio.wait_for(sending, 60)
        results = await asyncio.wait_for(asyncio.gather(*following), 60)

        await asyncio.to_thread(doomed.proc.wait, 15)  # gone: every socket resumed on the survivor
        assert acked == list(range(1, total + 1))
        for before, code, after in results:
            assert before + after == list(range(1, total + 1)), (before, after)  # no gap, no repeat
            if how == signal.SIGTERM:
                assert code == 1001  # "going away": the browser reconnects at once
    finally:
        for sock in opened:
            await sock.close()


def test_make_run_with_two_workers_serves_one_address_and_stops_everything(tmp_path):
    """``make run WORKERS=2``: one port, nginx in front of two Daphne
    processes; one of them killed, the address still answers and the
    launcher starts it again; SIGTERM stops nginx too."""
    from tests.ops.test_launcher import (
        START_TIMEOUT_S,
        STOP_TIMEOUT_S,
        Launcher,
        accepts_connections,
        is_named,
        wait_for_health,
    )

    nginx_binary()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    launcher = Launcher(tmp_path / "var", port, WORKERS="2")
    seen: list[psutil.Process] = []
    try:
        opener = urllib.request.build_opener()
        wait_for_health(opener, base, launcher, START_TIMEOUT_S)
        assert "nginx in front of 2 Daphne processes" in launcher.log()
        seen = launcher.descendants()
        daphnes = [p for p in seen if is_named(p, "daphne")]
        assert len(daphnes) == 2 and any(is_named(p, "nginx") for p in seen), seen

        daphnes[0].kill()
        name = launcher.wait_for_line(rf"(Daphne \d) \(pid {daphnes[0].pid}\) exited with code -9", 10).group(1)
        assert wait_for_health(opener, base, launcher, 10)["status"] == "ok"  # the other one answers
        launcher.wait_for_line(rf"{name} started again", 15)
        seen += launcher.descendants()

        launcher.proc.send_signal(signal.SIGTERM)
        launcher.proc.wait(timeout=STOP_TIMEOUT_S + 10)
        left = [p for p in seen if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        assert not left, f"still running after SIGTERM: {left}\n{launcher.log()}"
        assert not accepts_connections(port)
    finally:
        launcher.kill_everything([p for p in seen if p.is_running()] or launcher.descendants())


@pytest.mark.parametrize("workers", ["0", "two", "99"])
def test_make_run_refuses_a_bad_workers_count_in_one_line(tmp_path, workers):
    env = child_env(BALAI_VAR_DIR=str(tmp_path / "var"), PORT=str(free_port()), WORKERS=workers)
    result = subprocess.run([sys.executable, "-m", "ops.launch", "run"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()] and "WORKERS" in result.stderr
    assert not (tmp_path / "var").exists()  # refused before starting anything
