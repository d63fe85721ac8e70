"""The language of a socket: the ``django_language`` cookie the language
switcher sets, else the browser's Accept-Language, else ``LANGUAGE_CODE``."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header


def _supported(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return get_supported_language_variant(code)
    except LookupError:
        return None


def language_from_scope(scope: dict) -> str:
    cookies = scope.get("cookies") or {}
    chosen = _supported(cookies.get(settings.LANGUAGE_COOKIE_NAME))
    if chosen:
        return chosen
    for name, value in scope.get("headers") or []:
        if name == b"accept-language":
            for code, _quality in parse_accept_lang_header(value.decode("latin-1")):
                if code != "*" and (chosen := _supported(code)):
                    return chosen
    return settings.LANGUAGE_CODE
