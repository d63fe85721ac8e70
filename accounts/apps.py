import axes.apps
import django_otp.plugins.otp_static.apps
import django_otp.plugins.otp_totp.apps
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


class _TranslatedModels:
    """django-otp's models under names the admin shows in the visitor's
    language (the package ships no Indonesian)."""

    names: dict[str, tuple] = {}

    def ready(self):
        super().ready()
        for model_name, (singular, plural) in self.names.items():
            meta = self.get_model(model_name)._meta
            meta.verbose_name, meta.verbose_name_plural = singular, plural


class AuthenticatorAppsConfig(_TranslatedModels, django_otp.plugins.otp_totp.apps.DefaultConfig):
    """The second sign-in step's authenticator apps (TOTP); an administrator
    deletes a lost one here, and its owner sets up a new one at the next sign-in."""

    default = False
    verbose_name = _("Two-step sign-in: authenticator apps")
    names = {"TOTPDevice": (_("authenticator app"), _("authenticator apps"))}


class RecoveryCodesConfig(_TranslatedModels, django_otp.plugins.otp_static.apps.DefaultConfig):
    """The second sign-in step's recovery codes."""

    default = False
    verbose_name = _("Two-step sign-in: recovery codes")
    names = {"StaticDevice": (_("recovery code set"), _("recovery code sets")),
             "StaticToken": (_("recovery code"), _("recovery codes"))}
