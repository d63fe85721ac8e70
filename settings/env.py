"""Reading configuration from the environment.

Every environment variable Balai Warga reads goes through this module, so a bad
value fails with one line naming the variable (``ConfigError``), never a
traceback from deep inside Django or redis-py.
"""

from __future__ import annotations

import ipaddress
import os
import re
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

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

#: ``REDIS_URL``'s scheme for a Redis watched by Sentinel.
SENTINEL_SCHEME = "redis+sentinel"
SENTINEL_PORT = 26379
SENTINEL_FORM = "redis+sentinel://host:26379,host:26379/master/db"
#: How long asking one sentinel may take before the next is asked.
SENTINEL_TIMEOUT_S = 2.0


class SentinelAddress(NamedTuple):
    """A ``redis+sentinel://`` ``REDIS_URL``, parsed: the sentinels to ask,
    the master's name as they know it, the database, and the primary's
    credentials (the sentinels themselves take none)."""

    sentinels: tuple[tuple[str, int], ...]
    master: str
    db: int
    username: str | None
    password: str | None


def redis_url(url: str | None) -> str:
    """Validate ``REDIS_URL``. ``make run``/``make test`` set it to the embedded
    Redis they start when it is unset; a bare ``manage.py`` falls back to a
    local Redis on the default port. ``redis+sentinel://`` names Sentinels
    instead of a Redis (``sentinel_address``)."""
    if url is None:
        return DEFAULT_REDIS_URL
    parts = urlsplit(url)
    if parts.scheme == SENTINEL_SCHEME:
        sentinel_address(url)
        return url
    if parts.scheme not in {"redis", "rediss", "unix"}:
        raise ConfigError("REDIS_URL", f"unsupported scheme {parts.scheme or '(none)'!r}; use redis://host:port/db "
                                       f"or {SENTINEL_FORM}")
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


_SENTINEL_HOST = re.compile(r"(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[^\[\]:/]+))(?::(?P<port>[^:]*))?")


def sentinel_address(url: str) -> SentinelAddress | None:
    """``redis+sentinel://[[user]:password@]host[:port],host[:port]…/master[/db]``
    parsed (``None`` for any other scheme): one or more sentinels (port
    26379 unless given), the master's name as in ``sentinel monitor``, and
    the database (0 unless given). The credentials are the primary's."""
    scheme, sep, rest = url.partition("://")
    if scheme != SENTINEL_SCHEME or not sep:
        return None
    if "?" in rest or "#" in rest:
        raise ConfigError("REDIS_URL", f"takes no ?options with {SENTINEL_SCHEME}; use {SENTINEL_FORM}")
    netloc, _, path = rest.partition("/")
    userinfo, at, hosts = netloc.rpartition("@")
    username = password = None
    if at:
        user, colon, secret = userinfo.partition(":")
        username = unquote(user) or None
        password = unquote(secret) if colon else None
    sentinels = []
    for item in hosts.split(",") if hosts.strip() else []:
        item = item.strip()
        match = _SENTINEL_HOST.fullmatch(item)
        if match is None:
            raise ConfigError("REDIS_URL", f"sentinel {item!r} is not host:port")
        port = match["port"]
        if port is not None and not (port.isdigit() and 0 < int(port) < 65536):
            raise ConfigError("REDIS_URL", f"sentinel {item!r} has a malformed port")
        sentinels.append((match["v6"] or match["host"], int(port) if port else SENTINEL_PORT))
    if not sentinels:
        raise ConfigError("REDIS_URL", f"names no sentinel; use {SENTINEL_FORM}")
    path = path.rstrip("/")
    segments = path.split("/") if path else []
    if not segments or not segments[0]:
        raise ConfigError("REDIS_URL", f"names no master (the name in `sentinel monitor`); use {SENTINEL_FORM}")
    if len(segments) > 2:
        raise ConfigError("REDIS_URL", f"has more than /master/db after the sentinels; use {SENTINEL_FORM}")
    master, db = unquote(segments[0]), segments[1] if len(segments) == 2 else ""
    if db and not db.isdigit():
        raise ConfigError("REDIS_URL", f"database must be a number, got {db!r}")
    return SentinelAddress(tuple(sentinels), master, int(db or 0), username, password)


def channel_layer_host(url: str) -> str | dict:
    """channels-redis's ``hosts`` entry for ``REDIS_URL``: the URL itself, or
    for Sentinel the dict channels-redis turns into a
    ``redis.asyncio.sentinel.SentinelConnectionPool``."""
    address = sentinel_address(url)
    if address is None:
        return url
    host = {"master_name": address.master, "sentinels": [list(pair) for pair in address.sentinels],
            "sentinel_kwargs": {"socket_connect_timeout": SENTINEL_TIMEOUT_S, "socket_timeout": SENTINEL_TIMEOUT_S},
            "db": address.db}
    if address.username:
        host["username"] = address.username
    if address.password is not None:
        host["password"] = address.password
    return host


def cache_config(url: str, *, key_prefix: str) -> dict:
    """Django's ``RedisCache`` for ``REDIS_URL``. For Sentinel, ``LOCATION``
    is a one-item list (Django would split a string at the commas between
    the sentinels) and ``OPTIONS`` names its ``pool_class`` hook a pool that
    follows the primary (``common.redis.SentinelCachePool``)."""
    config = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": key_prefix}
    if sentinel_address(url) is not None:
        config.update(LOCATION=[url], OPTIONS={"pool_class": "common.redis.SentinelCachePool"})
    return config
