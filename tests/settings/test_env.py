"""``settings.env``: every bad value is a ``ConfigError`` whose one-line
message starts with the variable's name."""

import pytest

from settings.env import (
    DEFAULT_REDIS_URL,
    ConfigError,
    SentinelAddress,
    cache_config,
    channel_layer_host,
    database_config,
    env_bool,
    env_header,
    env_int,
    env_list,
    env_networks,
    env_proxy_ssl_header,
    env_str,
    redis_url,
    sentinel_address,
)

SQLITE = "/tmp/balai-test.sqlite3"


def _one_line_naming(error: ConfigError, variable: str) -> str:
    text = str(error)
    assert error.variable == variable
    assert text.startswith(f"{variable}: ")
    assert "\n" not in text
    return text


@pytest.mark.parametrize("url", [
    "mysql://x",
    "mysql://user@host/db",
    "redis://127.0.0.1/0",
    "localhost:5432/db",
    "postgres://host:notaport/db",
    "postgres://user@host:5432",
    "postgres://user@host:5432/",
])
def test_bad_database_url_names_the_variable(url):
    with pytest.raises(ConfigError) as info:
        database_config(url, default_sqlite_path=SQLITE)
    _one_line_naming(info.value, "DATABASE_URL")


def test_unsupported_database_scheme_says_which():
    with pytest.raises(ConfigError) as info:
        database_config("mysql://x", default_sqlite_path=SQLITE)
    assert "'mysql'" in str(info.value)


@pytest.mark.parametrize(("url", "engine", "name"), [
    ("postgres://postgres@127.0.0.1:5432/balai", "django.db.backends.postgresql", "balai"),
    ("postgresql://u:p@db.internal/balai", "django.db.backends.postgresql", "balai"),
    ("sqlite:////tmp/x.sqlite3", "django.db.backends.sqlite3", "/tmp/x.sqlite3"),
])
def test_good_database_url(url, engine, name):
    config = database_config(url, default_sqlite_path=SQLITE)
    assert config["ENGINE"] == engine
    assert config["NAME"] == name


def test_unset_database_url_means_the_sqlite_file():
    config = database_config(None, default_sqlite_path=SQLITE)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == SQLITE


@pytest.mark.parametrize("url", [
    "redis://host:abc/0",
    "http://127.0.0.1:6379/0",
    "127.0.0.1:6379",
    "redis://:6379/0",
    "redis://127.0.0.1:6379/zero",
    "redis://127.0.0.1:99999/0",
])
def test_bad_redis_url_names_the_variable(url):
    with pytest.raises(ConfigError) as info:
        redis_url(url)
    _one_line_naming(info.value, "REDIS_URL")


@pytest.mark.parametrize("url", [
    "redis://127.0.0.1:6379/0", "rediss://user:pw@cache.example.org:6380/2", "redis://localhost", "unix:///tmp/r.sock",
])
def test_good_redis_url(url):
    assert redis_url(url) == url


def test_unset_redis_url_means_the_local_default():
    assert redis_url(None) == DEFAULT_REDIS_URL


@pytest.mark.parametrize(("url", "expected"), [
    ("redis+sentinel://10.0.0.5:26379,10.0.0.6:26379,10.0.0.7:26379/balai/0",
     SentinelAddress((("10.0.0.5", 26379), ("10.0.0.6", 26379), ("10.0.0.7", 26379)), "balai", 0, None, None)),
    ("redis+sentinel://sentinel.internal/balai",
     SentinelAddress((("sentinel.internal", 26379),), "balai", 0, None, None)),
    ("redis+sentinel://:s%40kret@[fd00::5]:26380,10.0.0.6/balai/3/",
     SentinelAddress((("fd00::5", 26380), ("10.0.0.6", 26379)), "balai", 3, None, "s@kret")),
    ("redis+sentinel://app:pw@h1:26379/cache-main/2", SentinelAddress((("h1", 26379),), "cache-main", 2, "app", "pw")),
])
def test_sentinel_url(url, expected):
    assert redis_url(url) == url
    assert sentinel_address(url) == expected


def test_a_plain_redis_url_is_no_sentinel_address():
    assert sentinel_address("redis://127.0.0.1:6379/0") is None


@pytest.mark.parametrize(("url", "problem"), [
    ("redis+sentinel://", "names no sentinel"),
    ("redis+sentinel:///balai/0", "names no sentinel"),
    ("redis+sentinel://10.0.0.5:26379", "names no master"),
    ("redis+sentinel://10.0.0.5:26379//0", "names no master"),
    ("redis+sentinel://10.0.0.5:abc/balai/0", "sentinel '10.0.0.5:abc' has a malformed port"),
    ("redis+sentinel://10.0.0.5:99999/balai/0", "sentinel '10.0.0.5:99999' has a malformed port"),
    ("redis+sentinel://10.0.0.5,,10.0.0.6/balai/0", "sentinel '' is not host:port"),
    ("redis+sentinel://10.0.0.5:1:2/balai/0", "sentinel '10.0.0.5:1:2' is not host:port"),
    ("redis+sentinel://10.0.0.5/balai/zero", "database must be a number, got 'zero'"),
    ("redis+sentinel://10.0.0.5/balai/0/1", "has more than /master/db"),
    ("redis+sentinel://10.0.0.5/balai/0?ssl=1", "takes no ?options"),
    ("sentinel://10.0.0.5/balai/0", "unsupported scheme 'sentinel'"),
])
def test_bad_sentinel_url_names_the_variable_and_the_problem(url, problem):
    with pytest.raises(ConfigError) as info:
        redis_url(url)
    _one_line_naming(info.value, "REDIS_URL")
    assert problem in info.value.problem


def test_a_sentinel_url_configures_the_channel_layer_and_the_cache_to_follow_the_primary():
    url = "redis+sentinel://:pw@10.0.0.5,10.0.0.6:26380/balai/2"
    host = channel_layer_host(url)
    assert {key: host[key] for key in ("master_name", "sentinels", "db", "password")} == {
        "master_name": "balai", "sentinels": [["10.0.0.5", 26379], ["10.0.0.6", 26380]], "db": 2, "password": "pw"}
    cache = cache_config(url, key_prefix="balai")
    # A list: Django would split a string at the commas between the sentinels.
    assert cache["LOCATION"] == [url]
    assert cache["OPTIONS"] == {"pool_class": "common.redis.SentinelCachePool"}


def test_a_plain_redis_url_configures_them_as_before():
    url = "redis://127.0.0.1:6379/0"
    assert channel_layer_host(url) == url
    assert cache_config(url, key_prefix="balai") == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "balai"}


@pytest.mark.parametrize(("value", "expected"), [
    ("1", True), ("true", True), ("TRUE", True), (" yes ", True), ("on", True),
    ("0", False), ("false", False), ("No", False), ("off", False),
])
def test_env_bool(monkeypatch, value, expected):
    monkeypatch.setenv("BALAI_X", value)
    assert env_bool("BALAI_X", not expected) is expected


@pytest.mark.parametrize("value", ["maybe", "2", "truee", "y e s"])
def test_env_bool_refuses_other_words(monkeypatch, value):
    monkeypatch.setenv("DEBUG", value)
    with pytest.raises(ConfigError) as info:
        env_bool("DEBUG", False)
    assert repr(value) in _one_line_naming(info.value, "DEBUG")


def test_env_bool_unset_or_empty_is_the_default(monkeypatch):
    monkeypatch.delenv("BALAI_X", raising=False)
    assert env_bool("BALAI_X", True) is True
    monkeypatch.setenv("BALAI_X", "")
    assert env_bool("BALAI_X", False) is False


def test_env_int(monkeypatch):
    monkeypatch.setenv("CHANNEL_CAPACITY", "250")
    assert env_int("CHANNEL_CAPACITY", 1000, minimum=10) == 250
    monkeypatch.delenv("CHANNEL_CAPACITY")
    assert env_int("CHANNEL_CAPACITY", 1000, minimum=10) == 1000


@pytest.mark.parametrize("value", ["abc", "1.5", "10k", "0x10"])
def test_env_int_refuses_non_numbers(monkeypatch, value):
    monkeypatch.setenv("EMAIL_PORT", value)
    with pytest.raises(ConfigError) as info:
        env_int("EMAIL_PORT", 25)
    assert "whole number" in _one_line_naming(info.value, "EMAIL_PORT")


def test_env_int_refuses_below_the_minimum(monkeypatch):
    monkeypatch.setenv("WS_MAX_MESSAGE_BYTES", "100")
    with pytest.raises(ConfigError) as info:
        env_int("WS_MAX_MESSAGE_BYTES", 65536, minimum=16384)
    assert "16384" in _one_line_naming(info.value, "WS_MAX_MESSAGE_BYTES")


def test_env_list_and_str(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " example.org, ,www.example.org ")
    assert env_list("ALLOWED_HOSTS", ["x"]) == ["example.org", "www.example.org"]
    monkeypatch.delenv("ALLOWED_HOSTS")
    assert env_list("ALLOWED_HOSTS", ["x"]) == ["x"]
    monkeypatch.setenv("LOG_LEVEL", "")
    assert env_str("LOG_LEVEL", "INFO") == "INFO"


def test_trusted_proxies_are_networks(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.5, 172.16.0.0/12,fd00::1")
    assert env_networks("TRUSTED_PROXIES") == ["10.0.0.5/32", "172.16.0.0/12", "fd00::1/128"]
    monkeypatch.delenv("TRUSTED_PROXIES")
    assert env_networks("TRUSTED_PROXIES") == []


@pytest.mark.parametrize("value", ["proxy.local", "10.0.0.0/33", "*"])
def test_a_bad_trusted_proxy_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("TRUSTED_PROXIES", f"10.0.0.1,{value}")
    with pytest.raises(ConfigError) as info:
        env_networks("TRUSTED_PROXIES")
    assert repr(value) in _one_line_naming(info.value, "TRUSTED_PROXIES")


def test_the_proxy_header_must_be_a_header_name(monkeypatch):
    assert env_header("TRUSTED_PROXY_HEADER", "X-Forwarded-For") == "X-Forwarded-For"
    monkeypatch.setenv("TRUSTED_PROXY_HEADER", "X-Real-IP")
    assert env_header("TRUSTED_PROXY_HEADER", "X-Forwarded-For") == "X-Real-IP"
    monkeypatch.setenv("TRUSTED_PROXY_HEADER", "X Forwarded: For")
    with pytest.raises(ConfigError) as info:
        env_header("TRUSTED_PROXY_HEADER", "X-Forwarded-For")
    _one_line_naming(info.value, "TRUSTED_PROXY_HEADER")


@pytest.mark.parametrize(("value", "default", "expected"), [
    (None, None, None),
    (None, "X-Forwarded-Proto", ("HTTP_X_FORWARDED_PROTO", "https")),
    ("X-Forwarded-Scheme", "X-Forwarded-Proto", ("HTTP_X_FORWARDED_SCHEME", "https")),
    ("none", "X-Forwarded-Proto", None),
])
def test_env_proxy_ssl_header(monkeypatch, value, default, expected):
    if value is None:
        monkeypatch.delenv("BALAI_X", raising=False)
    else:
        monkeypatch.setenv("BALAI_X", value)
    assert env_proxy_ssl_header("BALAI_X", default) == expected


def test_env_proxy_ssl_header_refuses_what_is_no_header_name(monkeypatch):
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https")
    with pytest.raises(ConfigError, match="SECURE_PROXY_SSL_HEADER"):
        env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER", None)
