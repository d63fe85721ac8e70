"""``manage.py preflight``: the launcher's first step. An unreachable
dependency is one line naming the variable to fix, and exit code 2."""

import os

import pytest
from django.db import connection

from tests.live import database_url_for
from tests.ops.processes import run_manage

pytestmark = pytest.mark.django_db(transaction=True)

DEAD_REDIS = "redis://127.0.0.1:1/0"
DEAD_DATABASE = "postgres://postgres@127.0.0.1:1/x"


def _preflight(**env):
    good = {"DATABASE_URL": database_url_for(connection.settings_dict), "REDIS_URL": os.environ["REDIS_URL"]}
    return run_manage("preflight", settings="settings.test", **{**good, **env})


def _problem_lines(result) -> list[str]:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines
    return lines


def test_preflight_passes_when_everything_answers():
    result = _preflight()
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "preflight" in result.stdout


def test_preflight_names_redis_url_when_redis_is_unreachable():
    lines = _problem_lines(_preflight(REDIS_URL=DEAD_REDIS))
    assert all(line.startswith("REDIS_URL: ") for line in lines), lines
    assert not any("DATABASE_URL" in line for line in lines)


def test_preflight_names_database_url_when_the_database_is_unreachable():
    lines = _problem_lines(_preflight(DATABASE_URL=DEAD_DATABASE))
    assert len(lines) == 1, lines
    assert lines[0].startswith("DATABASE_URL: ")


def test_preflight_names_both_when_both_are_unreachable():
    lines = _problem_lines(_preflight(DATABASE_URL=DEAD_DATABASE, REDIS_URL=DEAD_REDIS))
    assert {line.split(":")[0] for line in lines} == {"DATABASE_URL", "REDIS_URL"}
