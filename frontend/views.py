"""Pages that belong to no single app: the home page, the web app manifest and
the favicon, and the page of an unexpected error (``handler500``)."""

import sys

from django.conf import settings
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from accounts.views import NEW_ACCOUNT_SESSION_KEY
from chat.selectors import room_list
from forum.selectors import aspiration_list
from frontend.middleware import REDIS_DOWN, outage_response
from qa.selectors import home_sessions
from realtime.language import chosen_language


def home(request):
    """The live Q&A session, if any, and the next ones; the rooms, the latest
    aspirations the visitor may see, the places of
    their role (``nav``, from frontend.context) and a greeting: "welcome" for
    a guest or an account signed up in this session, "welcome back" for any
    other signed-in visit (docs/decisions.md)."""
    user = request.user
    returning = user.is_authenticated and not request.session.get(NEW_ACCOUNT_SESSION_KEY, False)
    return render(request, "frontend/home.html", {
        "rooms": room_list(user=user),
        "aspirations": list(aspiration_list(user=user, sort="newest")[:5]),
        "sessions": home_sessions(),
        "returning": returning,
    })


#: The brand colour of the site's header (``--brand`` in css/balai.css).
THEME_COLOUR = "#0b5d3b"


@require_GET
@cache_control(public=True, max_age=86400)
def manifest(request):
    """The web app manifest: the site installs on an Android home screen.
    In the visitor's language (Bahasa Indonesia unless chosen otherwise);
    the icon under its hashed name."""
    return JsonResponse({
        "id": "/",
        "name": _("Balai Warga"),
        "short_name": _("Balai Warga"),
        "description": _("Balai Warga — the citizen engagement hub of the Kabupaten Pati government."),
        "lang": translation.get_language(),
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f7f9",
        "theme_color": THEME_COLOUR,
        "icons": [{"src": static("frontend/favicon.svg"), "sizes": "any", "type": "image/svg+xml",
                   "purpose": "any"}],
    }, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@require_GET
@cache_control(public=True, max_age=86400)
def favicon(request):
    """``/favicon.ico``, asked for by browsers that did not read the page's
    ``<link rel="icon">``: the SVG icon under its current (hashed) name."""
    return redirect(static("frontend/favicon.svg"))


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
