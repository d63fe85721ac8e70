"""The scenarios ``make bench`` runs beside the fan-out (``bench.suite``
parts ``notify``, ``moderation`` and ``forum``) at tiny scale: each harness
works end to end against real Daphne processes, a real worker, real Redis and
a database of its own, and its rows for the suite's table say what a reader
must see.

No timing is asserted (speed is the benchmark's business): everything sent
arrived exactly once, every count in the database is exact.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bench import announce, forum, moderation
from tests.bench.test_qa_session import bench_redis_url
from tests.live import ROOT

pytestmark = pytest.mark.live


def run_cli(module: str, *argv: str, out, env: dict | None = None) -> dict:
    subprocess.run([sys.executable, "-m", module, *argv, "--json", str(out)], cwd=ROOT, check=True, timeout=300,
                   capture_output=True, env=env or {k: v for k, v in os.environ.items() if k != "DATABASE_URL"})
    return json.loads(out.read_text())


def test_an_announcement_reaches_every_citizen_once_and_every_online_socket_once(tmp_path):
    result = run_cli("bench.announce", "--recipients", "120", "--online", "12", "--timeout", "60",
                     "--redis-url", bench_redis_url(), out=tmp_path / "notify.json")["result"]

    assert result["post_status"] == 302
    assert result["rows"] == 120 and result["delivered"] == 120 and result["distinct_recipients"] == 120
    assert result["duplicates"] == 0 and result["missing_citizens"] == 0 and result["non_citizens"] == 0
    assert result["finished"]
    assert result["online"] == 12 and result["sockets_with_frame"] == 12
    assert result["sockets_with_extra_frames"] == 0 and result["sockets_closed"] == 0
    rows = announce.suite_rows(result)
    assert "120 / 120 / 0, exact; 12 of 12 |" in rows[1]


def test_held_messages_over_two_processes_all_reach_the_console_once_and_stay_pending(tmp_path):
    result = run_cli("bench.moderation", "--rate", "20", "--seconds", "2", "--senders", "6", "--rate-count", "50",
                     "--servers", "2", "--redis-url", bench_redis_url(), out=tmp_path / "moderation.json")["result"]

    assert result["submitted"] == 40 and result["held_acks"] == 40
    assert result["ack_status"] == {"held": 40} and result["errors"] == {}
    assert result["messages_in_db"] == 40 and result["queue_items"] == 40
    assert result["queue_items_pending"] == 40 and result["queue_items_on_stream"] == 40
    assert result["console_seen"] == 40 and result["lost"] == 0 and result["console_duplicates"] == 0
    assert moderation.complete(result)
    rows = moderation.suite_rows({"2": result})
    assert "40 / 40, 0 lost; 40; 0;" in rows[1] and "INCOMPLETE" not in rows[1]


def test_the_suite_runs_moderation_at_one_and_four_processes_within_the_chat_rate_limit():
    from argparse import Namespace

    for quick in (False, True):
        args = Namespace(quick=quick, database_url=None, redis_url="redis://127.0.0.1:6379/1")
        runs = [moderation.suite_namespace(args, *run) for run in moderation.SUITE_RUNS]
        assert [ns.servers for ns in runs] == [1, 4]
        assert all(moderation.bounds_error(ns) is None for ns in runs)
    assert [(ns.rate, ns.seconds) for ns in runs] == [(200.0, 4.0), (200.0, 3.0)]


@pytest.mark.skipif(not os.environ.get("BENCH_DATABASE_URL", "").startswith("postgres"),
                    reason="the forum benchmark runs on PostgreSQL: BENCH_DATABASE_URL=postgres://…/<name with bench>")
def test_the_forum_benchmark_times_every_list_search_and_statistics_request(tmp_path):
    result = run_cli("bench.forum", "--database-url", os.environ["BENCH_DATABASE_URL"], "--redis-url",
                     bench_redis_url(), "--aspirations", "300", "--replies", "900", "--repeat", "1",
                     out=tmp_path / "forum.json")

    assert result["aspirations"] == 300 and result["replies"] == 900
    kinds = [r["kind"] for r in result["requests"]]
    assert kinds.count("list") == 11 and kinds.count("search") == 8 and kinds.count("statistics") == 2
    rows = forum.suite_rows(result)
    assert [row.split(":")[1].split("(")[0].strip() for row in rows] == ["list", "search", "statistics"]
