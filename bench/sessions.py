"""Sessions for benchmark users, made directly (run inside a set-up Django)."""

from __future__ import annotations


def session_for(user) -> str:
    """What ``login()`` stores, without its per-login commits; returns the key."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
    from django.utils.module_loading import import_string

    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    # The first backend that can load a user, as Client.force_login picks it
    # (axes' backend comes first and has no get_user).
    store[BACKEND_SESSION_KEY] = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    # Officials, moderators and administrators owe the second sign-in step
    # (accounts/twofactor.py): without it their sockets are a guest's. The
    # bench's own users pass it with a confirmed device of their own, as
    # ``twofactor.session_mark_verified`` records it.
    from accounts import twofactor

    if twofactor.required_for(user):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store[twofactor.SESSION_ROLE_KEY] = user.role
    store.create()
    return store.session_key
