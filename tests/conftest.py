"""Fixtures shared by the whole suite. Redis and the database are real:
``make test`` starts an embedded Redis (or uses ``REDIS_URL``) and SQLite (or
``DATABASE_URL``)."""

from __future__ import annotations

import os

import pytest
import redis
from django.conf import settings

from tests.live import daphne_server
from tests.signin import force_login_passing_second_step

pytest_plugins = ["tests.fixtures"]


@pytest.fixture(scope="session", autouse=True)
def _force_login_passes_the_second_step():
    """``Client.force_login`` signs staff in with the second step passed
    (tests/signin.py); tests of the step use ``force_login_unverified``."""
    from django.test import Client

    original = Client.force_login
    Client.force_login = force_login_passing_second_step
    yield
    Client.force_login = original


@pytest.fixture(autouse=True)
def _clean_redis():
    """Every test starts with an empty Redis database."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture(autouse=True)
def _topic_kinds_forget_the_last_database():
    """Each test has a database of its own (ids may be reused): the topic
    kinds' in-memory shares of the previous one must not serve it."""
    from realtime import topics

    topics.forget_all()


@pytest.fixture
def redis_client(_clean_redis):
    return _clean_redis


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """SQLite: put the test database in a file so live servers can open it."""
    from pathlib import Path

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        # One test database per run: concurrent runs against one server never collide.
        db.setdefault("TEST", {})["NAME"] = f"test_balai_{os.getpid()}"
    if db["ENGINE"].endswith("sqlite3"):
        var = Path(settings.VAR_DIR)
        var.mkdir(parents=True, exist_ok=True)
        # One file per test run: concurrent runs on one checkout never share it.
        db.setdefault("TEST", {})["NAME"] = str(var / f"test-db-{os.getpid()}.sqlite3")


@pytest.fixture
def live_server_url(transactional_db):
    """One Daphne serving the test database; yields its base URL."""
    from django.db import connection

    with daphne_server(connection.settings_dict) as url:
        yield url


@pytest.fixture(scope="session", autouse=True)
def _no_stray_connections_at_teardown(django_db_setup, django_db_blocker):
    """PostgreSQL refuses to drop a test database that live servers or worker
    threads still hold a connection to; end those sessions first."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
