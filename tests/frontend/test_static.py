"""Light pages (issue 13, item 7, the server's half): with DEBUG off, static
files are served under hashed names, compressed, cached for a year; the site
has a favicon and a web app manifest."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

ONE_YEAR_S = 365 * 24 * 3600


@pytest.fixture
def production_statics(tmp_path):
    """The static files as `DEBUG=false make run` and production serve them:
    collected into their own STATIC_ROOT, WhiteNoise reading only that."""
    root = tmp_path / "static"
    with override_settings(DEBUG=False, STATIC_ROOT=root,
                           STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": settings.STATIC_HASHED}},
                           WHITENOISE_USE_FINDERS=False, WHITENOISE_AUTOREFRESH=False):
        call_command("collectstatic", "--no-input", verbosity=0)
        yield Client()  # a new client: its WhiteNoise reads the new STATIC_ROOT


def _asset(html: str, pattern: str) -> str:
    match = re.search(pattern, html)
    assert match, f"{pattern!r} not in the page"
    return match.group(1)


def _max_age(response) -> int:
    return int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))


def test_pages_link_hashed_statics_cached_for_a_year_and_compressed(production_statics):
    client = production_statics
    html = client.get(reverse("chat:rooms")).content.decode()
    css = _asset(html, r'<link rel="stylesheet" href="(/static/frontend/css/balai\.[0-9a-f]{12}\.css)">')

    plain = client.get(css)
    assert plain.status_code == 200
    assert _max_age(plain) >= ONE_YEAR_S
    assert "immutable" in plain["Cache-Control"]
    body = b"".join(plain.streaming_content)
    assert b"--brand" in body

    compressed = client.get(css, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert compressed["Content-Encoding"] in {"gzip", "br"}
    assert "Accept-Encoding" in compressed["Vary"]
    raw = b"".join(compressed.streaming_content)
    assert len(raw) < len(body)
    if compressed["Content-Encoding"] == "gzip":
        assert gzip.decompress(raw) == body


def test_es_modules_import_each_other_by_hashed_name(production_statics):
    """A page's module under its hashed name imports the others under theirs,
    so a year-long cache never mixes two versions of the client."""
    client = production_statics
    room_js = staticfiles_storage.url("frontend/js/room.js")
    assert re.fullmatch(r"/static/frontend/js/room\.[0-9a-f]{12}\.js", room_js)
    response = client.get(room_js)
    assert _max_age(response) >= ONE_YEAR_S
    source = b"".join(response.streaming_content).decode()
    imports = re.findall(r'from "(\./[^"]+)"', source)
    assert imports and all(re.fullmatch(r"\./\w+\.[0-9a-f]{12}\.js", name) for name in imports), imports


def test_pages_link_the_favicon_and_the_manifest(client):
    html = client.get(reverse("frontend:home")).content.decode()
    assert '<link rel="icon" href="/static/frontend/favicon.svg" type="image/svg+xml">' in html
    assert f'<link rel="manifest" href="{reverse("frontend:manifest")}">' in html
    assert '<meta name="theme-color" content="#0b5d3b">' in html


def test_the_manifest_lets_the_site_install(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Balai Warga"
    assert manifest["short_name"]
    assert manifest["lang"] == "id"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    css = (settings.BASE_DIR / "frontend/static/frontend/css/balai.css").read_text()
    assert f"--brand: {manifest['theme_color']};" in css
    icon = manifest["icons"][0]
    assert icon["type"] == "image/svg+xml"
    assert client.get(icon["src"]).status_code == 200


def test_the_favicon_is_served(client):
    icon = client.get("/static/frontend/favicon.svg")
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/frontend/favicon.svg"


def test_the_favicon_and_manifest_point_to_hashed_names_with_debug_off(production_statics):
    client = production_statics
    location = client.get("/favicon.ico")["Location"]
    assert re.fullmatch(r"/static/frontend/favicon\.[0-9a-f]{12}\.svg", location)
    assert _max_age(client.get(location)) >= ONE_YEAR_S
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    assert manifest["icons"][0]["src"] == location
