"""The fan-out over several processes at tiny scale (issue 12 items 1 and 4):
the load generator spread over processes (``bench.spread``) against the hub
in two Daphne processes behind nginx (``bench.processes``, the topology of
``make run WORKERS=2``), real Redis, a SQLite file of the test's own.

No timing is asserted (speed is the benchmark's business): every message
reached every member, whichever app process and load-generator process the
member's socket landed on, and the counts merged from the processes add up.
"""

from __future__ import annotations

import asyncio
from argparse import Namespace

import pytest

from bench import processes, spread
from ops import nginx
from tests.bench.test_qa_session import bench_redis_url

pytestmark = pytest.mark.live

MEMBERS = 20


async def one_step(args) -> tuple[object, dict, int]:
    with processes.hub(args, 2) as (target, ports):
        room = spread.room(target, MEMBERS, 1, 3)  # the sender's process and 2 receiver processes
        await room.open()
        try:
            placed = processes.sockets_per_process(target, ports)
            result = await room.step(5.0, 2.0, drain_s=60.0, label="t")
        finally:
            await room.close()
        return result, placed, room.processes


def test_every_member_gets_every_message_over_two_hub_processes_and_three_load_generator_processes(tmp_path):
    if nginx.binary() is None:
        pytest.skip("nginx is not installed (apt-get install nginx)")
    args = Namespace(redis_url=bench_redis_url(), database_url=f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    result, placed, loadgen_processes = asyncio.run(one_step(args))

    assert loadgen_processes == 3 and result.extra["loadgen_processes"] == 3
    # nginx spread the room's sockets over both app processes.
    assert sum(placed.values()) == MEMBERS and all(placed.values()), placed
    assert result.sent == 10 and result.send_errors == 0
    assert result.expected == 10 * MEMBERS
    assert result.delivered == result.expected and result.lost == 0
    assert result.extra["members_complete"] == MEMBERS
    assert result.extra["messages_complete"] == result.sent
    # Every server-side process was measured: both Daphnes and nginx.
    assert set(result.extra["server_cpu_by_process"]) == {"Daphne 1", "Daphne 2", "nginx"}
