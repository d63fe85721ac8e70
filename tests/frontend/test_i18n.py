"""Bahasa Indonesia first, English on request."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HOME = reverse("frontend:home")
SET_LANGUAGE = reverse("set_language")


def test_home_is_in_indonesian_by_default(client):
    html = client.get(HOME).content.decode()
    assert '<html lang="id">' in html
    assert "Bicara langsung dengan pemerintah kabupaten Anda" in html
    assert ">Masuk<" in html and ">Daftar<" in html
    assert "Talk with your regency government" not in html


def test_home_switches_to_english_and_back(client):
    response = client.post(SET_LANGUAGE, {"language": "en", "next": HOME})
    assert response.status_code == 302
    assert response["Location"] == HOME

    html = client.get(HOME).content.decode()
    assert '<html lang="en">' in html
    assert "Talk with your regency government" in html
    assert ">Sign in<" in html
    assert "Bicara langsung" not in html

    client.post(SET_LANGUAGE, {"language": "id", "next": HOME})
    assert "Bicara langsung dengan pemerintah kabupaten Anda" in client.get(HOME).content.decode()


def test_the_language_switch_offers_the_other_language(client):
    """One button a language other than the page's (it fits a phone's header row)."""
    html = client.get(HOME).content.decode()
    assert f'action="{SET_LANGUAGE}"' in html
    assert 'name="language" value="en" lang="en">English</button>' in html
    assert 'value="id" lang="id"' not in html

    client.post(SET_LANGUAGE, {"language": "en", "next": HOME})
    html = client.get(HOME).content.decode()
    assert 'name="language" value="id" lang="id">Bahasa Indonesia</button>' in html
    assert 'value="en" lang="en"' not in html


def test_account_pages_are_translated(client):
    html = client.get(reverse("accounts:signup")).content.decode()
    assert "Buat akun warga" in html
    assert "Nama yang dilihat orang lain" in html


def test_form_errors_are_in_indonesian(client):
    response = client.post(reverse("accounts:signup"), {"username": "x", "phone": "bukan nomor"})
    html = response.content.decode()
    assert "Masukkan nomor HP Indonesia" in html
