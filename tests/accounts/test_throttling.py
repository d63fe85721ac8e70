"""Sign-in lock-out (django-axes) and the sign-up throttle, per client
address (issue 14, A6 and A4's sign-up part). The client address is the
peer's, or behind a trusted proxy its header's (``accounts/network.py``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
ADMIN_LOGIN = reverse("admin:login")
ADMIN = reverse("admin:index")
HOME = reverse("frontend:home")
SIGNUP = reverse("accounts:signup")
PASSWORD = "kopi-tubruk-juwana-77"
LOCKED_ID = "Terlalu banyak percobaan masuk yang gagal"
LOCKED_EN = "Too many failed sign-in attempts"
SIGNUP_REFUSED_ID = "Terlalu banyak percobaan pendaftaran"


@pytest.fixture
def dewi():
    return User.objects.create_user(username="dewi", password=PASSWORD, display_name="Dewi Lestari")


@pytest.fixture
def budi():
    return User.objects.create_user(username="budi", password=PASSWORD, display_name="Budi Santoso")


def sign_in(client, username, password, *, url=LOGIN, **extra):
    return client.post(url, {"username": username, "password": password, "next": ADMIN if url == ADMIN_LOGIN
                             else ""}, **extra)


def signed_in_as(client) -> str | None:
    user = client.get(HOME).context["user"]
    return user.username if user.is_authenticated else None


def fail(client, username, times, **extra):
    for _ in range(times):
        sign_in(client, username, "salah-terus", **extra)


# --- sign-in ------------------------------------------------------------------

def test_the_right_password_after_30_wrong_ones_is_refused(client, dewi):
    fail(client, "dewi", 30)
    response = sign_in(client, "dewi", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED_ID in html and 'role="alert"' in html
    assert "15 menit" in html
    assert int(response["Retry-After"]) == 15 * 60
    assert signed_in_as(client) is None


def test_the_lock_out_starts_at_the_failure_limit(client, dewi):
    assert django_settings.AXES_FAILURE_LIMIT == 5
    fail(client, "dewi", 4)
    assert sign_in(client, "dewi", "salah-lagi").status_code == 429  # the 5th failure locks
    assert sign_in(client, "dewi", PASSWORD).status_code == 429


def test_fewer_failures_than_the_limit_do_not_lock_and_success_forgets_them(client, dewi):
    fail(client, "dewi", 4)
    assert sign_in(client, "dewi", PASSWORD)["Location"] == HOME
    client.logout()
    # The count started again after the successful sign-in.
    fail(client, "dewi", 4)
    assert sign_in(client, "dewi", PASSWORD)["Location"] == HOME


def test_the_lock_out_message_is_in_english_for_who_chose_english(client, dewi):
    client.post(reverse("set_language"), {"language": "en", "next": HOME})
    fail(client, "dewi", 5)
    response = sign_in(client, "dewi", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED_EN in html and "15 minutes" in html
    assert LOCKED_ID not in html


def test_the_lock_out_ends_after_the_pause(client, dewi):
    fail(client, "dewi", 5)
    assert sign_in(client, "dewi", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(client, "dewi", PASSWORD)["Location"] == HOME
    assert signed_in_as(client) == "dewi"


def test_the_admin_sign_in_is_locked_out_too(client):
    User.objects.create_user(username="admin", password=PASSWORD, display_name="Admin", role=Role.ADMIN)
    fail(client, "admin", 30, url=ADMIN_LOGIN)
    response = sign_in(client, "admin", PASSWORD, url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert LOCKED_ID in response.content.decode()
    assert client.get(ADMIN)["Location"].startswith(ADMIN_LOGIN)


def test_failures_on_the_site_lock_the_admin_sign_in_of_that_username(client):
    User.objects.create_user(username="admin", password=PASSWORD, display_name="Admin", role=Role.ADMIN)
    fail(client, "admin", 5)
    assert sign_in(client, "admin", PASSWORD, url=ADMIN_LOGIN).status_code == 429


def test_another_username_from_the_same_address_is_not_locked(client, dewi, budi):
    fail(client, "dewi", 30, REMOTE_ADDR="203.0.113.7")
    response = sign_in(client, "budi", PASSWORD, REMOTE_ADDR="203.0.113.7")
    assert response["Location"] == HOME
    assert signed_in_as(client) == "budi"


def test_the_same_username_from_another_address_is_not_locked(client, dewi):
    """An attacker cannot lock a citizen out everywhere: only the attacker's
    address is paused for that username."""
    fail(client, "dewi", 30, REMOTE_ADDR="198.51.100.66")
    assert sign_in(client, "dewi", PASSWORD, REMOTE_ADDR="198.51.100.66").status_code == 429
    assert sign_in(client, "dewi", PASSWORD, REMOTE_ADDR="203.0.113.7")["Location"] == HOME


def test_a_forged_x_forwarded_for_does_not_reset_the_limit_without_a_trusted_proxy(client, dewi):
    assert django_settings.TRUSTED_PROXIES == []
    for n in range(30):
        sign_in(client, "dewi", "salah-terus", headers={"X-Forwarded-For": f"192.0.2.{n + 1}"})
    response = sign_in(client, "dewi", PASSWORD, headers={"X-Forwarded-For": "192.0.2.200"})
    assert response.status_code == 429
    assert signed_in_as(client) is None


def test_a_new_ipv6_address_in_the_same_64_does_not_reset_the_limit(client, dewi):
    for n in range(5):
        sign_in(client, "dewi", "salah-terus", REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}")
    assert sign_in(client, "dewi", PASSWORD, REMOTE_ADDR="2001:db8:1:2:ffff::1").status_code == 429
    assert sign_in(client, "dewi", PASSWORD, REMOTE_ADDR="2001:db8:1:3::1")["Location"] == HOME


class TestBehindATrustedProxy:
    PROXY = "10.0.0.5"

    @pytest.fixture(autouse=True)
    def _proxy(self, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.0/24"]

    def via_proxy(self, client, username, password, forwarded):
        return sign_in(client, username, password, REMOTE_ADDR=self.PROXY, headers={"X-Forwarded-For": forwarded})

    def test_clients_behind_the_proxy_are_told_apart_by_its_header(self, client, dewi):
        for _ in range(5):
            self.via_proxy(client, "dewi", "salah-terus", "203.0.113.7")
        assert self.via_proxy(client, "dewi", PASSWORD, "203.0.113.7").status_code == 429
        assert self.via_proxy(client, "dewi", PASSWORD, "203.0.113.8")["Location"] == HOME

    def test_what_the_client_wrote_into_the_header_is_not_used(self, client, dewi):
        """The proxy appends the address it saw; a client's own entries stay
        to the left of it."""
        for n in range(5):
            self.via_proxy(client, "dewi", "salah-terus", f"192.0.2.{n + 1}, 203.0.113.7")
        assert self.via_proxy(client, "dewi", PASSWORD, "192.0.2.99, 203.0.113.7").status_code == 429

    def test_the_header_from_an_untrusted_peer_is_ignored(self, client, dewi):
        for n in range(5):
            sign_in(client, "dewi", "salah-terus", REMOTE_ADDR="198.51.100.66",
                    headers={"X-Forwarded-For": f"192.0.2.{n + 1}"})
        assert sign_in(client, "dewi", PASSWORD, REMOTE_ADDR="198.51.100.66",
                       headers={"X-Forwarded-For": "192.0.2.99"}).status_code == 429


# --- sign-up ------------------------------------------------------------------

def signup_post(client, signup_data, n, **extra):
    return client.post(SIGNUP, {**signup_data, "username": f"warga{n}x", "display_name": f"Warga {n}"}, **extra)


def test_sign_up_is_throttled_per_address(client, signup_data):
    assert django_settings.SIGNUP_RATE_COUNT == 10
    for n in range(10):
        assert signup_post(client, signup_data, n, REMOTE_ADDR="203.0.113.7").status_code == 302
        client.logout()
    response = signup_post(client, signup_data, 10, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429
    html = response.content.decode()
    assert SIGNUP_REFUSED_ID in html and 'role="alert"' in html
    assert 0 < int(response["Retry-After"]) <= 3600
    assert not User.objects.filter(username="warga10x").exists()
    assert 'value="warga10x"' in html  # what was typed is kept (not the passwords)
    assert PASSWORD not in html

    # Another address may still sign up.
    assert signup_post(client, signup_data, 11, REMOTE_ADDR="203.0.113.8").status_code == 302


def test_failed_sign_up_attempts_count_too(client, signup_data):
    """Every attempt counts, so the form cannot be used to probe many
    usernames from one address."""
    User.objects.create_user(username="sitiaminah", password="x", display_name="Siti")
    for _ in range(10):
        response = client.post(SIGNUP, signup_data)  # "sitiaminah" is taken
        assert response.status_code == 200
    response = client.post(SIGNUP, signup_data)
    assert response.status_code == 429
    # Refused before the form is read: nothing about the username is said.
    assert response.context["form"].errors == {}


def test_a_forged_x_forwarded_for_does_not_reset_the_sign_up_throttle(client, signup_data):
    for n in range(10):
        signup_post(client, signup_data, n, headers={"X-Forwarded-For": f"192.0.2.{n + 1}"})
        client.logout()
    response = signup_post(client, signup_data, 10, headers={"X-Forwarded-For": "192.0.2.200"})
    assert response.status_code == 429
    assert not User.objects.filter(username="warga10x").exists()
