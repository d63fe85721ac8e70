"""Pages that belong to no single app: the home page, and the page of an
unexpected error (``handler500``)."""

import sys

from django.shortcuts import render
from django.views import defaults

from frontend.middleware import REDIS_DOWN, outage_response


def home(request):
    return render(request, "frontend/home.html")


def server_error(request):
    """An error outside any view (a middleware saving the session, say): when
    Redis was unreachable, the retryable outage page (503) instead of a 500."""
    exception = sys.exc_info()[1]
    if isinstance(exception, REDIS_DOWN) or isinstance(getattr(exception, "__cause__", None), REDIS_DOWN):
        return outage_response(request, exception)
    return defaults.server_error(request)
