"""Development: the zero-setup defaults of ``base`` (SQLite under ``var/``,
the Redis the launcher started, console e-mail)."""

from settings.base import *  # noqa: F401,F403
