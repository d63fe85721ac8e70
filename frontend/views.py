"""Pages that belong to no single app: the home page, and the page of an
unexpected error (``handler500``)."""

import sys

from django.conf import settings
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation

from frontend.middleware import REDIS_DOWN, outage_response
from realtime.language import chosen_language


def home(request):
    return render(request, "frontend/home.html")


def server_error(request):
    """An error outside any view (a middleware saving the session, say): when
    Redis was unreachable, the retryable outage page (503) instead of a 500.

    Otherwise the 500 page in the site's layout and the visitor's language,
    rendered without the request's context (the bell's count, the user): it
    needs neither the database nor Redis, either of which may be what failed."""
    exception = sys.exc_info()[1]
    if isinstance(exception, REDIS_DOWN) or isinstance(getattr(exception, "__cause__", None), REDIS_DOWN):
        return outage_response(request, exception)
    with translation.override(chosen_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))):
        return HttpResponseServerError(render_to_string("500.html"))
