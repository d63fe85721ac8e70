"""A server process loads the application with the garbage collector tuned
(``realtime/collector.py``): what was loaded is frozen out of every
collection, and young collections are rarer than CPython's default."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from realtime.collector import YOUNG_THRESHOLD

ROOT = Path(__file__).resolve().parents[2]


def test_the_asgi_application_loads_with_the_collector_tuned():
    probe = ("import gc, json; before = gc.get_threshold()[0]; import asgi; "
             "print(json.dumps([before, gc.get_freeze_count(), gc.get_threshold()[0]]))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "settings.test", "METRICS_PORT": "0"}
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60, check=True)
    before, frozen, young = json.loads(out.stdout.strip().splitlines()[-1])
    assert before == 700  # CPython's default, untouched until the application is loaded
    assert frozen > 50_000  # Django, Twisted, Channels and the app: never walked again
    assert young == YOUNG_THRESHOLD
