"""Unit tests of the browser client's pure modules (outbox, sequence, hub),
run in the real browser: tests/e2e/js/harness.html imports the modules as
the pages do (native ES modules, no build step) and reports each test in
``window.__results``. A small static server gives both one origin: module
scripts do not load from ``file://``."""

from __future__ import annotations

import functools
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.e2e.helpers import TIMEOUT_MS
from tests.live import ROOT

pytestmark = pytest.mark.e2e

HARNESS = Path(__file__).parent / "js"
STATIC = ROOT / "frontend" / "static"
MODULES = sorted(path.name for path in HARNESS.glob("*.test.js"))


class Handler(SimpleHTTPRequestHandler):
    """/static/… from the app's static folder (as Django serves it), the rest from the harness."""

    def translate_path(self, path):
        path = path.split("?", 1)[0]
        if path.startswith("/static/"):
            return str(STATIC / path.removeprefix("/static/"))
        return str(HARNESS / path.lstrip("/"))

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def static_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(HARNESS)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def declared_tests(module: str) -> list[str]:
    return re.findall(r'^test\("((?:[^"\\]|\\.)*)"', (HARNESS / module).read_text(), flags=re.M)


def test_every_module_declares_tests():
    assert MODULES == ["hub.test.js", "outbox.test.js", "sequence.test.js"]
    assert all(declared_tests(module) for module in MODULES)


@pytest.mark.parametrize("module", MODULES)
async def test_module(module, browser, static_url):
    context = await browser.new_context()
    try:
        page = await context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(f"{static_url}/harness.html?module={module}")
        await page.wait_for_function("() => window.__results && window.__results.done", timeout=TIMEOUT_MS * 3)
        results = await page.evaluate("() => window.__results.results")
    finally:
        await context.close()
    failures = [f"{r['name']}: {r['error']}" for r in results if not r["ok"]]
    assert failures == [], "\n\n".join(failures)
    assert [r["name"] for r in results] == declared_tests(module), "every declared test ran"
    assert errors == []
