"""Reading configuration from the environment.

Every environment variable Balai Warga reads goes through this module, so a bad
value fails with one line naming the variable (``ConfigError``), never a
traceback from deep inside Django or redis-py.
"""

from __future__ import annotations

import ipaddress
import os
import re
from urllib.parse import urlsplit

import dj_database_url


class ConfigError(Exception):
    """A configuration value is missing or malformed; ``str()`` is one line."""

    def __init__(self, variable: str, problem: str):
        self.variable = variable
        self.problem = problem
        super().__init__(f"{variable}: {problem}")


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(name, f"expected true/false, got {value!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(name, f"expected a whole number, got {value!r}") from None
    if number < minimum:
        raise ConfigError(name, f"must be at least {minimum}, got {number}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name: str) -> list[str]:
    """Comma-separated IP addresses or networks (``10.0.0.5,10.1.0.0/16``),
    each returned as a network in canonical form."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ConfigError(name, f"expected IP addresses or networks (10.0.0.0/8), got {item!r}") from None
    return networks


def env_header(name: str, default: str) -> str:
    """An HTTP header name (``X-Forwarded-For``)."""
    value = env_str(name, default)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", value):
        raise ConfigError(name, f"expected an HTTP header name such as X-Forwarded-For, got {value!r}")
    return value


def env_proxy_ssl_header(name: str, default: str | None) -> tuple[str, str] | None:
    """Django's ``SECURE_PROXY_SSL_HEADER`` from a header name
    (``X-Forwarded-Proto``): requests carrying it with ``https`` count as
    secure. ``none`` (or unset without a default): the connection's own scheme."""
    value = env_str(name, default)
    if value is None or value.strip().lower() in {"none", "off", "false"}:
        return None
    header = env_header(name, value)
    return ("HTTP_" + header.upper().replace("-", "_"), "https")


# A busy SQLite file waits instead of failing at once under the hub's
# concurrent writers, and a write transaction takes its lock up front. WAL lets
# readers (joins, replays) run beside the one writer; synchronous=NORMAL syncs
# at checkpoints, not at every commit (a power cut may lose the last commits,
# never corrupt the file — production runs PostgreSQL).
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def database_config(url: str | None, *, default_sqlite_path: str, conn_max_age: int = 60) -> dict:
    """Parse ``DATABASE_URL``; unset means the SQLite file under ``var/``.

    Connections are kept ``conn_max_age`` seconds (and health-checked): the
    hub runs all ORM work of a process through one thread, and opening a
    connection per WebSocket frame would cost more than the query.
    """
    if url is None:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": default_sqlite_path,
                "OPTIONS": dict(SQLITE_OPTIONS), "CONN_MAX_AGE": conn_max_age, "CONN_HEALTH_CHECKS": True}
    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ConfigError(
            "DATABASE_URL",
            f"unsupported scheme {scheme or '(none)'!r}; use postgres://user@host:port/name",
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types
        raise ConfigError("DATABASE_URL", f"cannot parse it ({exc})") from None
    if config.get("ENGINE", "").endswith("sqlite3"):
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    if config.get("ENGINE", "").endswith("postgresql") and not config.get("NAME"):
        raise ConfigError("DATABASE_URL", "names no database (…/DBNAME at the end)")
    return config


DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_url(url: str | None) -> str:
    """Validate ``REDIS_URL``. ``make run``/``make test`` set it to the embedded
    Redis they start when it is unset; a bare ``manage.py`` falls back to a
    local Redis on the default port."""
    if url is None:
        return DEFAULT_REDIS_URL
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss", "unix"}:
        raise ConfigError("REDIS_URL", f"unsupported scheme {parts.scheme or '(none)'!r}; use redis://host:port/db")
    if parts.scheme != "unix":
        try:
            parts.port  # noqa: B018 - raises ValueError on a malformed port
        except ValueError:
            raise ConfigError("REDIS_URL", "has a malformed port") from None
        if not parts.hostname:
            raise ConfigError("REDIS_URL", "names no host")
        db = parts.path.lstrip("/")
        if db and not db.isdigit():
            raise ConfigError("REDIS_URL", f"database must be a number, got {db!r}")
    return url
