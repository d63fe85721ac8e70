"""Checks the deployment files in ``ops/deploy/`` with the engines that will
read them (runs before Django loads; CI: ``python -m ops.deploycheck``).

- nginx: ``nginx -t`` on the site, under a test prefix (the certificate a
  throw-away self-signed one, the snippet and log paths pointed into a
  temporary folder; nothing under /etc is read or written);
- systemd: ``systemd-analyze verify`` on the units (``ExecStart`` pointed
  at this checkout's virtualenv, which must exist for verify to pass);
- Redis: a ``redis-server`` started on the configuration (on a free loopback
  port and a temporary folder) must come up with ``noeviction`` and the
  append-only file; a Sentinel on ``sentinel.conf`` must watch it;
- PostgreSQL: every parameter of ``balai.conf`` is one the server knows
  (``postgres --describe-config``);
- Grafana: the dashboard is JSON and every metric it queries is one the app
  exports (``common/metrics.py``, ``ops/metrics.py``).

A check whose engine is not installed is reported as skipped; CI installs
nginx and redis, and runs with ``--require`` so that none is skipped there.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ops import nginx

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "ops" / "deploy"
TIMEOUT_S = 30


class Skipped(Exception):
    """The engine a check needs is not installed."""


def _run(args: list[str], **options) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT_S, **options)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def check_nginx(tmp: Path) -> list[str]:
    binary = nginx.binary()
    if binary is None:
        raise Skipped("nginx is not installed")
    if not shutil.which("openssl"):
        raise Skipped("openssl is not installed (a test certificate is needed)")
    certificate, key = tmp / "fullchain.pem", tmp / "privkey.pem"
    made = _run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                 "/CN=balai.test", "-keyout", str(key), "-out", str(certificate)])
    if made.returncode != 0:
        return [f"openssl could not make a test certificate: {made.stderr.strip()}"]
    site = (DEPLOY / "nginx" / "balai.conf").read_text()
    site = re.sub(r"/etc/letsencrypt/live/[^/]+/", f"{tmp}/", site)
    site = site.replace("/etc/nginx/snippets/balai-proxy.conf", str(nginx.PROXY_SNIPPET))
    site = site.replace("/var/log/nginx/", f"{tmp}/")
    (tmp / "balai.conf").write_text(site)
    (tmp / "nginx.conf").write_text(
        f"pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\nevents {{}}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    include {tmp}/balai.conf;\n}}\n")
    result = _run([*nginx.command(binary, tmp, tmp / "nginx.conf"), "-t"])
    if result.returncode != 0:
        return [f"nginx -t refuses ops/deploy/nginx/balai.conf:\n{result.stderr.strip()}"]
    return []


def check_systemd(tmp: Path) -> list[str]:
    binary = shutil.which("systemd-analyze")
    if binary is None:
        raise Skipped("systemd-analyze is not installed")
    venv = Path(sys.prefix)
    units = []
    for unit in sorted((DEPLOY / "systemd").glob("balai*")):
        if unit.suffix not in {".service", ".target"}:
            continue
        text = unit.read_text().replace("/srv/balai/venv", str(venv)).replace("/srv/balai/app", str(ROOT))
        (tmp / unit.name).write_text(text)
        units.append(tmp / (unit.name.replace("@.", "@8001.") if "@." in unit.name else unit.name))
    # The units they name must be found beside them.
    result = _run([binary, "verify", *map(str, units)], env={**os.environ, "SYSTEMD_UNIT_PATH": f"{tmp}:"})
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if line.strip() and "balai" in line and "not found" not in line.lower()
                and "unit configured to use" not in line]  # ProtectSystem/ReadWritePaths on a machine without /srv
    if result.returncode != 0 and not problems:
        problems = [(result.stdout + result.stderr).strip()]
    return [f"systemd-analyze verify: {line}" for line in problems]


def _redis_cli(port: int, *command: str) -> str:
    result = _run([shutil.which("redis-cli") or "redis-cli", "-p", str(port), *command])
    return result.stdout.strip()


def _wait_for(port: int, proc: subprocess.Popen) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if _redis_cli(port, "ping") == "PONG":
            return True
        time.sleep(0.1)
    return False


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def check_redis(tmp: Path) -> list[str]:
    server = shutil.which("redis-server")
    if server is None or shutil.which("redis-cli") is None:
        raise Skipped("redis-server/redis-cli are not installed")
    port, sentinel_port = _free_port(), _free_port()
    # The file as Redis reads it; port, folder and log overridden for the check.
    proc = subprocess.Popen([server, str(DEPLOY / "redis" / "balai.conf"), "--port", str(port), "--dir", str(tmp),
                             "--logfile", str(tmp / "redis.log"), "--daemonize", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    problems = []
    try:
        if not _wait_for(port, proc):
            said = proc.stderr.read() if proc.poll() is not None else ""
            log = (tmp / "redis.log").read_text() if (tmp / "redis.log").exists() else ""
            return [f"redis-server refuses ops/deploy/redis/balai.conf:\n{said}{log}"]
        expected = {"maxmemory-policy": "noeviction", "appendonly": "yes", "appendfsync": "everysec"}
        for name, value in expected.items():
            got = _redis_cli(port, "config", "get", name).splitlines()
            if got[-1:] != [value]:
                problems.append(f"ops/deploy/redis/balai.conf: {name} is {got[-1:]}, expected {value}")
        problems += _check_sentinel(tmp, port, sentinel_port)
    finally:
        _stop(proc)
    return problems


def _check_sentinel(tmp: Path, redis_port: int, port: int) -> list[str]:
    # Sentinel rewrites its file: a copy, watching the Redis started above.
    text = (DEPLOY / "redis" / "sentinel.conf").read_text()
    text = re.sub(r"^(sentinel monitor balai) \S+ \d+", rf"\1 127.0.0.1 {redis_port}", text, flags=re.M)
    text = re.sub(r"^port \d+", f"port {port}", text, flags=re.M)
    text = re.sub(r"^dir \S+", f"dir {tmp}", text, flags=re.M)
    (tmp / "sentinel.conf").write_text(text)
    proc = subprocess.Popen([shutil.which("redis-server"), str(tmp / "sentinel.conf"), "--sentinel",
                             "--logfile", str(tmp / "sentinel.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not _wait_for(port, proc):
            log = (tmp / "sentinel.log").read_text() if (tmp / "sentinel.log").exists() else ""
            return [f"redis-server --sentinel refuses ops/deploy/redis/sentinel.conf:\n{log}"]
        address = _redis_cli(port, "sentinel", "get-master-addr-by-name", "balai").splitlines()
        if address != ["127.0.0.1", str(redis_port)]:
            return [f"the sentinel does not watch the primary 'balai': {address}"]
    finally:
        _stop(proc)
    return []


def check_postgresql(tmp: Path) -> list[str]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if not found:
        raise Skipped("PostgreSQL's server is not installed")
    result = _run([found[-1], "--describe-config"])
    known = {line.split("\t", 1)[0] for line in result.stdout.splitlines()}
    problems = []
    for line in (DEPLOY / "postgresql" / "balai.conf").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and (name := line.split("=", 1)[0].strip()) not in known:
            problems.append(f"ops/deploy/postgresql/balai.conf: PostgreSQL has no parameter {name!r}")
    return problems


#: Metric names the app exports (a histogram adds _bucket/_count/_sum, a counter _total).
def exported_metrics() -> set[str]:
    names = set()
    for path in (ROOT / "common" / "metrics.py", ROOT / "ops" / "metrics.py"):
        text = path.read_text()
        names |= {f"{name}_total" for name in re.findall(r'Counter\(\s*"(\w+)"', text)}
        for name in re.findall(r'Histogram\(\s*"(\w+)"', text):
            names |= {f"{name}_bucket", f"{name}_count", f"{name}_sum"}
        names |= set(re.findall(r'GaugeMetricFamily\(\s*"(\w+)"', text))
    return names


def check_grafana(tmp: Path) -> list[str]:
    problems = []
    exported = exported_metrics()
    for path in sorted((DEPLOY / "grafana").glob("*.json")):
        shown = f"ops/deploy/grafana/{path.name}"
        try:
            dashboard = json.loads(path.read_text())
        except ValueError as exc:
            problems.append(f"{shown} is not JSON: {exc}")
            continue
        queries = [target["expr"] for panel in dashboard.get("panels", [])
                   for target in panel.get("targets", []) if "expr" in target]
        if not queries:
            problems.append(f"{shown} has no Prometheus query")
        for expr in queries:
            for name in set(re.findall(r"\b(balai_\w+)", expr)) - exported:
                problems.append(f"{shown} queries {name}, which the app does not export")
    return problems


CHECKS: dict[str, Callable[[Path], list[str]]] = {
    "nginx": check_nginx,
    "systemd": check_systemd,
    "redis": check_redis,
    "postgresql": check_postgresql,
    "grafana": check_grafana,
}


def run(names: list[str] | None = None) -> tuple[dict[str, list[str]], dict[str, str]]:
    """``({check: problems}, {check: why skipped})``."""
    results, skipped = {}, {}
    for name in names or list(CHECKS):
        with tempfile.TemporaryDirectory(prefix=f"balai-{name}-") as tmp:
            try:
                results[name] = CHECKS[name](Path(tmp))
            except Skipped as why:
                skipped[name] = str(why)
    return results, skipped


def main(argv: list[str]) -> None:
    require = "--require" in argv
    results, skipped = run()
    failed = False
    for name, problems in results.items():
        print(f"[balai] deploy check {name}: {'ok' if not problems else 'FAILED'}")
        for problem in problems:
            print("  " + problem.replace("\n", "\n  "))
        failed |= bool(problems)
    for name, why in skipped.items():
        print(f"[balai] deploy check {name}: skipped ({why})")
        failed |= require and name in {"nginx", "redis"}
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
