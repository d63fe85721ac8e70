"""The lock files, generated from ``pyproject.toml`` (runs before Django loads).

``pyproject.toml`` declares what the project depends on: ``[project]
dependencies`` (what runs in production) and the ``dev`` dependency group
(PEP 735: tests and development tools). uv resolves them into two lock files
with every version pinned and every file's hash:

- ``requirements-dev.lock``: runtime + dev (``make install``, ``make run``,
  ``make test``, CI);
- ``requirements.lock``: runtime only (``make install-prod``), resolved with
  the dev lock as a constraint so both pin the same versions.

``python -m ops.lock write [uv args]`` (``make lock``) regenerates both,
keeping every existing pin that still satisfies ``pyproject.toml`` (uv reads
the current file as its preferences); pass ``--upgrade-package NAME`` or
``--upgrade`` to move versions. ``python -m ops.lock check`` (``make
lock-check``, CI) regenerates them into a temporary folder and fails, with a
diff, when they differ from the committed ones, and checks what
``problems()`` checks; it uses uv's cache first (``--offline``) and the index
only when the cache lacks something.
"""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_LOCK = "requirements.lock"
DEV_LOCK = "requirements-dev.lock"
#: A production install must not carry these (nor anything else only the dev group brings).
TEST_TOOLS = ("pytest", "playwright", "ruff", "hypothesis", "import-linter", "uv")
#: The Python the locks are resolved for (``requires-python``'s floor); the
#: locks are universal (markers for other platforms and interpreters).
PYTHON_VERSION = "3.11"

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def uv() -> str:
    found = Path(sys.executable).with_name("uv")
    if found.exists():
        return str(found)
    which = shutil.which("uv")
    if not which:
        raise SystemExit("[balai] error: uv is missing; run `make install` (it is in the dev group)")
    return which


def write(folder: Path = ROOT, extra: tuple[str, ...] = ()) -> None:
    """Regenerate both lock files in ``folder``, which holds a
    ``pyproject.toml`` (the dev lock first, then the runtime lock constrained
    by it; paths relative to ``folder``, as the files' comments show them).
    Raises ``RuntimeError`` with uv's words."""
    for output, args in ((DEV_LOCK, ("--group", "dev")), (RUNTIME_LOCK, ("-c", DEV_LOCK))):
        command = [uv(), "pip", "compile", "pyproject.toml", "--universal", "--python-version", PYTHON_VERSION,
                   "--generate-hashes", "--custom-compile-command", "make lock", "--quiet", "-o", output,
                   *args, *extra]
        result = subprocess.run(command, cwd=folder, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"uv pip compile for {output} failed:\n{result.stderr.strip()}")


def pins(path: Path) -> dict[str, set[str]]:
    """``{normalized name: {versions}}`` of a lock file (a universal lock may
    pin two versions of one package, each under its own marker)."""
    found: dict[str, set[str]] = {}
    for line in path.read_text().splitlines():
        if match := _PIN.match(line):
            found.setdefault(normalize(match[1]), set()).add(match[2])
    return found


def _declared(folder: Path) -> tuple[list[str], list[str]]:
    data = tomllib.loads((folder / "pyproject.toml").read_text())
    return data["project"]["dependencies"], data["dependency-groups"]["dev"]


def problems(folder: Path = ROOT) -> list[str]:
    """What is wrong with the lock files in ``folder`` (beside its
    ``pyproject.toml``), without the network:
    each declared dependency pinned at a version it allows, every pin hashed,
    no test tool in the runtime lock, both locks agreeing."""
    from packaging.requirements import Requirement

    runtime_decl, dev_decl = _declared(folder)
    runtime, dev = pins(folder / RUNTIME_LOCK), pins(folder / DEV_LOCK)
    found = []
    for lock_name, lock, declared in ((RUNTIME_LOCK, runtime, runtime_decl),
                                      (DEV_LOCK, dev, runtime_decl + dev_decl)):
        for text in declared:
            requirement = Requirement(text)
            versions = lock.get(normalize(requirement.name))
            if not versions:
                found.append(f"{lock_name}: {requirement.name} is declared in pyproject.toml but not pinned")
            elif not any(requirement.specifier.contains(v, prereleases=True) for v in versions):
                found.append(f"{lock_name}: {requirement.name}=={'/'.join(sorted(versions))} "
                             f"does not satisfy {requirement.specifier}")
        lines = (folder / lock_name).read_text().splitlines()
        for index, line in enumerate(lines):
            if _PIN.match(line) and not (line.rstrip().endswith("\\") and "--hash=" in lines[index + 1]):
                found.append(f"{lock_name}: {line.split()[0]} has no hash")
    for tool in TEST_TOOLS:
        if tool in runtime:
            found.append(f"{RUNTIME_LOCK}: a production install would get {tool}")
    for name, versions in runtime.items():
        if dev.get(name) != versions:
            found.append(f"{name}: {RUNTIME_LOCK} pins {sorted(versions)}, {DEV_LOCK} {sorted(dev.get(name, []))}")
    return found


def stale() -> list[str]:
    """A unified diff per lock file that ``write`` would change (empty when
    both match ``pyproject.toml``)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ("pyproject.toml", DEV_LOCK, RUNTIME_LOCK):
            shutil.copy(ROOT / name, folder / name)  # the current pins are uv's preferences
        try:
            write(folder, ("--offline",))
        except RuntimeError:  # uv's cache lacks something: ask the index
            write(folder)
        diffs = []
        for name in (DEV_LOCK, RUNTIME_LOCK):
            before, after = (ROOT / name).read_text(), (folder / name).read_text()
            if before != after:
                diffs.append("".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True),
                                                          f"{name} (committed)", f"{name} (from pyproject.toml)")))
        return diffs


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in {"write", "check"}:
        raise SystemExit("usage: python -m ops.lock write [uv pip compile args] | check")
    if argv[0] == "write":
        try:
            write(extra=tuple(argv[1:]))
        except RuntimeError as exc:
            raise SystemExit(f"[balai] error: {exc}") from None
        print(f"[balai] wrote {DEV_LOCK} and {RUNTIME_LOCK} from pyproject.toml", flush=True)
        return
    found = problems()
    try:
        found += stale()
    except RuntimeError as exc:
        found.append(str(exc))
    if found:
        sys.stderr.write("\n".join(found) + "\n[balai] the lock files do not match pyproject.toml: run `make lock`\n")
        raise SystemExit(1)
    print("[balai] requirements.lock and requirements-dev.lock match pyproject.toml", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
