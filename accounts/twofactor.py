"""The second sign-in step (issue 14 D): who needs it, and whether a session
has passed it. Read by the pages (``accounts/middleware.py``) and the hub's
sockets (``realtime/auth.py``) alike, so the two can never disagree.

Built on django-otp: a TOTP device (an authenticator app) and a static
device holding the recovery codes. A session that passed the step carries the
device's persistent id under django-otp's own key (``django_otp.login``).
The writes (enrolment, recovery codes, checking a code) are in
``accounts/services.py``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import Role

#: The regency's voices and staff: officials (delegates are officials too),
#: moderators and administrators.
ROLES = frozenset({Role.OFFICIAL, Role.MODERATOR, Role.ADMIN})
#: The role the session was signed in (and verified) under; another role
#: now means a privilege change: a new session key, the step again.
SESSION_ROLE_KEY = "balai.session_role"


def required_for(user) -> bool:
    """Whether ``user`` must pass the second step before anything else."""
    return bool(getattr(user, "is_authenticated", False)) and user.role in ROLES


def session_verified(session, user) -> bool:
    """Whether ``session`` passed the second step for ``user`` with a device
    that is still theirs and confirmed (a device deleted by an administrator
    un-verifies every session that used it)."""
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id)
    return device is not None and device.user_id == user.pk and device.confirmed


def may_act(session, user) -> bool:
    """Signed in for good: no second step needed, or passed in this session."""
    return not required_for(user) or session_verified(session, user)


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def step_url(view_name: str, next_url: str) -> str:
    """The step's page (or its enrolment), leading on to ``next_url``."""
    return f"{reverse(view_name)}?{urlencode({'next': next_url})}"


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def session_mark_verified(request, device) -> None:
    """The step passed: a new session key (the session gained rights), then
    the device in the session (django-otp's key) and the role it holds."""
    request.session.cycle_key()
    otp_login(request, device)
    request.session[SESSION_ROLE_KEY] = request.user.role


def session_follow_role(request) -> None:
    """Rotate the session when the user's role is not the one it was signed in
    under: a new key and the second step forgotten (the new role may need it).
    The first request of a session records its role."""
    user = request.user
    recorded = request.session.get(SESSION_ROLE_KEY)
    if recorded == user.role:
        return
    if recorded is not None:
        request.session.cycle_key()
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session[SESSION_ROLE_KEY] = user.role
