"""The public pages: the schedule ``/sesi/`` and one session ``/sesi/<id>/``.

Both work without JavaScript: asking and "dukung" are POST forms (CSRF)
calling the same services as the live topic; ``js/session.js`` follows the
session's ``sesi.<id>`` topic and does both over the socket instead. A
refused action shows its reason on the session page with the error's HTTP
status and changes nothing."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.errors import NOT_FOUND, AppError
from qa import selectors, services, wire
from qa.models import SessionStatus
from qa.services import QUESTION_MAX_CHARS
from realtime import presence


def audience(session_id: int) -> int:
    """How many watch now (the hub's presence of the session's topic)."""
    return async_to_sync(presence.count)(wire.topic_of(session_id))


def session_list(request):
    """``/sesi/``: live now, upcoming, past."""
    return render(request, "qa/schedule.html", {"groups": selectors.schedule()})


def split(views: list[dict]) -> tuple[list[dict], list[dict]]:
    """The questions still to answer (ranked) and those done with: answered
    or carried into the forum (latest answer first)."""
    open_ = [q for q in views if q["state"] == "public" and q["aspiration"] is None]
    done = [q for q in views if q not in open_]
    done.sort(key=lambda q: (q["answer"]["at"] if q["answer"] else q["created_at"]), reverse=True)
    return open_, done


def client_strings() -> dict:
    """The words js/qa_view.js, js/session.js and js/konsol.js show (translated here)."""
    return {
        "answered_by": _("Answered by {official}"), "answered_by_staff": _("Answered by staff {name} for {official}"),
        "handed_over": _("Handed over to {name}"), "later": _("To be answered later in the forum:"),
        "aspiration": _("Aspiration {ref}"), "highlighted": _("Highlighted"), "supports": _("supports"),
        "support": _("Support (dukung)"), "supported": _("Supported"), "waiting": _("Waiting for review"),
        "not_approved": _("Not approved"), "connecting": _("Connecting…"), "open": _("Connected"),
        "closed": _("Reconnecting…"), "offline": _("Offline — reconnecting…"),
        "new_question": _("New question from {name}"), "answered_now": _("A question was answered"),
        "sent": _("Sent."),
        "failed": _("Not sent; try again."), "sign_in": _("Sign in to take part."),
        "status": {value: str(label) for value, label in SessionStatus.choices},
        "already_answered": _("Already answered by {name}."), "done": _("Done."),
        "unhighlight": _("Remove the highlight"),
        "answer_hidden": _("This answer is hidden while a moderator reviews it."),
        "ended": _("This session has ended; it is read-only now."), "cancelled": _("This session was cancelled."),
        "left": _("{m} min left"), "starts_in": _("Starts in {m} min"), "over": _("Time is up"),
    }


def page_config(request, session, context: dict) -> dict:
    user = request.user
    return {
        "topic": context["topic"], "since": context["rev"], "session": session.pk,
        "user_id": user.pk if user.is_authenticated else None, "max_chars": QUESTION_MAX_CHARS,
        "vote_url": reverse("qa:vote", args=[session.pk, 0]), "strings": client_strings(),
    }


def session_context(request, session) -> dict:
    """What the session page and the console both show."""
    views = [wire.question_to_wire(q) for q in selectors.questions_shown(session_id=session.pk)]
    open_, done = split(views)
    live_view = wire.session_to_wire(session, audience=audience(session.pk),
                                       waiting=selectors.questions_waiting(session_id=session.pk))
    return {
        "session": session, "session_view": live_view, "questions": views,
        "open_questions": open_, "done_questions": done,
        "officials": live_view["officials"], "topic": wire.topic_of(session.pk), "max_chars": QUESTION_MAX_CHARS,
        "rev": getattr(session, "rev", 0),
    }


def detail(request, pk: int, *, error: AppError | None = None, status: int = 200, body: str = ""):
    """``/sesi/<id>/``: the session, its questions ranked, the ask form; an
    ended session read-only with its transcript and figures."""
    session = selectors.session_with_officials(pk=pk)
    if session is None:
        raise Http404
    context = session_context(request, session)
    user = request.user
    voted = set(selectors.voted_ids(session_id=pk, user_id=user.pk)) if user.is_authenticated else set()
    mine = selectors.questions_of(session_id=pk, user_id=user.pk) if user.is_authenticated else []
    for view in context["open_questions"] + context["done_questions"]:
        view["voted"] = view["id"] in voted
    ended = session.status == SessionStatus.ENDED
    context.update({
        # The visitor's own questions still theirs alone (waiting for review, or refused).
        "mine": [view for view in map(wire.question_to_wire, mine)
                 if view["state"] in (wire.PENDING, wire.REFUSED)],
        # Guests read; signing in is offered in the ask form's place.
        "can_ask": session.is_open_for_questions,
        "can_vote": session.is_open_for_questions and user.is_authenticated,
        "ended": ended, "figures": selectors.figures(session=session) if ended else None,
        # The transcript: every question shown, in the order asked, with what became of it.
        "transcript": sorted(context["questions"], key=lambda q: q["created_at"]) if ended else [],
        "error": error, "body": body,
        "follow": selectors.follow_state(user=user, session=session),
    })
    context["page_config"] = {**page_config(request, session, context), "voted": sorted(voted),
                              "can_vote": context["can_vote"], "open": session.is_open_for_questions}
    return render(request, "qa/session.html", context, status=status)


def _back(pk: int, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("qa:session", args=[pk]) + anchor)


def _refused(request, pk: int, error: AppError, body: str = ""):
    if error.code == NOT_FOUND:
        raise Http404
    return detail(request, pk, error=error, status=error.status, body=body)


@require_POST
@login_required
def ask(request, pk: int):
    """The no-script ask form (the topic's ``ask`` otherwise)."""
    body = request.POST.get("body", "")
    try:
        services.question_ask(user=request.user, session_id=pk, body=body,
                              anonymous=request.POST.get("anonymous") == "on",
                              client_id=request.POST.get("client_id") or None)
    except AppError as error:
        return _refused(request, pk, error, body)
    messages.success(request, _("Your question was sent. It waits for a moderator's review."))
    return _back(pk, "#mine")


@require_POST
@login_required
def vote(request, pk: int, question_id: int):
    """The no-script "dukung" toggle (the topic's ``vote`` otherwise)."""
    try:
        voted, _count = services.vote_toggle(user=request.user, question_id=question_id, session_id=pk)
    except AppError as error:
        return _refused(request, pk, error)
    messages.success(request, _("You support this question.") if voted else _("Your support was withdrawn."))
    return _back(pk, f"#q-{question_id}")
