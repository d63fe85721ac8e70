"""The data-rights pages: the privacy notice (``/privasi/``), the export of
one's data as JSON and the erasure of one's account."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.choices import Role
from privacy import selectors, services
from privacy.forms import EraseForm


@require_GET
def notice(request):
    """What is stored, where, for how long and who sees it."""
    return render(request, "privacy/notice.html", {
        "raw_text_days": settings.PRIVACY_RAW_TEXT_DAYS,
        "notification_days": settings.PRIVACY_NOTIFICATION_DAYS,
        "unmask_log_days": settings.PRIVACY_UNMASK_LOG_DAYS,
        "contact_email": settings.CONTACT_EMAIL,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    })


@login_required
@require_GET
def export(request):
    """Everything the hub holds about the signed-in user, as a JSON download."""
    data = selectors.user_export(user=request.user)
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="balai-warga-{request.user.pk}-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def erase(request):
    """Erase the signed-in citizen's account, after their password."""
    allowed = request.user.role == Role.CITIZEN
    form = EraseForm(request.POST or None, user=request.user)
    if request.method == "POST" and allowed and form.is_valid():
        services.account_erase(user=request.user)
        logout(request)
        messages.success(request, _("Your account has been erased. Thank you for taking part."))
        return redirect("frontend:home")
    return render(request, "privacy/erase.html", {"form": form, "allowed": allowed,
                                                  "refusal": services.ONLY_CITIZENS})
