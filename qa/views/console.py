"""The officials' console: ``/konsol/`` (the schedule of the sessions a
user acts in) and ``/konsol/<id>/`` (one session: its questions ranked, and
per question answer, highlight, dismiss, hand over, answer later; open
early and extend). Only for users who act for an official of the session
(themselves, or as a delegate); everyone else gets 403.

Every action is also a plain POST form (``/konsol/<id>/aksi/``) calling the
same service the ``sesi.<id>`` topic calls, so the console works without a
script; ``js/konsol.js`` follows the topic live, sends the actions over the
socket and adds the keyboard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.errors import INVALID, NOT_FOUND, AppError
from forum.selectors import categories
from officials.selectors import acts_for, agencies, agency_ids_of
from qa import selectors, services
from qa.models import SessionStatus
from qa.views.pages import page_config, session_context

EXTEND_CHOICES = (5, 10, 15, 30)


def _acting(user, session) -> set[int]:
    """The officials of ``session`` that ``user`` acts for (empty: 403)."""
    return acts_for(user) & selectors.official_ids(session=session)


@login_required
def index(request):
    """``/konsol/``: the schedule of the user's sessions (live, upcoming, past)."""
    if not acts_for(request.user):
        raise PermissionDenied
    groups = selectors.schedule_groups(selectors.sessions_of(user=request.user))
    return render(request, "qa/console_index.html", {
        "groups": groups, "inbox": bool(agency_ids_of(user=request.user)),
    })


def _session_for(request, pk: int):
    session = selectors.session_with_officials(pk=pk)
    if session is None:
        raise Http404
    if not _acting(request.user, session):
        raise PermissionDenied
    return session


@login_required
def session(request, pk: int, *, error: AppError | None = None, status: int = 200):
    """``/konsol/<id>/``: one session's console."""
    session = _session_for(request, pk)
    context = session_context(request, session)
    language = get_language()
    context.update({
        "error": error, "acting": sorted(_acting(request.user, session)),
        "agencies": agencies(), "categories": [(c.slug, c.name(language)) for c in categories()],
        "extend_choices": EXTEND_CHOICES, "inbox": bool(agency_ids_of(user=request.user)),
        "is_live": session.status == SessionStatus.LIVE,
        "can_open_early": session.status == SessionStatus.SCHEDULED,
        "can_extend": session.is_open_for_questions,
    })
    context["page_config"] = {**page_config(request, session, context), "console": True,
                              "officials": context["officials"], "acting": context["acting"]}
    return render(request, "qa/console.html", context, status=status)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _act(user, pk: int, data) -> str:
    """Run the action the form names; returns the line that says it was done."""
    action = data.get("action", "")
    question_id = _int(data.get("question"))
    common = {"user": user, "session_id": pk, "question_id": question_id}
    if action in {"answer", "highlight", "unhighlight", "dismiss", "hand_over", "answer_later"} and question_id is None:
        raise AppError(INVALID, _("Choose a question."))
    if action == "answer":
        text = (data.get("text") or "").strip()
        if not text:
            raise AppError(INVALID, _("Write the answer."))
        services.question_answer(**common, text=text, on_behalf_of=_int(data.get("on_behalf_of")))
        return _("The answer is published.")
    if action in ("highlight", "unhighlight"):
        services.question_highlight(**common, on=action == "highlight")
        return _("The question is highlighted.") if action == "highlight" else _("The highlight is removed.")
    if action == "dismiss":
        services.question_dismiss(**common, reason=data.get("reason", ""))
        return _("The question is dismissed.")
    if action == "hand_over":
        target = data.get("to", "")
        kind, _sep, target_id = target.partition(":")
        if kind not in ("official", "agency") or _int(target_id) is None:
            raise AppError(INVALID, _("Choose whom to hand it to."))
        services.question_hand_over(**common, to_official_id=_int(target_id) if kind == "official" else None,
                                    to_agency_id=_int(target_id) if kind == "agency" else None)
        return _("The question is handed over.")
    if action == "answer_later":
        agency_id = _int(data.get("agency"))
        if agency_id is None:
            raise AppError(INVALID, _("Choose the agency to forward it to."))
        services.question_answer_later(**common, agency_id=agency_id,
                                       category_slug=data.get("category") or "lainnya")
        return _("The question is now an aspiration in the forum, forwarded to the agency.")
    if action == "open_early":
        services.session_open_early(actor=user, session_id=pk)
        return _("The session is open.")
    if action == "extend":
        services.session_extend(actor=user, session_id=pk, minutes=_int(data.get("minutes")))
        return _("The session is extended.")
    raise AppError(INVALID, _("Unknown action."))


@require_POST
@login_required
def act(request, pk: int):
    """The console's actions as plain forms (no script)."""
    _session_for(request, pk)
    try:
        done = _act(request.user, pk, request.POST)
    except AppError as error:
        if error.code == NOT_FOUND:
            raise Http404 from error
        return session(request, pk, error=error, status=error.status)
    messages.success(request, done)
    anchor = f"#q-{request.POST['question']}" if request.POST.get("question") else ""
    return HttpResponseRedirect(reverse("qa:console_session", args=[pk]) + anchor)
