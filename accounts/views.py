"""Account pages: sign-up and profile. Sign-in, sign-out and password reset
are Django's own views, wired in ``accounts.urls`` with our templates."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import ProfileForm, SignUpForm
from accounts.services import user_register, user_update_profile
from accounts.validators import mask_phone


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("frontend:home")
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
