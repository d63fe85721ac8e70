"""The sign-in lock-out through real servers: Daphne serves Django over ASGI
(django-axes' middleware then runs its async path), and ``make run``'s
launcher must not let a forged ``X-Forwarded-For`` choose the client
address (it used to start Daphne with ``--proxy-headers``, which does)."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from tests.live import free_port
from tests.ops.test_launcher import DEMO_PASSWORD, START_TIMEOUT_S, Launcher, wait_for_health

pytestmark = pytest.mark.live

LOGIN = "/akun/masuk/"


def opener():
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))


def sign_in(browser, base: str, username: str, password: str, headers: dict | None = None) -> tuple[int, str]:
    """Through the real form (CSRF cookie and token): the status and the page."""
    with browser.open(base + LOGIN, timeout=10) as response:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode()).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
    request = urllib.request.Request(base + LOGIN, data=data.encode(), method="POST",
                                     headers={"Referer": base + LOGIN, **(headers or {})})
    try:
        with browser.open(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def signed_in(page: str) -> bool:
    return "/akun/keluar/" in page


def test_daphne_refuses_the_right_password_after_too_many_failures(live_server_url):
    from accounts.models import User

    User.objects.create_user(username="dewi", password="kopi-tubruk-77", display_name="Dewi Lestari")
    browser = opener()
    for n in range(30):
        sign_in(browser, live_server_url, "dewi", "salah-terus", {"X-Forwarded-For": f"192.0.2.{n + 1}"})
    status, page = sign_in(browser, live_server_url, "dewi", "kopi-tubruk-77", {"X-Forwarded-For": "192.0.2.99"})
    assert status == 429
    assert "Terlalu banyak percobaan masuk yang gagal" in page
    assert not signed_in(page)


def test_make_run_ignores_a_forged_x_forwarded_for(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    launcher = Launcher(tmp_path / "var", port)
    try:
        wait_for_health(opener(), base, launcher, START_TIMEOUT_S - (time.monotonic() - started))
        browser = opener()
        for n in range(5):
            status, _ = sign_in(browser, base, "warga1", "salah-terus", {"X-Forwarded-For": f"192.0.2.{n + 1}"})
        assert status == 429
        status, page = sign_in(browser, base, "warga1", DEMO_PASSWORD, {"X-Forwarded-For": "192.0.2.99"})
        assert status == 429
        assert not signed_in(page)
        # Another demo account from the same address is not affected.
        status, page = sign_in(opener(), base, "warga2", DEMO_PASSWORD)
        assert status == 200 and signed_in(page)
    finally:
        launcher.kill_everything(launcher.descendants())
