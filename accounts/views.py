"""Account pages: sign-up and profile. Sign-in, sign-out and password reset
are Django's own views, wired in ``accounts.urls`` with our templates."""

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts.forms import ProfileForm, SignUpForm
from accounts.network import client_address
from accounts.services import user_register, user_update_profile
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
