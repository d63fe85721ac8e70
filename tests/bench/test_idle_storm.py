"""The idle-capacity (``bench.idle``) and reconnect-storm (``bench.storm``)
benchmarks at tiny scale: the harness works end to end against real Daphne
and ``websockets`` servers, real Redis and a SQLite file of the test's own,
with its clients spread over two processes and loopback addresses.

No timing is asserted (speed is the benchmark's business): every socket
wanted was opened and stayed open; every client of the storm rejoined and
caught up with no gap, no duplicate and nothing lost, and the official's
messages were all published and delivered.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.bench.test_qa_session import bench_redis_url
from tests.live import ROOT

pytestmark = pytest.mark.live


def run_bench(module: str, tmp_path, *argv: str) -> dict:
    out = tmp_path / f"{module}.json"
    subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *argv, "--redis-url", bench_redis_url(),
         "--database-url", f"sqlite:///{tmp_path / 'hub.sqlite3'}", "--json", str(out)],
        cwd=ROOT, env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"}, check=True, timeout=300,
        capture_output=True)
    return json.loads(out.read_text())


def test_idle_sockets_are_opened_joined_and_kept_open_on_every_server(tmp_path):
    result = run_bench("idle", tmp_path, "--sizes", "10,30", "--connect-s", "60", "--workers", "2",
                       "--warmup", "4", "--settle", "0.5", "--window", "0.5")

    assert set(result) == {"hub", "baseline", "bare"}
    for kind, figures in result.items():
        assert "error" not in figures, figures
        assert set(figures["sizes"]) == {"10", "30"}, kind
        for size, row in figures["sizes"].items():
            # Every socket wanted was opened (and, on the hub, joined) and was
            # still open after the idle window; the server closed none.
            assert row["open"] == row["opened"] == int(size), (kind, row)
            assert row["failed"] == 0 and row["cut"] == 0 and row["closed_by_server"] == 0, (kind, row)
            assert row["workers"] == 2
            assert row["rss_mib"] > 0


def test_a_tiny_storm_rejoins_every_client_without_gaps_duplicates_or_loss(tmp_path):
    result = run_bench("storm", tmp_path, "--clients", "20", "--workers", "2", "--history", "10",
                       "--jitter", "1", "--steady", "1", "--join-s", "60", "--storm-s", "60", "--drain", "30")

    assert "error" not in result, result
    assert result["clients"] == 20 and result["join_failures"] == {}
    # Every client reconnected, rejoined with its last id and caught up.
    assert result["rejoined"] == 20 and result["caught_up"] == 20 and result["not_back"] == 0
    assert result["all_caught_up_s"] is not None
    assert result["storm_failures"] == {} and result["server_closes"] == 0
    # Its ids stayed contiguous: nothing missed, nothing twice, nothing lost.
    assert result["gaps"] == 0 and result["duplicates"] == 0 and result["lost"] == 0
    assert result["behind"] == 0
    # The official's live messages were all published, and each reached every client.
    assert result["official_sent_total"] > 0 and result["official_unacked"] == 0
    assert result["official_published_total"] == result["official_sent_total"]
    assert result["final_id"] == 10 + result["official_sent_total"]
    assert result["received"] == 20 * result["official_sent_total"]
    assert result["deliveries"] > 0
