"""Page middleware: the language (the rule lives in ``realtime.language``)
and the page edge of the one application error type."""

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers

from common.errors import AppError
from common.http import error_response
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


class AppErrorMiddleware:
    """The page edge of ``AppError``: a view that raises one answers with its
    HTTP status and its detail — as JSON to a request that asked for JSON,
    else as a page in the site's layout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, AppError):
            return None
        if "application/json" in request.headers.get("Accept", "") or request.content_type == "application/json":
            return error_response(exception)
        return render(request, "frontend/error.html", {"error": exception}, status=exception.status)
