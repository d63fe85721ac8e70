"""Prometheus metrics and structured logs (issue 12 item 6): each process
serves its metrics on a loopback port of its own, never on the public one;
the hub's counters move as sockets join and talk; production logs are JSON
lines carrying the request or connection id."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import urllib.error
import urllib.request

import psutil
import pytest
from asgiref.sync import sync_to_async
from prometheus_client.parser import text_string_to_metric_families

from accounts.choices import Role
from chat.services import room_upsert
from common import jobs
from ops.metrics import BacklogCollector
from tests.hub import create_user
from tests.live import ROOT, daphne_process, free_port
from tests.ops.processes import child_env
from tests.realtime.test_live import LiveSocket


def scrape(port: int) -> dict[tuple[str, tuple], float]:
    """``{(sample name, sorted labels): value}`` from ``/metrics``."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


@pytest.fixture
def app_with_metrics(transactional_db):
    """One Daphne serving metrics on its own loopback port: ``(url, metrics port, process)``."""
    from django.db import connection

    room_upsert(slug="bupati", title="Ruang Bupati")
    port = free_port()
    with daphne_process(connection.settings_dict, extra_env={"METRICS_PORT": str(port)}) as (url, proc):
        yield url, port, proc


@pytest.mark.live
async def test_metrics_move_when_a_socket_joins_and_a_message_fans_out(app_with_metrics):
    url, port, _proc = app_with_metrics
    before = await sync_to_async(scrape)(port)
    assert before[("balai_ws_sockets_open", ())] == 0
    official = await LiveSocket.open(url, await sync_to_async(create_user)("bupati", role=Role.OFFICIAL))
    guest = await LiveSocket.open(url)
    try:
        for sock in (official, guest):
            await sock.join()
        ack = await official.say("Selamat pagi")
        assert ack["status"] == "published"
        await guest.recv_until("message")
        after = await sync_to_async(scrape)(port)
    finally:
        for sock in (official, guest):
            await sock.close()

    room = (("kind", "room"),)
    assert after[("balai_ws_sockets_open", ())] == 2
    assert after[("balai_ws_joins_total", room)] - before.get(("balai_ws_joins_total", room), 0) == 2
    assert after[("balai_topics", room)] == 1 and after[("balai_topic_sockets", room)] == 2
    # join + ping + join + ping + send, at least
    assert after[("balai_ws_frames_in_total", ())] - before[("balai_ws_frames_in_total", ())] >= 5
    fanout = (("path", "fanout"),)
    assert after[("balai_ws_frames_out_total", fanout)] - before.get(("balai_ws_frames_out_total", fanout), 0) >= 2
    assert after[("balai_fanout_seconds_count", ())] > before[("balai_fanout_seconds_count", ())]


@pytest.mark.live
def test_the_metrics_are_not_on_the_public_port_and_listen_on_loopback_only(app_with_metrics):
    url, port, proc = app_with_metrics
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url + "/metrics", timeout=10)
    assert refused.value.code == 404
    listening = [c for c in psutil.Process(proc.pid).net_connections(kind="inet")
                 if c.status == psutil.CONN_LISTEN and c.laddr.port == port]
    assert [c.laddr.ip for c in listening] == ["127.0.0.1"]


def test_the_worker_reports_the_job_backlog_and_the_moderation_queues(db):
    jobs.register_job("test.metrics", lambda payload: None)
    try:
        for n in range(3):
            jobs.enqueue("test.metrics", {"n": n})
        families = {family.name: family for family in BacklogCollector().collect()}
    finally:
        jobs._jobs.pop("test.metrics", None)
    backlog = {sample.labels["state"]: sample.value for sample in families["balai_jobs_backlog"].samples}
    assert backlog == {"waiting": 3, "pending": 0}
    queues = {sample.labels["queue"]: sample.value for sample in families["balai_moderation_queue_items"].samples}
    assert queues and set(queues.values()) == {0}  # every queue named, none waiting


def test_a_request_gets_an_id_in_its_response(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-3f9a1c2b")
    assert response["X-Request-ID"] == "nginx-3f9a1c2b"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert forged["X-Request-ID"] != "<script>alert(1)</script>" and len(forged["X-Request-ID"]) == 32


def test_production_logs_are_json_lines_with_the_request_id(tmp_path):
    code = ("import django, logging; django.setup(); from common.logs import request_id; "
            "request_id.set('req-12345678'); logging.getLogger('balai.test').warning('Sampai jumpa %s', 'Pati')")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env=child_env(DJANGO_SETTINGS_MODULE="settings.prod", SECRET_KEY=secrets.token_urlsafe(64),
                      ALLOWED_HOSTS="balai.example", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "Sampai jumpa Pati" and line["level"] == "WARNING"
    assert line["logger"] == "balai.test" and line["request_id"] == "req-12345678"
    assert "connection_id" in line and "time" in line


def test_a_moderation_decision_is_timed_and_the_queue_length_follows(transactional_db):
    from prometheus_client import REGISTRY

    from moderation.services import item_claim_next, item_decide
    from tests.moderation.helpers import hold, moderator, user

    def decided(action: str) -> float:
        return REGISTRY.get_sample_value("balai_moderation_decision_seconds_count", {"action": action}) or 0

    def waiting(queue: str) -> float:
        families = {family.name: family for family in BacklogCollector().collect()}
        return {s.labels["queue"]: s.value for s in families["balai_moderation_queue_items"].samples}[queue]

    before = decided("approve")
    item = hold(user("warga"))
    assert waiting("chat") == 1
    mod = moderator()
    assert item_claim_next(moderator=mod, queue="chat").pk == item.pk
    item_decide(moderator=mod, item_id=item.pk, action="approve")
    assert decided("approve") == before + 1
    assert waiting("chat") == 0
