"""The site speaks Bahasa Indonesia on its error pages and in the admin
(issue 13, item 5): 403, 404 and 500 in the site's layout, the admin's
section and model names translated."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import path, reverse
from django.utils import translation

import urls as root_urls
from accounts.choices import Role
from tests.hub import create_user

pytestmark = pytest.mark.django_db


def _forbidden(request):
    raise PermissionDenied


def _broken(request):
    raise RuntimeError("boom (test)")


urlpatterns = [
    path("uji/terlarang/", _forbidden),
    path("uji/rusak/", _broken),
    *root_urls.urlpatterns,
]
handler500 = root_urls.handler500

ERROR_URLS = override_settings(ROOT_URLCONF=__name__, DEBUG=False)


@ERROR_URLS
def test_404_is_in_indonesian_in_the_sites_layout(client):
    response = client.get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert 'class="site-header"' in html  # the site's layout (base.html)
    assert "Halaman tidak ditemukan" in html
    assert "Not Found" not in html and "Page not found" not in html


@ERROR_URLS
def test_403_is_in_indonesian_in_the_sites_layout(client):
    response = client.get("/uji/terlarang/")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert "Akses ditolak" in html
    assert "403 Forbidden" not in html


@ERROR_URLS
def test_500_is_in_indonesian_without_the_requests_context(client):
    client.force_login(create_user("warga500"))
    client.raise_request_exception = False
    response = client.get("/uji/rusak/")
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "Terjadi kesalahan" in html
    assert "Server Error" not in html
    assert 'id="notify-bell"' not in html  # the bell queries; the 500 page has none


@ERROR_URLS
def test_500_page_itself_queries_nothing(rf, django_assert_num_queries):
    from frontend.views import server_error

    request = rf.get("/uji/rusak/")
    with translation.override("id"), django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert "Terjadi kesalahan" in response.content.decode()


@ERROR_URLS
def test_a_refused_csrf_check_is_in_indonesian():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("set_language"), {"language": "en"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Akses ditolak" in html and "kedaluwarsa" in html
    assert "CSRF verification failed" not in html


@ERROR_URLS
def test_error_pages_follow_the_chosen_language():
    client = Client()
    client.cookies["django_language"] = "en"
    html = client.get("/tidak-ada-halaman-ini/").content.decode()
    assert '<html lang="en">' in html
    assert "Page not found" in html


def _english_names() -> set[str]:
    """Every app and model name the admin index shows, as English has it."""
    names = set()
    with translation.override("en"):
        for model in admin.site._registry:
            names.add(str(model._meta.app_config.verbose_name))
            names.add(str(model._meta.verbose_name_plural).capitalize())
    return names


def test_the_admin_index_shows_no_english_section_name(client):
    client.force_login(create_user("admin_uji", role=Role.ADMIN))
    html = client.get(reverse("admin:index")).content.decode()
    assert '<html lang="id"' in html
    english = sorted(name for name in _english_names() if f">{name}<" in html)
    assert english == [], f"English names on the Indonesian admin index: {english}"
    assert ">Pesan<" in html
    assert ">Kata terlarang<" in html


def test_every_model_and_app_has_an_indonesian_name():
    """Beyond the admin's index: every model of the project names itself in
    Bahasa Indonesia (the admin's history, its delete pages, messages)."""
    from django.apps import apps

    same = []
    for config in apps.get_app_configs():
        if not config.path.startswith(str(root_urls.__file__).rsplit("/", 1)[0]) or "/.venv/" in config.path:
            continue
        for model in config.get_models():
            for attribute in ("verbose_name", "verbose_name_plural"):
                with translation.override("en"):
                    english = str(getattr(model._meta, attribute))
                with translation.override("id"):
                    indonesian = str(getattr(model._meta, attribute))
                if english == indonesian:
                    same.append(f"{model._meta.label}.{attribute}: {english}")
    assert same == []
