"""The sign-in form. Besides Django's, it tells a deactivated user why they
cannot sign in — only once their password proved the account is theirs, so
it reveals nothing to anyone else. Why an account is inactive is not
accounts' to know: the apps above register a teller (``register_inactive_reason``);
moderation tells of a ban and how to appeal it."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

_tellers: list[Callable] = []

DEACTIVATED = _("This account has been deactivated. Ask the regency's administrators if you think this is a mistake.")


def register_inactive_reason(teller: Callable) -> None:
    """``teller(user) -> str | None``: why ``user`` is inactive, or None when it does not know."""
    if teller not in _tellers:
        _tellers.append(teller)


def inactive_reason(user) -> str:
    for teller in _tellers:
        reason = teller(user)
        if reason:
            return reason
    return str(DEACTIVATED)


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's own prints the field's name into its sentence ("nama pengguna" twice in Indonesian).
        "invalid_login": _("The username or password is wrong. Both are case-sensitive."),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError as error:
            user = self._inactive_owner()
            if user is None:
                raise
            raise forms.ValidationError(inactive_reason(user), code="inactive") from error

    def _inactive_owner(self):
        """The inactive account these credentials are right for, if any (not
        while django-axes holds the sign-in locked)."""
        if self.request is not None and getattr(self.request, "axes_locked_out", False):
            return None
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not username or not password:
            return None
        user = get_user_model()._default_manager.filter(username=username, is_active=False).first()
        return user if user is not None and user.check_password(password) else None
