"""Language selection for pages: the rule lives in ``realtime.language``."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from realtime.language import chosen_language


class ChosenLanguageMiddleware:
    """Bahasa Indonesia unless the visitor chose another language with the
    switcher (replaces Django's LocaleMiddleware, which would follow the
    browser's Accept-Language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
