"""``POST /sesi/<id>/ikuti/``: follow or unfollow a session.

The form (``qa/_follow.html``) sends ``follow=1`` or ``follow=0`` (without
it the state is toggled). A request that asks for JSON (``fetch``) gets
``{following, followers}``; a plain form is redirected back to the
session's page (or a safe ``next``) with a message. A guest is sent to
sign in (``forbidden`` as JSON). A refusal is an
``AppError`` (``frontend.middleware.AppErrorMiddleware`` answers it as JSON
or as a page); nothing changes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.errors import FORBIDDEN, INVALID, AppError
from qa import notifications, selectors, services


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
def follow(request, pk: int):
    if not request.user.is_authenticated:
        if _wants_json(request):
            raise AppError(FORBIDDEN, _("Sign in to follow a session."))
        return redirect_to_login(f"/sesi/{pk}/")
    wanted = request.POST.get("follow")
    if wanted not in (None, "0", "1"):
        raise AppError(INVALID)
    if wanted is None:
        wanted = "0" if selectors.is_following(user=request.user, session_id=pk) else "1"
    if wanted == "1":
        services.session_follow(user=request.user, session_id=pk)
    else:
        services.session_unfollow(user=request.user, session_id=pk)
    session = selectors.session_by_id(pk=pk)
    state = selectors.follow_state(user=request.user, session=session)
    if _wants_json(request):
        return JsonResponse({"following": state["following"], "followers": state["followers"]})
    messages.success(request, _("You follow this session: we will remind you a day and 15 minutes before it "
                                "starts and when it opens.") if state["following"]
                     else _("You no longer follow this session."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = notifications.session_url(session.pk)
    return HttpResponseRedirect(target)
