"""Inbox pages: list, mark read, preferences, and the administrators'
announcement form. Parse input, call services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from notify import selectors, services
from notify.forms import AnnouncementForm, MarkReadForm, PreferencesForm
from notify.models import Notification
from notify.serializers import notification_to_wire


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
def inbox(request):
    page = Paginator(selectors.inbox(user=request.user), selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    items = [{**notification_to_wire(n), "created": n.created_at} for n in page.object_list]
    return render(request, "notify/inbox.html", {"page": page, "items": items})


@login_required
@require_POST
def mark_read(request):
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose notifications to mark read."))
    services.notification_mark_read(user=request.user, ids=form.cleaned_data["ids"])
    if _wants_json(request):
        return JsonResponse({"unread": selectors.unread_count(user=request.user)})
    return redirect("notify:inbox")


@login_required
@require_POST
def mark_all_read(request):
    services.notification_mark_all_read(user=request.user)
    if _wants_json(request):
        return JsonResponse({"unread": 0})
    return redirect("notify:inbox")


@login_required
@require_POST
def open_notification(request, pk: int):
    """Mark one notification read and go where it points."""
    notification = get_object_or_404(Notification, pk=pk)
    if notification.recipient_id != request.user.pk:
        raise PermissionDenied
    services.notification_mark_read(user=request.user, ids=[pk])
    target = notification.url
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "notify:inbox"
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    form = PreferencesForm(request.POST or None, initial_channels=selectors.preferences(user=request.user))
    if request.method == "POST" and form.is_valid():
        for kind, channel in form.cleaned_data.items():
            services.preference_set(user=request.user, kind=kind, channel=channel)
        messages.success(request, _("Your notification settings have been saved."))
        return redirect("notify:preferences")
    return render(request, "notify/preferences.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def announce(request):
    if not request.user.is_superuser:
        raise PermissionDenied
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.announcement_create(author=request.user, **form.cleaned_data)
        messages.success(request, _("The announcement is being delivered."))
        return redirect("notify:announce")
    return render(request, "notify/announce.html", {"form": form})
