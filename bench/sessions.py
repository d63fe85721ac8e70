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
    store.create()
    return store.session_key
