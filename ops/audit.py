"""``make audit``: every package pinned in ``requirements.lock`` that has a
newer release on the package index (the one pip is configured with).

Vulnerability databases cannot be reached from every machine that runs this
(docs/operations.md), so this lists what is behind instead; the operator
reads the release notes of each and applies the security releases. Each
package is looked up with ``pip index versions`` (stable releases only); an
unreachable index is said in one line, not a traceback.

    python -m ops.audit [--lock requirements.lock] [--strict]

Exit 0 (``--strict``: 1 when something is behind); 2 when the index could
not be reached at all.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
#: Seconds pip waits for the index per lookup; no retries, so an unreachable index is said quickly.
TIMEOUT_S = 15
_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)")
#: What pip's verbose log says when the index cannot be reached (not merely lacks the package).
_NETWORK = ("connection error", "connectionerror", "timed out", "temporary failure", "name resolution",
            "network is unreachable", "max retries exceeded")


@dataclass(frozen=True)
class Lookup:
    name: str
    pinned: str
    latest: str | None = None
    unreachable: bool = False

    @property
    def behind(self) -> bool:
        try:
            return self.latest is not None and Version(self.latest) > Version(self.pinned)
        except InvalidVersion:
            return self.latest != self.pinned


def pins(lock: Path) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for line in lock.read_text().splitlines() if (m := _PIN.match(line))]


def look_up(name: str, pinned: str) -> Lookup:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", name, "--retries", "0", "--timeout", str(TIMEOUT_S),
         "--disable-pip-version-check", "--no-input", "-vv"],  # -vv: pip logs why a page could not be fetched
        capture_output=True, text=True, timeout=TIMEOUT_S * 4,
    )
    # pip's answer starts with a line "name (newest version)".
    spelled = "[-_.]+".join(re.escape(part) for part in re.split(r"[-_.]+", name))  # channels_redis, channels-redis
    latest = re.compile(rf"^{spelled} \(([^)]+)\)$", re.MULTILINE | re.IGNORECASE)
    found = latest.search(result.stdout) if result.returncode == 0 else None
    if found:
        return Lookup(name, pinned, found.group(1))
    log = (result.stdout + result.stderr).lower()
    unreachable = any(sign in log for sign in _NETWORK)
    return Lookup(name, pinned, None, unreachable)


def audit(lock: Path, workers: int = 4) -> list[Lookup]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda pin: look_up(*pin), pins(lock)))


def report(lookups: list[Lookup], out=sys.stdout) -> int:
    """Print the findings; the exit status without ``--strict``."""
    if lookups and all(item.latest is None for item in lookups):
        why = "unreachable" if any(item.unreachable for item in lookups) else "not answering for these packages"
        print(f"audit: the package index is {why}; nothing could be compared. "
              "Run `make audit` where pip can reach the index (docs/operations.md).", file=out)
        return 2
    behind = [item for item in lookups if item.behind]
    missing = [item for item in lookups if item.latest is None]
    if behind:
        width = max(len(item.name) for item in behind)
        print(f"{len(behind)} of {len(lookups)} pinned packages have a newer release:", file=out)
        for item in sorted(behind, key=lambda item: item.name.lower()):
            print(f"  {item.name:<{width}}  {item.pinned} -> {item.latest}", file=out)
    else:
        print(f"Every pinned package ({len(lookups)}) is at its newest release.", file=out)
    for item in missing:
        reason = "index unreachable" if item.unreachable else "not found on the index"
        print(f"  {item.name}: not checked ({reason})", file=out)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.audit", description=__doc__.split("\n\n")[0])
    parser.add_argument("--lock", type=Path, default=ROOT / "requirements.lock")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a package has a newer release")
    args = parser.parse_args(argv)
    lookups = audit(args.lock)
    status = report(lookups)
    if status == 0 and args.strict and any(item.behind for item in lookups):
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
