"""``realtime.db``: a connection that just served a call well is not
health-checked (``SELECT 1``) again within ``HEALTHY_FOR_S``; one idle for
longer is, and a dead one is replaced by that check before the call runs."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections

from realtime import db


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(db, "time", fake)
    return fake


@pytest.fixture
def persistent_connections(transactional_db):
    """As in production (``DB_CONN_MAX_AGE``, 60 s): connections outlive a call."""
    settings_dict = connections["default"].settings_dict
    before = settings_dict["CONN_MAX_AGE"], settings_dict["CONN_HEALTH_CHECKS"]
    settings_dict["CONN_MAX_AGE"], settings_dict["CONN_HEALTH_CHECKS"] = 60, True
    yield
    settings_dict["CONN_MAX_AGE"], settings_dict["CONN_HEALTH_CHECKS"] = before


@pytest.fixture
def checks(monkeypatch):
    """Every health check the connections make (the real one runs)."""
    made = []
    wrapper = type(connections["default"])
    real = wrapper.is_usable

    def is_usable(self):
        made.append(self)
        return real(self)

    monkeypatch.setattr(wrapper, "is_usable", is_usable)
    return made


def backend_pid() -> int | None:
    if connection.vendor != "postgresql":
        return None
    return connection.connection.info.backend_pid


def one_thread(func):
    # One thread, so one connection, call after call (on PostgreSQL db_async uses a pool).
    return db._DatabaseCall(func, thread_sensitive=True)


def read() -> int:
    from django.contrib.auth import get_user_model

    get_user_model().objects.count()
    return backend_pid()


async def test_a_connection_healthy_a_moment_ago_is_not_checked_again(persistent_connections, checks, clock):
    first = await one_thread(read)()
    clock.now += db.HEALTHY_FOR_S / 2
    assert await one_thread(read)() == first  # the same connection, kept
    assert checks == []
    clock.now += db.HEALTHY_FOR_S * 2
    assert await one_thread(read)() == first
    assert len(checks) == 1  # idle for longer: checked before use, as Django does


async def test_a_connection_that_died_while_idle_is_replaced_before_the_call(persistent_connections, clock):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no server whose session can end under a connection")
    first = await one_thread(read)()

    def end_it():  # from another session, as a database restart would
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [first])
        finally:
            other.close()

    await sync_to_async(end_it, thread_sensitive=False)()
    clock.now += db.HEALTHY_FOR_S * 2
    second = await one_thread(read)()  # the health check found it dead: a new one, no error
    assert second is not None and second != first
