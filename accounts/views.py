"""Account pages: sign-up, profile and the second sign-in step. Sign-in,
sign-out and password reset are Django's own views, wired in ``accounts.urls``
with our templates."""

import base64
import math

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import twofactor
from accounts.forms import EnrolForm, ProfileForm, SecondStepForm, SignUpForm
from accounts.network import client_address
from accounts.services import (
    second_factor_check,
    totp_enrolment_confirm,
    totp_enrolment_start,
    user_register,
    user_update_profile,
)
from accounts.throttle import signup_attempt
from accounts.validators import mask_phone

#: Set in the session that signed up: its visits are first visits, not returns.
NEW_ACCOUNT_SESSION_KEY = "balai.new_account"

_SIGNUP_KEPT_FIELDS = ("username", "display_name", "email", "category", "kecamatan", "phone")


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("frontend:home")
    if request.method == "POST":
        wait = signup_attempt(client_address(request))
        if wait is not None:
            # Refused before the form is read, so it tells nothing about the input
            # (not even whether the username is taken).
            minutes = _minutes(wait)
            refusal = ngettext(
                "Too many sign-up attempts from your network. Please try again in %(minutes)d minute.",
                "Too many sign-up attempts from your network. Please try again in %(minutes)d minutes.",
                minutes,
            ) % {"minutes": minutes}
            form = SignUpForm(initial={name: request.POST.get(name, "") for name in _SIGNUP_KEPT_FIELDS})
            response = render(request, "accounts/signup.html", {"form": form, "refusal": refusal}, status=429)
            response["Retry-After"] = str(wait)
            return response
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = user_register(
            username=data["username"],
            password=data["password1"],
            display_name=data["display_name"],
            category=data["category"],
            kecamatan=data["kecamatan"],
            email=data.get("email", ""),
            phone=data.get("phone", ""),
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        # The home page greets this session's visits as a first one (docs/decisions.md).
        request.session[NEW_ACCOUNT_SESSION_KEY] = True
        messages.success(request, _("Welcome to Balai Warga, %(name)s.") % {"name": user.display_name})
        return redirect("frontend:home")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user_update_profile(
            user=request.user,
            display_name=data["display_name"],
            category=data["category"],
            kecamatan=data["kecamatan"],
            email=data.get("email", ""),
            phone=data["phone"],
        )
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "masked_phone": mask_phone(request.user.phone)},
    )


def signin_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a sign-in (site or admin) refused after too many
    failures for this username from this address (``AXES_LOCKOUT_CALLABLE``)."""
    minutes = _minutes(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


def _next_url(request) -> str:
    """Where the step leads on: the ``next`` asked for if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_step(request):
    """After the password: the authenticator app's code or a recovery code.
    A wrong code counts as a failed sign-in (django-axes): at the limit the
    session is signed out and the lock-out page shown, as for passwords."""
    user, next_url = request.user, _next_url(request)
    if twofactor.may_act(request.session, user):
        return redirect(next_url)
    if twofactor.confirmed_totp(user) is None:
        return redirect(twofactor.step_url("accounts:second_step_enrol", next_url))
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        logout(request)
        return signin_locked_out(request)
    form = SecondStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor_check(user=user, token=form.cleaned_data["code"])
        if device is not None:
            twofactor.session_mark_verified(request, device)
            if isinstance(device, StaticDevice):
                left = twofactor.recovery_codes_left(user)
                messages.warning(request, ngettext(
                    "You signed in with a recovery code; %(count)d is left. Set up your app again to get new ones.",
                    "You signed in with a recovery code; %(count)d are left. Set up your app again to get new ones.",
                    left) % {"count": left})
            return redirect(next_url)
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return signin_locked_out(request)
        form.add_error("code", _("That code is not right or was already used. Wait for the next code and try again."))
    return render(request, "accounts/second_step.html", {"form": form, "next": next_url})


@never_cache  # the key and the recovery codes stay out of every cache
@login_required
@require_http_methods(["GET", "POST"])
def second_step_enrol(request):
    """Set up the authenticator app: a QR code and the key, then its first
    code; on success the recovery codes, shown this once. Open to a user who
    has no app yet, or who passed the step in this session (a new phone)."""
    user, next_url = request.user, _next_url(request)
    if not twofactor.required_for(user):
        return redirect(next_url)
    verified = twofactor.session_verified(request.session, user)
    if twofactor.confirmed_totp(user) is not None and not verified:
        return redirect(twofactor.step_url("accounts:second_step", next_url))
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = totp_enrolment_confirm(user=user, token="".join(form.cleaned_data["code"].split()))
        if result is not None:
            device, codes = result
            twofactor.session_mark_verified(request, device)
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})
        form.add_error("code", _("That code is not right. Check the app shows Balai Warga and try the next code."))
    device = totp_enrolment_start(user=user)
    secret = base64.b32encode(device.bin_key).decode()
    # segno's SVG is markup of its own making (no user text): safe to inline.
    qr = mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=5, title=_("QR code of the key")))
    return render(request, "accounts/second_step_enrol.html", {
        "form": form, "next": next_url, "qr": qr, "verified": verified,
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
    })
