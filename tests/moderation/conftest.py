"""Moderation tests use the hub's socket fixtures."""

from tests.realtime.conftest import connect, make_user, room  # noqa: F401
