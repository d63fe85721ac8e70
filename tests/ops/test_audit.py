"""``make audit`` (``python -m ops.audit``): every pinned package with a newer
release on the package index, against a package index made here on disk
(pip reads a ``file://`` index as it reads a remote one); an unreachable
index is said in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.live import ROOT


def make_index(root: Path, releases: dict[str, list[str]]) -> str:
    """A PEP 503 "simple" index listing the given files (never downloaded:
    ``pip index versions`` reads only the listing)."""
    for project, files in releases.items():
        folder = root / "simple" / project
        folder.mkdir(parents=True)
        for name in files:
            (folder / name).write_bytes(b"")
        links = "".join(f'<a href="{name}">{name}</a>' for name in files)
        (folder / "index.html").write_text(f"<!DOCTYPE html><html><body>{links}</body></html>")
    return (root / "simple").as_uri()


def run_audit(lock: Path, index_url: str) -> subprocess.CompletedProcess:
    # Only the index given here: no configuration file, no find-links of this machine.
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    environ.update(PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL=index_url)
    return subprocess.run([sys.executable, "-m", "ops.audit", "--lock", str(lock)], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=120)


def test_lists_the_pinned_packages_that_have_a_newer_release(tmp_path):
    index = make_index(tmp_path / "index", {
        "django": ["Django-5.2.19.tar.gz", "Django-5.2.20.tar.gz", "Django-6.0a1.tar.gz"],
        "channels-redis": ["channels_redis-4.3.0.tar.gz", "channels_redis-4.4.0.tar.gz"],
        "daphne": ["daphne-4.2.3.tar.gz"],
    })
    lock = tmp_path / "requirements.lock"
    lock.write_text("Django==5.2.19\nchannels_redis==4.3.0\ndaphne==4.2.3\nnot-on-the-index==1.0\n")
    result = run_audit(lock, index)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "2 of 4 pinned packages have a newer release:"
    assert [line.split() for line in lines[1:3]] == [["channels_redis", "4.3.0", "->", "4.4.0"],
                                                      ["Django", "5.2.19", "->", "5.2.20"]]  # not the 6.0 alpha
    assert "daphne" not in result.stdout  # up to date
    assert "not-on-the-index: not checked (not found on the index)" in result.stdout


def test_says_so_when_everything_is_current(tmp_path):
    index = make_index(tmp_path / "index", {"daphne": ["daphne-4.2.3.tar.gz"]})
    lock = tmp_path / "requirements.lock"
    lock.write_text("daphne==4.2.3\n")
    result = run_audit(lock, index)
    assert (result.returncode, result.stdout.strip()) == (0, "Every pinned package (1) is at its newest release.")


def test_an_unreachable_index_is_said_in_one_line(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("Django==5.2.19\ndaphne==4.2.3\n")
    result = run_audit(lock, "http://127.0.0.1:9/simple/")  # the discard port: nothing listens
    assert result.returncode == 2
    assert result.stdout.strip().splitlines() == [
        "audit: the package index is unreachable; nothing could be compared. "
        "Run `make audit` where pip can reach the index (docs/operations.md)."]
    assert "Traceback" not in result.stderr


def test_the_project_lock_parses():
    from ops.audit import pins

    pinned = {name.lower(): version for name, version in pins(ROOT / "requirements-dev.lock")}
    assert pinned["django"].startswith("5.2.") and "pytest" in pinned and "django-otp" in pinned and "django-csp" in pinned
