"""Signing staff in for tests: the second sign-in step (issue 14 D).

Officials, moderators and administrators pass a second step (a TOTP app, or a
recovery code) before anything else. Tests that are not about that step sign
them in with Django's ``Client.force_login`` as before: ``tests/conftest.py``
makes it pass the step too, as a staff member who typed their app's code
would (a confirmed TOTP device, created if needed, recorded in the session
exactly as ``django_otp.login`` records it). Tests of the step itself sign in
with ``force_login_unverified`` or through the real forms, and type codes
computed here from the device's key (``totp_code``) — real codes, no mocks.
"""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor
from accounts.models import User

_django_force_login = Client.force_login


def give_authenticator(user: User) -> TOTPDevice:
    """The user's confirmed authenticator app (created the first time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="uji", confirmed=True)
    return device


def totp_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the app shows now (or ``steps_ahead`` 30 s steps later),
    computed from the device's key as the app computes it."""
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{code:0{device.digits}d}"


def fresh_code_for(username: str) -> str:
    """A code the user's app would show now, accepted even if a code of this
    time step was used already (browser tests sign the same person in more
    than once within 30 s; the reuse refusal is tested on its own)."""
    device = give_authenticator(User.objects.get(username=username))
    device.last_t = -1
    device.throttle_reset(commit=False)
    device.save()
    return totp_code(device)


def ready_for_second_step(username: str) -> bool:
    """Whether the user needs the step; if so, their app is set up (as for a
    staff member who enrolled earlier)."""
    user = User.objects.get(username=username)
    if not twofactor.required_for(user):
        return False
    give_authenticator(user)
    return True


def pass_second_step(client: Client, user: User) -> None:
    """Record in ``client``'s session that it passed the step with the user's app."""
    device = give_authenticator(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[twofactor.SESSION_ROLE_KEY] = user.role
    session.save()


def force_login_unverified(client: Client, user: User, backend: str | None = None) -> None:
    """Django's own ``force_login``: the password step only."""
    _django_force_login(client, user, backend)


def force_login_passing_second_step(self: Client, user: User, backend: str | None = None) -> None:
    """``Client.force_login`` for the suite: staff also pass the second step."""
    _django_force_login(self, user, backend)
    if twofactor.required_for(user):
        pass_second_step(self, user)
