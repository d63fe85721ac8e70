"""No page shown in Bahasa Indonesia carries an English string that the
catalogue translates (issue 13 item 5): a string fetched with ``gettext`` at
import time, a label left outside ``{% translate %}`` that happens to be a
msgid elsewhere, or a model or app name the admin shows untranslated. Every
text node and every readable attribute (``aria-label``, ``title``,
``placeholder``, ``alt``) of each page is compared with the catalogue's
English msgids whose Indonesian differs."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import polib
import pytest
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from chat.services import room_upsert
from tests.hub import create_user
from tests.live import ROOT

pytestmark = pytest.mark.django_db

READABLE = {"aria-label", "title", "placeholder", "alt"}


class _Texts(HTMLParser):
    """Text nodes and readable attributes, outside scripts and styles."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.texts.extend(value for name, value in attrs if name in READABLE and value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def _english_msgids() -> set[str]:
    """msgids of two words or more whose Indonesian is not the same text (a
    one-word msgid such as "Admin" or "Forum" may be Indonesian too)."""
    catalogue = polib.pofile(str(ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"))
    return {entry.msgid for entry in catalogue
            if not entry.obsolete and entry.msgstr and entry.msgstr != entry.msgid and " " in entry.msgid
            and "%" not in entry.msgid and "{" not in entry.msgid}


def _english_on(html: str, english: set[str]) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return sorted({text for text in parser.texts if text in english})


def _script_strings(html: str, english: set[str]) -> list[str]:
    """The sentences pages hand their scripts (``json_script``) count as shown."""
    found = set()
    for chunk in html.split('type="application/json">')[1:]:
        def walk(value):
            if isinstance(value, str):
                if value in english:
                    found.add(value)
            elif isinstance(value, dict):
                for item in value.values():
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)
        try:
            walk(json.loads(chunk.split("</script>", 1)[0]))
        except ValueError:
            continue
    return sorted(found)


@pytest.mark.parametrize("path", [
    "/", "/ruang/", "/ruang/bupati/", reverse("moderation:console"), reverse("moderation:audit"),
    reverse("notify:inbox"), reverse("notify:preferences"), reverse("notify:announce"), "/aspirasi/",
    reverse("accounts:profile"), reverse("admin:index"), "/admin/moderation/", "/admin/chat/message/",
    "/tidak-ada-halaman-ini/",
])
def test_a_page_in_bahasa_indonesia_shows_no_english_the_catalogue_translates(path):
    room_upsert(slug="bupati", title="Ruang Bupati")
    client = Client()
    client.force_login(create_user("admin_bahasa", role=Role.ADMIN))
    response = client.get(path)
    assert response.status_code in (200, 404), (path, response.status_code)
    html = response.content.decode()
    assert '<html lang="id"' in html
    english = _english_msgids()
    shown = _english_on(html, english) + _script_strings(html, english)
    assert shown == [], f"{path} shows English on the Indonesian site: {shown}"


def test_the_check_sees_an_english_string():
    """The check itself can fail: an untranslated sentence is found."""
    english = _english_msgids()
    assert "Moderation console" in english
    assert _english_on("<main><h1>Moderation console</h1></main>", english) == ["Moderation console"]
    assert _english_on('<button aria-label="Moderation console">x</button>', english) == ["Moderation console"]
    assert _english_on("<h1>Konsol moderasi</h1>", english) == []
