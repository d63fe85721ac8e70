"""Sessions for benchmark users, made directly (run inside a set-up Django)."""

from __future__ import annotations


def session_for(user) -> str:
    """What ``login()`` stores, without its per-login commits; returns the key.

    Staff (officials, moderators, administrators) owe the second sign-in step
    (``accounts.twofactor``): their session records it as passed with a
    confirmed authenticator app of theirs (created the first time), as
    ``django_otp.login`` records it after a typed code. Without it the hub
    treats their sockets as a guest's."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
    from django.utils.module_loading import import_string

    from accounts import twofactor

    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    # The first backend that can load a user, as Client.force_login picks it
    # (axes' backend comes first and has no get_user).
    store[BACKEND_SESSION_KEY] = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if twofactor.required_for(user):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = twofactor.confirmed_totp(user) or TOTPDevice.objects.create(user=user, name="bench",
                                                                              confirmed=True)
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store[twofactor.SESSION_ROLE_KEY] = user.role
    store.create()
    return store.session_key
