"""The deployment files in ops/deploy/ are what their engines accept (issue
12 item 5): nginx -t, systemd-analyze verify, a Redis and a Sentinel started
on them, PostgreSQL's own parameter list, and a dashboard querying only
metrics the app exports."""

from __future__ import annotations

import os
import shutil

import pytest

from ops import deploycheck


def run_check(name: str, tmp_path) -> list[str]:
    try:
        return deploycheck.CHECKS[name](tmp_path)
    except deploycheck.Skipped as why:
        if name in {"nginx", "redis"} and os.environ.get("BALAI_REQUIRE_E2E") == "1":
            pytest.fail(f"CI installs it: {why}")
        pytest.skip(str(why))


@pytest.mark.parametrize("name", list(deploycheck.CHECKS))
def test_the_deployment_files_pass_their_engines_checks(name, tmp_path):
    assert run_check(name, tmp_path) == []


@pytest.fixture
def deploy_copy(tmp_path, monkeypatch):
    copy = tmp_path / "deploy"
    shutil.copytree(deploycheck.DEPLOY, copy)
    monkeypatch.setattr(deploycheck, "DEPLOY", copy)
    (tmp_path / "work").mkdir()
    return copy, tmp_path / "work"


def test_a_redis_configuration_that_may_evict_is_refused(deploy_copy):
    copy, work = deploy_copy
    conf = copy / "redis" / "balai.conf"
    conf.write_text(conf.read_text().replace("maxmemory-policy noeviction", "maxmemory-policy allkeys-lru"))
    problems = run_check("redis", work)
    assert any("maxmemory-policy" in p and "noeviction" in p for p in problems), problems


def test_an_nginx_site_without_the_websocket_upgrade_map_is_refused(deploy_copy):
    copy, work = deploy_copy
    site = copy / "nginx" / "balai.conf"
    site.write_text(site.read_text().replace("map $http_upgrade $connection_upgrade", "map $http_upgrade $other"))
    problems = run_check("nginx", work)
    assert any("connection_upgrade" in p for p in problems), problems


def test_a_dashboard_querying_a_metric_the_app_does_not_export_is_refused(deploy_copy):
    copy, work = deploy_copy
    dashboard = copy / "grafana" / "balai-dashboard.json"
    dashboard.write_text(dashboard.read_text().replace("balai_ws_sockets_open", "balai_ws_sockets_opened"))
    problems = run_check("grafana", work)
    assert any("balai_ws_sockets_opened" in p for p in problems), problems
