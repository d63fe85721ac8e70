"""Bahasa Indonesia first: only the visitor's own choice switches to English."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_english_browser_still_gets_bahasa_indonesia(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "id"
    assert "Masuk" in response.content.decode()


def test_the_switcher_choice_wins_and_is_kept(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="id")
    assert response["Content-Language"] == "en"
    assert "Sign in" in response.content.decode()
    assert "Cookie" in response["Vary"]
