"""The aspiration forum's pages: the list, one thread, compose, "my
aspirations", the agency inbox, and the photos behind the same door as the
thread. Every page works without JavaScript (plain forms, POST then
redirect); ``js/aspiration.js`` only makes an open thread follow its
``aspirasi.<id>`` topic live and suggests similar aspirations while composing.

Views parse input and call a service (``forum/services.py``,
``forum/photos.py``); who sees what is ``forum/rules.py`` through
``forum.selectors.aspiration_seen``. A refused action shows its reason on
the thread page with the error's HTTP status, and changes nothing.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common import pii
from common.errors import FORBIDDEN, INVALID, NOT_FOUND, AppError
from common.sanitize import render_markdown
from forum import deadlines, lifecycle, photos, rules, search, selectors, services
from forum.events import public_author
from forum.forms import (
    AnswerForm,
    ComposeForm,
    ListFilterForm,
    RateForm,
    ReplyForm,
    ReportForm,
    StatusForm,
    first_error,
)
from forum.lifecycle import AGENCY, AUTHOR, MODERATOR
from forum.models import Aspiration, AspirationPhoto, Privacy, Reply, Status
from moderation import selectors as moderation_selectors
from moderation.services import report_create
from officials.selectors import agencies, agency_ids_of

PAGE_SIZE = 20


# --- what a reader sees of an aspiration -------------------------------------------------
def _anonymous() -> str:
    return _("Citizen (anonymous)")

#: Insiders who are staff: their sight of unmasked personal data is logged (docs/security.md).
STAFF_INSIDERS = frozenset({MODERATOR, AGENCY})


def author_name(aspiration: Aspiration, roles: set[str]) -> str:
    """The author's name, or "Warga (anonim)" for the public of an anonymous one."""
    if rules.shows_author(aspiration, roles):
        return aspiration.author.display_name or aspiration.author.username
    return _anonymous()


def countdown(aspiration: Aspiration, now=None) -> int | None:
    """Working days left on the current deadline (negative: overdue), or None."""
    if not aspiration.is_open or aspiration.due_at is None:
        return None
    return deadlines.working_days_left(aspiration.due_at, now or timezone.now())


@dataclass
class Card:
    """One aspiration in a list."""

    aspiration: Aspiration
    author: str
    days_left: int | None
    overdue: bool
    category: str


def _cards(rows, user) -> list[Card]:
    agency_ids = agency_ids_of(user=user)
    now = timezone.now()
    language = get_language()
    cards = []
    for aspiration in rows:
        roles = rules.roles_of(user, aspiration, agency_ids)
        cards.append(Card(aspiration, author_name(aspiration, roles), countdown(aspiration, now),
                          selectors.is_overdue(aspiration, now), aspiration.category.name(language)))
    return cards


# --- the list ------------------------------------------------------------------------------
def aspiration_list(request):
    """``/aspirasi/``: every aspiration this visitor may see, filtered and sorted, 20 a page."""
    categories = selectors.categories()
    form = ListFilterForm(request.GET or None, categories=categories, agencies=agencies(), language=get_language())
    filters = form.filters() if request.GET else {"sort": "newest", "category": "", "kecamatan": "", "status": "",
                                                  "agency": ""}
    text = form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else ""
    if text.strip():
        # Best match first; the list's filters still apply (sorting does not).
        rows = search.search(request.user, agency_ids_of(user=request.user), text, category=filters["category"],
                             kecamatan=filters["kecamatan"], status=filters["status"], agency=filters["agency"])
    else:
        rows = selectors.aspiration_list(user=request.user, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "forum/list.html", {
        "form": form, "page": page, "cards": _cards(page.object_list, request.user),
        "query": query.urlencode(), "filters": filters,
    })


@login_required
def mine(request):
    """``/aspirasi/saya/``: the visitor's own aspirations, with status and deadline."""
    page = Paginator(selectors.mine(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "forum/mine.html", {"page": page, "cards": _cards(page.object_list, request.user)})


# --- one thread ----------------------------------------------------------------------------
@dataclass
class ReplyView:
    reply: Reply
    author: str
    html: str
    depth: int
    can_reply: bool
    can_edit: bool
    can_delete: bool
    can_report: bool
    history: list[dict] = field(default_factory=list)


@dataclass
class Action:
    to_status: str
    label: str
    needs_reason: bool
    needs_agency: bool
    danger: bool = False


def _action_label(from_status: str, to_status: str) -> str:
    if (from_status, to_status) == (Status.DONE, Status.FORWARDED):
        return _("Reopen")
    if from_status == Status.FORWARDED and to_status == Status.FORWARDED:
        return _("Forward to another agency")
    if from_status == Status.ANSWERED and to_status == Status.FORWARDED:
        return _("Forward again")
    return {
        Status.VERIFIED: _("Verify"),
        Status.FORWARDED: _("Forward to an agency"),
        Status.ANSWERED: _("Mark as answered"),
        Status.DONE: _("Mark as done"),
        Status.REJECTED: _("Reject"),
    }.get(to_status, to_status)


def status_actions(aspiration: Aspiration, roles: set[str], now=None) -> list[Action]:
    """The steps ``roles`` may take from here, as the page offers them. A new
    aspiration is decided in the moderators' console (its queue item); an
    answer is given with the answer form; reopening only within 14 days."""
    now = now or timezone.now()
    actions = []
    for to_status in lifecycle.next_steps(aspiration.status, roles - {lifecycle.SYSTEM}):
        if aspiration.status == Status.NEW or to_status == Status.ANSWERED:
            continue
        if (aspiration.status, to_status) == (Status.DONE, Status.FORWARDED):
            if AUTHOR not in roles or (aspiration.done_at and now - aspiration.done_at
                                       > timedelta(days=lifecycle.REOPEN_DAYS)):
                continue
        step = lifecycle.TRANSITIONS[(aspiration.status, to_status)]
        actions.append(Action(to_status, _action_label(aspiration.status, to_status), step.needs_reason,
                              step.needs_agency, danger=to_status == Status.REJECTED))
    return actions


def _reply_views(aspiration: Aspiration, replies: list[Reply], user, roles: set[str]) -> list[ReplyView]:
    insider = rules.shows_personal_data(roles)
    now = timezone.now()
    history = selectors.revisions(replies=replies)
    if roles & STAFF_INSIDERS:  # unmasked NIK and phone numbers shown to staff are logged
        for reply in replies:
            if reply.is_shown:
                pii.shown_unmasked(viewer=user, subject_id=reply.author_id, target=f"forum.reply:{reply.pk}",
                                   texts=[reply.body, *(r.body for r in history.get(reply.pk, []))], where="forum")
    can_reply = rules.can_reply(user, aspiration, roles)
    signed_in = user.is_authenticated
    views = []
    for reply in replies:
        shown = reply.is_shown
        own = signed_in and reply.author_id == user.pk
        if insider:
            name = reply.author.display_name or reply.author.username
        else:
            name = public_author(reply.author, aspiration)["name"]
        views.append(ReplyView(
            reply=reply, author=name,
            html=(render_markdown(reply.body, mask=False) if insider else reply.html) if shown else "",
            depth=min(reply.depth, rules.MAX_DEPTH),
            can_reply=can_reply and shown and reply.depth < rules.MAX_DEPTH,
            can_edit=shown and own and now - reply.created_at <= timedelta(minutes=rules.EDIT_WINDOW_MINUTES),
            can_delete=shown and (own or (signed_in and user.is_moderator)),
            can_report=shown and signed_in and not own,
            history=[{"at": revision.created_at, "html": render_markdown(revision.body, mask=not insider)}
                     for revision in history.get(reply.pk, [])],
        ))
    return views


def _status_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Status.choices}


def _client_strings() -> dict[str, str]:
    """Every sentence aspiration.js shows (``{name}``, ``{status}`` filled in by it)."""
    return {
        "connecting": _("Connecting…"),
        "open": _("Live: new replies and status changes appear here"),
        "reconnecting": _("Reconnecting…"),
        "disconnected": _("Disconnected; reload the page to see the latest."),
        "new_reply": _("New reply from {name}"),
        "official_reply": _("Official response from {name}"),
        "reply_changed": _("A reply was changed"),
        "reply_deleted": _("Reply deleted"),
        "edited": _("edited"),
        "status_now": _("Status changed: {status}"),
        "stale_actions": _("The status has changed. Reload the page for the actions that apply now."),
        "reload": _("Reload"),
        "official": _("Official"),
        "reply": _("Reply"),
        "report": _("Report"),
        "report_thanks": _("Thank you, your report has been received."),
        "report_already": _("You have already reported this reply."),
        "report_failed": _("The report could not be sent. Try again."),
        "forwarded_to": _("to {agency}"),
    }


def _report_reasons() -> list[list[str]]:
    language = get_language()
    return [[reason.code, reason.label(language)] for reason in moderation_selectors.reject_reasons()]


def detail(request, pk: int, *, error: AppError | None = None, status: int = 200, forms: dict | None = None):
    """``/aspirasi/<id>/``: the thread. Confidential or unpublished ones are
    404 to everyone but their author, moderators and the responsible agency."""
    user = request.user
    seen = selectors.aspiration_seen(user=user, pk=pk)
    aspiration, roles = seen.aspiration, set(seen.roles)
    replies = selectors.thread(aspiration=aspiration)
    now = timezone.now()
    actions = status_actions(aspiration, roles, now)
    steps = lifecycle.next_steps(aspiration.status, roles)
    can_answer = Status.ANSWERED in steps and aspiration.status == Status.FORWARDED
    signed_in = user.is_authenticated
    forms = forms or {}
    if roles & STAFF_INSIDERS:  # unmasked NIK and phone numbers shown to staff are logged
        pii.shown_unmasked(viewer=user, subject_id=aspiration.author_id, target=f"forum.aspiration:{aspiration.pk}",
                           texts=[aspiration.title, aspiration.body], where="forum")
    context = {
        "aspiration": aspiration,
        "roles": roles,
        "insider": seen.shows_personal_data,
        "author": author_name(aspiration, roles),
        "body_html": render_markdown(aspiration.body, mask=False) if seen.shows_personal_data else aspiration.html,
        "category": aspiration.category.name(get_language()),
        "days_left": countdown(aspiration, now),
        "overdue": selectors.is_overdue(aspiration, now),
        "waiting": aspiration.status == Status.NEW and not aspiration.published,
        "timeline": selectors.timeline(aspiration=aspiration),
        "photos": list(aspiration.photos.all()),
        "replies": _reply_views(aspiration, replies, user, roles),
        "can_reply": rules.can_reply(user, aspiration, roles),
        "max_depth": rules.MAX_DEPTH,
        "reply_max": rules.MAX_REPLY,
        "can_support": signed_in and aspiration.published and aspiration.is_open,
        "supported": selectors.supported_by(user=user, aspiration=aspiration),
        "followed": selectors.followed_by(user=user, aspiration=aspiration),
        "actions": actions,
        "agencies": agencies() if any(action.needs_agency for action in actions) else [],
        "can_answer": can_answer,
        "answer_form": forms.get("answer") or AnswerForm(),
        "reply_form": forms.get("reply") or ReplyForm(),
        "can_rate": AUTHOR in roles and aspiration.status == Status.DONE,
        "rate_form": forms.get("rate") or RateForm(initial={"rating": aspiration.rating,
                                                           "comment": aspiration.rating_comment}),
        "in_console": aspiration.status == Status.NEW and lifecycle.MODERATOR in roles,
        "error": error,
        "report_reasons": _report_reasons() if signed_in else [],
        "client_config": {
            "topic": aspiration.topic,
            "since": aspiration.last_seq,
            "id": aspiration.pk,
            "user_id": user.pk if signed_in else None,
            "statuses": _status_labels(),
            "strings": _client_strings(),
            "reply_url": reverse("forum:reply", args=[aspiration.pk]),
            "report_url": reverse("moderation:report") if signed_in else None,
            "max_depth": rules.MAX_DEPTH,
            "can_reply": rules.can_reply(user, aspiration, roles),
        },
    }
    response = render(request, "forum/detail.html", context, status=status)
    if not _is_public(aspiration):
        response["Cache-Control"] = "private, no-store"
    return response


def _is_public(aspiration: Aspiration) -> bool:
    return aspiration.published and aspiration.privacy != Privacy.CONFIDENTIAL


# --- actions on a thread (POST, then redirect) -----------------------------------------------
def _next(request, pk: int, anchor: str = "") -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(reverse("forum:detail", args=[pk]) + anchor)


def _refused(request, pk: int, error: AppError, **forms):
    """A refused action: the thread again, the reason on top, nothing changed."""
    if error.code == NOT_FOUND:
        raise error
    return detail(request, pk, error=error, status=error.status, forms=forms)


def _invalid(form) -> AppError:
    return AppError(INVALID, first_error(form))


@require_POST
@login_required
def support(request, pk: int):
    try:
        supported, count = services.support_toggle(user=request.user, aspiration_id=pk)
    except AppError as error:
        return _refused(request, pk, error)
    messages.success(request, _("You support this aspiration.") if supported else _("Your support was withdrawn."))
    return _next(request, pk, "#support")


@require_POST
@login_required
def follow(request, pk: int):
    try:
        following = services.follow_toggle(user=request.user, aspiration_id=pk)
    except AppError as error:
        return _refused(request, pk, error)
    messages.success(request, _("You follow this aspiration: you will be told of replies and status changes.")
                     if following else _("You no longer follow this aspiration."))
    return _next(request, pk, "#support")


@require_POST
@login_required
def reply(request, pk: int):
    form = ReplyForm(request.POST)
    try:
        if not form.is_valid():
            raise _invalid(form)
        posted = services.reply_post(user=request.user, aspiration_id=pk, body=form.cleaned_data["body"],
                                     parent_id=form.cleaned_data.get("parent"))
    except AppError as error:
        return _refused(request, pk, error, **({} if request.POST.get("parent") else {"reply": form}))
    return _next(request, pk, f"#r-{posted.pk}")


@require_POST
@login_required
def answer(request, pk: int):
    """The responsible agency's official response: a reply that moves the
    aspiration to answered."""
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise _invalid(form)
        posted = services.reply_post(user=request.user, aspiration_id=pk, body=form.cleaned_data["body"],
                                     as_answer=True)
    except AppError as error:
        return _refused(request, pk, error, answer=form)
    messages.success(request, _("Your response has been published and the aspiration is marked as answered."))
    return _next(request, pk, f"#r-{posted.pk}")


@require_POST
@login_required
def reply_edit(request, pk: int, reply_id: int):
    form = ReplyForm(request.POST)
    try:
        if not form.is_valid():
            raise _invalid(form)
        edited = services.reply_edit(user=request.user, reply_id=_reply_of(pk, reply_id),
                                     body=form.cleaned_data["body"])
    except AppError as error:
        return _refused(request, pk, error)
    return _next(request, pk, f"#r-{edited.pk}")


@require_POST
@login_required
def reply_delete(request, pk: int, reply_id: int):
    try:
        deleted = services.reply_delete(user=request.user, reply_id=_reply_of(pk, reply_id))
    except AppError as error:
        return _refused(request, pk, error)
    messages.success(request, _("The reply was deleted."))
    return _next(request, pk, f"#r-{deleted.pk}")


@require_POST
@login_required
def reply_report(request, pk: int, reply_id: int):
    """The page's way into the existing report flow (``moderation.services.report_create``,
    as ``POST /moderasi/laporkan/`` does for the script)."""
    form = ReportForm(request.POST)
    try:
        selectors.aspiration_seen(user=request.user, pk=pk)
        if not form.is_valid():
            raise AppError(INVALID, _("Choose a reason."))
        report_create(reporter=request.user, target_kind="forum.reply", target_ref=str(_reply_of(pk, reply_id)),
                      reason_code=form.cleaned_data["reason"], note=form.cleaned_data.get("note") or "")
    except AppError as error:
        return _refused(request, pk, error)
    messages.success(request, _("Thank you, your report has been received."))
    return _next(request, pk, f"#r-{reply_id}")


def _reply_of(pk: int, reply_id: int) -> int:
    if not Reply.objects.filter(pk=reply_id, aspiration_id=pk).exists():
        raise AppError(NOT_FOUND)
    return reply_id


@require_POST
@login_required
def status(request, pk: int):
    """One step of the lifecycle, as ``forum/lifecycle.py`` allows it to the
    visitor's roles (``services.status_change`` checks again)."""
    form = StatusForm(request.POST)
    try:
        if not form.is_valid():
            raise _invalid(form)
        to_status = form.cleaned_data["to_status"]
        services.status_change(actor=request.user, aspiration_id=pk, to_status=to_status,
                               reason=form.cleaned_data.get("reason") or "", agency=form.cleaned_data.get("agency"))
    except AppError as error:
        return _refused(request, pk, error)
    messages.success(request, _("Status changed: %(status)s.") % {"status": Status(to_status).label})
    return _next(request, pk, "#status")


@require_POST
@login_required
def rate(request, pk: int):
    form = RateForm(request.POST)
    try:
        if not form.is_valid():
            raise _invalid(form)
        services.aspiration_rate(user=request.user, aspiration_id=pk, rating=form.cleaned_data["rating"],
                                 comment=form.cleaned_data.get("comment") or "")
    except AppError as error:
        return _refused(request, pk, error, rate=form)
    messages.success(request, _("Thank you for rating the outcome."))
    return _next(request, pk, "#rating")


# --- compose -----------------------------------------------------------------------------------
@login_required
def compose(request):
    """``/aspirasi/kirim/``: a new aspiration with up to three photos. It
    waits for a moderator before the public sees it."""
    language = get_language()
    error = None
    if request.method == "POST":
        form = ComposeForm(request.POST, language=language)
        if form.is_valid():
            data = form.cleaned_data
            try:
                aspiration = photos.aspiration_submit_with_photos(
                    author=request.user, files=request.FILES.getlist("photos"), title=data["title"],
                    body=data["body"], category=data["category"], kecamatan=data["kecamatan"],
                    desa=data.get("desa") or "", privacy=data.get("privacy") or None)
            except AppError as refused:
                error = refused.detail
            else:
                messages.success(request, _("Thank you. Your aspiration is waiting for a moderator's review."))
                return HttpResponseRedirect(reverse("forum:detail", args=[aspiration.pk]))
        else:
            error = _("Please correct the errors below.")
    else:
        form = ComposeForm(language=language)
    return render(request, "forum/compose.html", {
        "form": form, "error": error, "max_photos": rules.MAX_PHOTOS,
        "client_config": {"similar_url": "/aspirasi/mirip/", "strings": {
            "similar_title": _("Similar open aspirations: support one instead of filing a duplicate?"),
            "supports": _("{n} supports"),
        }},
    }, status=400 if request.method == "POST" else 200)


# --- the agency inbox ------------------------------------------------------------------------------
@login_required
def inbox(request):
    """``/aspirasi/instansi/``: the open aspirations of the agencies the
    visitor acts for, by deadline, with answer, forward and status actions."""
    agency_ids = agency_ids_of(user=request.user)
    if not agency_ids:
        raise AppError(FORBIDDEN, _("The agency inbox is for the officials of an agency."))
    page = Paginator(selectors.agency_inbox(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    items = []
    for card in _cards(page.object_list, request.user):
        roles = rules.roles_of(request.user, card.aspiration, agency_ids)
        steps = lifecycle.next_steps(card.aspiration.status, roles)
        items.append({"card": card, "actions": status_actions(card.aspiration, roles, now),
                      "can_answer": Status.ANSWERED in steps and card.aspiration.status == Status.FORWARDED})
    return render(request, "forum/inbox.html", {"page": page, "items": items, "agencies": agencies(),
                                                "answer_form": AnswerForm()})


# --- photos ------------------------------------------------------------------------------------------
def photo(request, pk: int, photo_id: int, thumb: bool = False):
    """A photo (or its thumbnail), only to those who may see its aspiration:
    the same 404 as the thread otherwise. Never a link into ``MEDIA_URL``."""
    seen = selectors.aspiration_seen(user=request.user, pk=pk)
    row = AspirationPhoto.objects.filter(pk=photo_id, aspiration_id=seen.aspiration.pk).first()
    if row is None:
        raise Http404
    stored = row.thumbnail if thumb else row.image
    try:
        handle = stored.storage.open(stored.name, "rb")
    except OSError:
        raise Http404 from None
    content_type = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if _is_public(seen.aspiration):
        response["Cache-Control"] = "public, max-age=86400"
    else:
        response["Cache-Control"] = "private, max-age=3600"
    return response
