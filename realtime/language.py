"""Which language a visitor gets: Bahasa Indonesia, unless they chose another
with the language switcher (the ``django_language`` cookie). The browser's
Accept-Language is deliberately not consulted: many Indonesians run phones in
English yet expect their regency's service in Bahasa Indonesia, and the
switcher is on every page. Pages (``frontend.middleware``) and sockets use
the same rule."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_supported_language_variant


def chosen_language(cookie_value: str | None) -> str:
    if cookie_value:
        try:
            return get_supported_language_variant(cookie_value)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


def language_from_scope(scope: dict) -> str:
    cookies = scope.get("cookies") or {}
    return chosen_language(cookies.get(settings.LANGUAGE_COOKIE_NAME))
