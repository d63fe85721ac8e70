import axes.apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")


class SignInLockoutConfig(axes.apps.AppConfig):
    """django-axes (sign-in lock-outs) under a name the admin shows in the
    visitor's language; its models come translated by the package itself.
    Installed by its path in ``INSTALLED_APPS``, in place of ``"axes"``."""

    default = False  # not picked for "accounts"
    verbose_name = _("Sign-in lock-outs")
