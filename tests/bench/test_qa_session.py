"""The live Q&A session benchmark (``bench.qa``) at tiny scale: the harness
works end to end against a real Daphne, real Redis and its own SQLite file.

No timing is asserted (speed is the benchmark's business): the votes sent
are exactly the votes counted in the database, and every socket of the
audience, and the console, received ranking frames showing them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.live import ROOT

pytestmark = pytest.mark.live


def bench_redis_url() -> str:
    """A Redis DB the benchmark may flush: the test's own, or DB 1 of the
    private Redis ``ops.launch`` started (the benchmark refuses DB 0)."""
    url = os.environ["REDIS_URL"]
    match = re.search(r"/(\d+)$", url)
    if match and match.group(1) != "0":
        return url
    return re.sub(r"/\d+$", "", url) + "/1"


def test_a_tiny_session_counts_every_vote_exactly_and_every_socket_sees_the_ranking(tmp_path):
    out = tmp_path / "qa.json"
    subprocess.run(
        [sys.executable, "-m", "bench.qa", "--sockets", "20", "--citizens", "6", "--voters", "6",
         "--initial", "4", "--votes", "5", "--questions", "1", "--seconds", "2", "--workers", "2",
         "--drain", "30", "--redis-url", bench_redis_url(), "--var-dir", str(tmp_path / "var"),
         "--json", str(out)],
        cwd=ROOT, env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"}, check=True, timeout=300,
        capture_output=True)
    result = json.loads(out.read_text())

    assert result["votes_sent"] == 10
    assert result["votes_accepted"] == 10, result["errors"]
    assert result["errors"] == {}
    # Question.votes == qa.Vote rows == votes accepted, for every question.
    assert result["exact"], result["counts"]
    assert result["votes_unanswered"] == 0
    assert sum(accepted for accepted, _votes, _rows, _unanswered in result["counts"].values()) == 10
    assert all(accepted == votes for accepted, votes, _rows, _unanswered in result["counts"].values())
    # 20 sockets: 13 guests in two processes, 6 voters, the console.
    assert result["audience_processes"] == 2
    assert result["audience_rankings"] > 0 and result["sockets_without_ranking"] == 0
    assert result["missed"] == 0 and result["pairs"] == 10 * 13
    assert result["stale_sockets"] == 0 and result["closed"] == 0
    # The console saw every vote's count and every question approved during the run.
    assert result["console_vote_missed"] == 0 and result["console_current"]
    assert result["asks_sent"] == 2 and result["approved_during_run"] == 2
    assert result["console_questions_missed"] == 0
    # Two seconds of votes fall in one 20-s window: its p99 is the run's; the
    # server's garbage collections were read from its metrics endpoint.
    assert result["p99_ms_by_window"] == [result["p99_ms"]]
    assert isinstance(result["server_full_collections"], int) and result["server_full_collections"] >= 0
