"""Start-up with a bad environment: ``manage.py`` stops with one line naming
the variable and a non-zero exit, never a traceback; ``settings.prod``
refuses unsafe production settings and starts with safe ones."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.live import ROOT, database_url_for
from tests.ops.processes import assert_one_line_naming, child_env, run_manage

GOOD_SECRET = "balai-warga-production-secret-" + "k" * 20  # 50 characters


def assert_refused_naming(result: subprocess.CompletedProcess, variable: str) -> None:
    assert_one_line_naming(result, variable)
    assert result.stdout == ""


@pytest.mark.parametrize("url", ["mysql://x", "postgres://host:notaport/db", "postgres://user@host:5432"])
def test_malformed_database_url_stops_manage_py_with_one_line(url):
    assert_refused_naming(run_manage("check", DATABASE_URL=url), "DATABASE_URL")


@pytest.mark.parametrize("url", ["redis://host:abc/0", "http://127.0.0.1:6379/0", "redis+sentinel://10.0.0.5:26379",
                                 "redis+sentinel://10.0.0.5:x/balai/0"])
def test_malformed_redis_url_stops_manage_py_with_one_line(url):
    assert_refused_naming(run_manage("check", REDIS_URL=url), "REDIS_URL")


@pytest.mark.parametrize(("variable", "value"), [("DEBUG", "perhaps"), ("CHANNEL_CAPACITY", "lots")])
def test_malformed_bool_and_int_stop_manage_py_with_one_line(variable, value):
    assert_refused_naming(run_manage("check", **{variable: value}), variable)


def test_malformed_database_url_stops_daphne_with_one_line():
    environ = child_env(DJANGO_SETTINGS_MODULE="settings.dev", DATABASE_URL="mysql://x")
    result = subprocess.run([sys.executable, "-c", "import asgi"], cwd=ROOT, env=environ,
                            capture_output=True, text=True, timeout=60)
    assert_refused_naming(result, "DATABASE_URL")


@pytest.fixture
def prod_env(db) -> dict[str, str]:
    """A proper production environment pointing at the test database."""
    from django.db import connection

    env = {
        "SECRET_KEY": GOOD_SECRET,
        "ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    }
    assert "test" in env["DATABASE_URL"], env  # never the development database
    return env


def test_prod_starts_with_a_proper_environment(prod_env):
    assert len(GOOD_SECRET) == 50
    result = run_manage("check", settings="settings.prod", **prod_env)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_prod_settings_are_production_safe(prod_env):
    code = ("from django.conf import settings as s; "
            "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.ALLOWED_HOSTS, s.EMAIL_BACKEND)")
    result = run_manage("shell", "-v", "0", "-c", code, settings="settings.prod", **prod_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "['example.org']",
                                     "django.core.mail.backends.smtp.EmailBackend"]


@pytest.mark.parametrize(("variable", "change"), [
    ("SECRET_KEY", {"SECRET_KEY": None}),
    ("SECRET_KEY", {"SECRET_KEY": ""}),
    ("SECRET_KEY", {"SECRET_KEY": "short-secret"}),
    ("SECRET_KEY", {"SECRET_KEY": GOOD_SECRET[:49]}),  # Django's deploy check asks for 50
    ("SECRET_KEY", {"SECRET_KEY": "x" * 60}),  # long but not random
    ("DEBUG", {"DEBUG": "true"}),
    ("DEBUG", {"DEBUG": "1"}),
    ("ALLOWED_HOSTS", {"ALLOWED_HOSTS": "*"}),
    ("ALLOWED_HOSTS", {"ALLOWED_HOSTS": "example.org,*"}),
    ("ALLOWED_HOSTS", {"ALLOWED_HOSTS": ".example.org"}),
    ("DATABASE_URL", {"DATABASE_URL": None}),
])
def test_prod_refuses_an_unsafe_environment(prod_env, variable, change):
    assert_refused_naming(run_manage("check", settings="settings.prod", **{**prod_env, **change}), variable)


def test_prod_accepts_debug_explicitly_off(prod_env):
    result = run_manage("check", settings="settings.prod", DEBUG="false", **prod_env)
    assert result.returncode == 0, result.stderr


def test_prod_passes_django_deploy_checks_without_a_warning(prod_env):
    """``check --deploy``: HSTS, SSL redirect, secure cookies, a strong
    ``SECRET_KEY``, DEBUG off, X-Frame-Options — no warning left (.ci/run
    runs the same)."""
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", settings="settings.prod", **prod_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_prod_defaults_to_https_only_behind_the_proxy(prod_env):
    code = ("from django.conf import settings as s; "
            "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)")
    result = run_manage("shell", "-v", "0", "-c", code, settings="settings.prod", **prod_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https')"
    # The operator may let the proxy redirect, and name no proxy header.
    result = run_manage("shell", "-v", "0", "-c", code, settings="settings.prod", SECURE_SSL_REDIRECT="false",
                        SECURE_PROXY_SSL_HEADER="none", **prod_env)
    assert result.stdout.strip() == "False 31536000 None", result.stderr


def test_https_redirect_and_hsts_on_a_production_like_stack(db, client, settings):
    """What the settings do to requests (the same middleware in every
    settings module): plain http is redirected to https except the health
    probe; https answers carry HSTS; behind the proxy its header decides."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = client.get("/akun/masuk/")
    assert (plain.status_code, plain["Location"]) == (301, "https://testserver/akun/masuk/")
    assert "Strict-Transport-Security" not in plain
    assert client.get("/healthz").status_code in (200, 503)  # not redirected
    behind_proxy = client.get("/akun/masuk/", HTTP_X_FORWARDED_PROTO="https")
    assert behind_proxy.status_code == 200
    assert behind_proxy["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    policy = behind_proxy["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert behind_proxy["X-Frame-Options"] == "DENY"
