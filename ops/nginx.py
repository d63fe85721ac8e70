"""nginx in front of several app processes, for ``make run WORKERS=N`` and
the tests (runs before Django loads).

``write_config`` writes a self-contained nginx configuration under a prefix
folder (pid file, logs and temporary files there, nothing under /etc or
/var): one ``server`` listening on the public address, proxying every
request and WebSocket to the upstream ``balai_app`` — the app processes on
loopback — with the same proxy settings as the production site
(``ops/deploy/nginx/balai-proxy.conf``). ``command`` runs it in the
foreground, so the launcher supervises it like any other child.

nginx comes from Debian (``apt-get install nginx``; CI installs it).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROXY_SNIPPET = ROOT / "ops" / "deploy" / "nginx" / "balai-proxy.conf"
#: Debian puts nginx in /usr/sbin, which a non-root PATH may lack.
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
#: An app process that refused a connection is not tried again for this long.
FAIL_TIMEOUT_S = 2
#: Largest request body (forum photos are checked by the app, smaller).
MAX_BODY = "25m"


def binary() -> str | None:
    return shutil.which("nginx", path=SEARCH_PATH)


def config_text(prefix: Path, listen: str, upstreams: list[str]) -> str:
    """The configuration: ``listen`` is ``host:port``, ``upstreams`` the app
    processes' ``host:port``."""
    # As root, nginx's workers would run as nobody, who may not write under
    # the prefix (request bodies are buffered there); a developer's machine
    # only, production uses Debian's own nginx.conf and ops/deploy/nginx/.
    user = "user root;\n" if os.geteuid() == 0 else ""
    servers = "".join(f"        server {address} max_fails=1 fail_timeout={FAIL_TIMEOUT_S}s;\n"
                      for address in upstreams)
    temp = {name: prefix / "tmp" / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    temp_paths = "".join(f"    {name}_temp_path {path};\n" for name, path in temp.items())
    return f"""# Written by ops/nginx.py for `make run WORKERS={len(upstreams)}`; rewritten at each start.
{user}worker_processes auto;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
daemon off;

events {{
    worker_connections 8192;
}}

http {{
    access_log off;
{temp_paths}    client_max_body_size {MAX_BODY};

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}

    upstream balai_app {{
        least_conn;
{servers}    }}

    server {{
        listen {listen};
        location / {{
            include {PROXY_SNIPPET};
        }}
    }}
}}
"""


def write_config(prefix: Path, listen: str, upstreams: list[str]) -> Path:
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "tmp" / name).mkdir(parents=True, exist_ok=True)
    path = prefix / "nginx.conf"
    path.write_text(config_text(prefix, listen, upstreams))
    return path


def command(nginx: str, prefix: Path, config: Path, *extra: str) -> list[str]:
    """nginx in the foreground on ``config`` (``-e``: the start-up error log
    under the prefix too, not /var/log/nginx)."""
    return [nginx, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(config), *extra]
