"""Page middleware: the language (the rule lives in ``realtime.language``),
the page edge of the one application error type, and the page answered
while Redis is unreachable."""

import logging

import redis
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers

from common.errors import UNAVAILABLE, AppError
from common.http import error_response
from realtime.language import chosen_language

log = logging.getLogger(__name__)

#: What a page request that needed Redis (sessions, cache, throttles) while it
#: was unreachable answers: a 503 page that reloads itself after this long.
RETRY_AFTER_S = 10
REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


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


def outage_response(request, exception: BaseException) -> HttpResponse:
    """503 with ``Retry-After`` and a small page in the visitor's language
    that reloads itself (JSON to a request that asked for JSON). Rendered
    without the request's context: those processors would need Redis again."""
    log.warning("%s %s: Redis unreachable (%s); answered 503", request.method, request.path,
                type(exception).__name__)
    if "application/json" in request.headers.get("Accept", "") or request.content_type == "application/json":
        response = error_response(AppError(UNAVAILABLE, retry_after=RETRY_AFTER_S))
    else:
        response = HttpResponse(render_to_string("frontend/unavailable.html", {"retry_after": RETRY_AFTER_S}),
                                status=503)
    response["Retry-After"] = str(RETRY_AFTER_S)
    response["Cache-Control"] = "no-store"
    return response


class RedisOutageMiddleware:
    """A view that fails because Redis is unreachable answers the retryable
    outage page (issue 14 A7), not a 500 that never recovers by itself.
    Failures outside views (a session saved after the view) reach
    ``frontend.views.server_error``, which answers the same."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, REDIS_DOWN):
            return outage_response(request, exception)
        return None
