"""The second sign-in step at the page edge (issue 14 D).

For a signed-in user: the session follows the role (a role change rotates its
key and forgets the step: ``twofactor.session_follow_role``); a user who needs
the step and has not passed it in this session reaches nothing but the step
itself, its enrolment, sign-out, the language switch and ``/healthz`` — every
other page, the moderation console and its API, the agency pages and the
Django admin included. A page is answered with a redirect to the step (or to
enrolment when no authenticator app is set up yet), any other request with
403.
"""

from __future__ import annotations

import redis
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import get_resolver

from accounts import twofactor

#: What an unverified session may still reach (view names).
OPEN_VIEWS = frozenset({
    "accounts:second_step", "accounts:second_step_enrol", "accounts:logout", "set_language", "ops:healthz",
})
REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_VIEWS:
            return None
        try:
            return self._gate(request)
        except REDIS_DOWN:
            # The session lives in Redis. Never let the request through
            # unchecked: answer as any failure outside a view is answered
            # (handler500: the retryable outage page, frontend/views.py).
            return get_resolver().resolve_error_handler(500)(request)

    def _gate(self, request):
        user = request.user
        if not user.is_authenticated:
            return None
        twofactor.session_follow_role(request)
        if twofactor.may_act(request.session, user):
            return None
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        step = "accounts:second_step" if twofactor.confirmed_totp(user) else "accounts:second_step_enrol"
        return redirect(twofactor.step_url(step, request.get_full_path()))
