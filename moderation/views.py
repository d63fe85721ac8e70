"""The moderators' console (page + JSON API), the report endpoint, and the
administrators' audit log with CSV export. Parse input, call services."""

from __future__ import annotations

import csv
import json
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.choices import Role
from accounts.models import User
from common import pii
from common.errors import AppError, all_details
from common.http import error_response, json_errors
from moderation import selectors, services
from moderation.errors import FORBIDDEN, INVALID, NOT_FOUND, ONLY_MODERATORS
from moderation.models import QueueItem, Sanction
from moderation.queues import ESCALATED, all_queues
from moderation.texts import AUDIT_ACTIONS, audit_action_label, sanction_strings


def _json_body(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise AppError(INVALID) from None
    if not isinstance(data, dict):
        raise AppError(INVALID)
    return data


def _int(value) -> int:
    # isascii: "²" passes isdigit() but int() refuses it
    if isinstance(value, bool) or not isinstance(value, int | str) or not (str(value).isascii()
                                                                            and str(value).isdigit()):
        raise AppError(INVALID)
    return int(value)


def api(view=None, *, moderators_only: bool = True):
    """JSON in, JSON out; moderation errors become ``{"code", "detail"}`` with a
    status. The role is checked before the request body is even read."""
    if view is None:
        return lambda v: api(v, moderators_only=moderators_only)

    errors_as_json = json_errors(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated or (moderators_only and not request.user.is_moderator):
            return error_response(AppError(FORBIDDEN, ONLY_MODERATORS))
        return errors_as_json(request, *args, **kwargs)

    return wrapped


@login_required
@require_GET
def console(request):
    """The moderators' console page; the work itself goes through the JSON API
    below and live ``queue.event`` frames on ``modq.console`` (js/console.js)."""
    if not request.user.is_moderator:
        raise PermissionDenied
    queues = [(q.name, str(q.label)) for q in all_queues()]
    if request.user.is_superuser:
        queues.append((ESCALATED, _("Escalated")))
    language = get_language()
    reasons = [(r.code, r.label(language)) for r in selectors.reject_reasons()]
    stats = selectors.queue_stats()
    rows = [{"name": name, "label": label, **stats.get(name, {"pending": 0, "oldest_age": None})}
            for name, label in queues]
    return render(request, "moderation/console.html", {
        "queues": queues, "queue_rows": rows, "stats": stats, "reasons": reasons,
        "console_config": {
            "queues": {name: label for name, label in queues}, "stats": stats,
            "me": request.user.username, "me_id": request.user.pk, "batch_size": CONSOLE_BATCH,
            "strings": _console_strings(), "can_sanction_staff": request.user.is_superuser,
            "roles": {value: str(label) for value, label in Role.choices},
            "actions": _queue_actions(), "reasons": dict(reasons),
            "urls": {"claim": reverse("moderation:claim"), "decide": reverse("moderation:decide"),
                     "bulk_approve": reverse("moderation:bulk_approve"), "sanction": reverse("moderation:sanction"),
                     # "{id}" is filled in by the script
                     "sanction_lift": reverse("moderation:sanction_lift", args=[0]).replace("/0/", "/{id}/"),
                     "item": reverse("moderation:item", args=[0]).replace("/0/", "/{id}/")},
        },
    })


def _queue_actions() -> dict[str, dict]:
    """Per queue, what its buttons say: held content is published or refused,
    reported content kept or removed (``approve_redacted`` ``None``: no such
    action). An escalated item keeps its own queue's words."""
    return {q.name: {"approve": str(q.approve_label), "reject": str(q.reject_label),
                     "approve_redacted": str(q.redact_label) if q.redact_label is not None else None}
            for q in all_queues()}


#: How many items "claim a batch" takes at once (one claim request each).
CONSOLE_BATCH = 10


def _console_strings() -> dict[str, str]:
    """Every sentence console.js shows, translated here (``{n}``, ``{name}``,
    ``{id}``, ``{queue}`` are filled in by the script)."""
    return {
        "connecting": _("Connecting…"), "open": _("Connected"), "reconnecting": _("Reconnecting…"),
        "disconnected": _("Disconnected"),
        "empty_queue": _("Nothing is waiting in this queue."),
        "claimed_n": _("{n} items claimed."),
        "approved": _("Approved."), "approved_redacted": _("Approved with personal data masked."),
        "rejected": _("Rejected."), "escalated": _("Escalated to the administrators."),
        "bulk_done": _("{n} items approved."), "bulk_some_failed": _("{n} items approved; {failed} could not be."),
        "choose_reason": _("Choose a reason, then press R again."),
        "taken_by": _("Item #{id} was taken over by {name}."),
        "decided_elsewhere": _("Item #{id} was decided by someone else."),
        "event_arrived": _("New item #{id} in {queue}"),
        "event_claimed": _("#{id} claimed by {name}"),
        "event_decided": _("#{id} decided: {status}"),
        "event_escalated": _("#{id} escalated"),
        "age_none": _("—"), "age_s": _("{n} s"), "age_m": _("{n} min"), "age_h": _("{n} h"), "age_d": _("{n} days"),
        "network": _("The server could not be reached. Try again."),
        "status_pending": _("pending"), "status_approved": _("approved"), "status_rejected": _("rejected"),
        "status_escalated": _("escalated"),
        "missing": _("The content no longer exists."),
        "no_context": _("No messages around it."),
        "this_message": _("this message"),
        "history": _("{approved} approved, {rejected} rejected, {pending} waiting; {sanctions} sanctions"),
        "delivered": _("delivered {n}×"),
        "hits": {"premoderated": _("pre-moderated room"), "blocked_word": _("blocked word"),
                 "personal_data": _("personal data"), "too_many_links": _("too many links"),
                 "repeated_text": _("repeated text"), "new_account": _("new account"), "report": _("reported")},
        "hit_details": {"nik": _("NIK"), "phone": _("phone number"), "email": _("e-mail address")},
        "sanctioned": _("Under a sanction: not approved in bulk"),
        "done": _("Done: {action}."),
        "errors": {code: str(detail) for code, detail in all_details().items()},
        "sanctions": {
            **sanction_strings(),
            "scope_room": _("In {room}"),
            "muted_in": _("{name} is muted in {room} for {duration}."),
            "active_mute_room": _("Muted in {room} until {until}"),
            "active_mute_everywhere": _("Muted in every room until {until}"),
            "active_ban": _("Banned until lifted"),
            "none": _("No sanctions in force."),
            "lift": _("Lift"),
            "lifted": _("The sanction has been lifted."),
        },
    }


@require_POST
@api
def claim(request):
    """``{"queue"}`` → the claimed item with its context, or ``{"item": null}``."""
    data = _json_body(request)
    item = services.item_claim_next(moderator=request.user, queue=str(data.get("queue", "")))
    return JsonResponse({"item": _shown(request, selectors.item_context(item=item)) if item else None})


@require_POST
@api
def decide(request):
    """``{"item", "action", "reason", "note"}`` → the item's new status."""
    data = _json_body(request)
    item = services.item_decide(moderator=request.user, item_id=_int(data.get("item")),
                                action=str(data.get("action", "")), reason_code=str(data.get("reason") or ""),
                                note=str(data.get("note") or "")[:500])
    return JsonResponse({"item": item.pk, "status": item.status})


@require_POST
@api
def bulk_approve(request):
    data = _json_body(request)
    ids = data.get("items")
    if not isinstance(ids, list) or len(ids) > 100:
        raise AppError(INVALID)
    return JsonResponse({"results": services.item_bulk_approve(moderator=request.user,
                                                               item_ids=[_int(i) for i in ids])})


@require_POST
@api(moderators_only=False)
def report(request):
    """Any signed-in user: ``{"target_kind", "target", "reason", "note"}``,
    ``target`` being the public reference the content's page shows (a chat
    message: ``"<room slug>/<visible id>"``), resolved by its target kind;
    or ``target_id``, its primary key."""
    data = _json_body(request)
    target_ref, target_id = data.get("target"), None
    if target_ref is None:
        target_ref, target_id = "", _int(data.get("target_id"))
    elif not isinstance(target_ref, str) or len(target_ref) > 200:
        raise AppError(INVALID)
    services.report_create(reporter=request.user, target_kind=str(data.get("target_kind", "")), target_id=target_id,
                           target_ref=target_ref, reason_code=str(data.get("reason", "")),
                           note=str(data.get("note") or ""))
    return JsonResponse({"reported": True}, status=201)


@require_POST
@api
def sanction(request):
    """``{"user", "kind": "mute"|"ban", "duration": "10m"|"1h"|"24h", "scope", "reason"}``;
    ``scope`` is the topic a mute applies to (``room.bupati``), empty: everywhere."""
    data = _json_body(request)
    user = User.objects.filter(pk=_int(data.get("user"))).first()
    if user is None:
        raise AppError(NOT_FOUND)
    created = services.sanction_impose(moderator=request.user, user=user, kind=str(data.get("kind", "")),
                                       duration=data.get("duration"), scope=data.get("scope") or "",
                                       reason=str(data.get("reason") or "")[:300])
    return JsonResponse({"sanction": created.pk}, status=201)


@require_POST
@api
def sanction_lift(request, pk: int):
    services.sanction_lift(moderator=request.user, sanction=get_object_or_404(Sanction, pk=pk))
    return JsonResponse({"lifted": True})


@require_GET
@api
def item_detail(request, pk: int):
    """An item's context; an escalated one for administrators only (``forbidden``)."""
    item = get_object_or_404(QueueItem, pk=pk)
    services.require_may_see(moderator=request.user, item=item)
    return JsonResponse({"item": _shown(request, selectors.item_context(item=item))})


def _shown(request, context: dict) -> dict:
    """The console shows the item's text unmasked: a NIK or phone number in it is logged (``common.pii``)."""
    pii.shown_unmasked(viewer=request.user, subject_id=context.get("author_id"), texts=[context.get("text")],
                       target=f"{context['target_kind']}:{context['target_id']}", where="console")
    return context


AUDIT_COLUMNS = ("time", "actor", "action", "target", "subject", "reason")
#: A cell starting with one of these is a formula to a spreadsheet (OWASP CSV
#: injection); a tuple, since ``"" in "=+-@"`` is true and empty cells stay empty.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _audit_rows(entries):
    """The page's and the CSV's rows; the free text (``reason``: notes typed
    by moderators) with personal data masked, as everywhere else."""
    for entry in entries:
        yield (entry.created_at.isoformat(), entry.actor.username if entry.actor else "system", entry.action,
               entry.target, entry.subject.username if entry.subject else "", pii.mask(entry.reason))


@login_required
@require_GET
def audit(request):
    """Administrators: the audit log, filtered by action, actor and dates; ``?format=csv`` exports."""
    if not request.user.is_superuser:
        raise PermissionDenied
    filters = {key: request.GET.get(key, "") for key in ("action", "actor", "since", "until")}
    entries = selectors.audit_entries(action=filters["action"], actor=filters["actor"],
                                      since=filters["since"] or None, until=filters["until"] or None)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-moderasi.csv"'
        writer = csv.writer(response)
        writer.writerow(AUDIT_COLUMNS)
        for row in _audit_rows(entries.iterator()):
            writer.writerow(["'" + cell if str(cell)[:1] in FORMULA_START else cell for cell in row])
        return response
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "moderation/audit.html", {"page": page, "rows": _audit_page_rows(page.object_list),
                                                     "filters": filters, "actions": AUDIT_ACTIONS.items()})


def _audit_page_rows(entries) -> list[dict]:
    """The page's rows, for people: the time in WIB to the second, names,
    actions and reasons in words, content by what it is and a link to it;
    no internal ids (the CSV export keeps the raw record)."""
    language = get_language()
    reasons = {r.code: r.label(language) for r in selectors.reject_reasons()}
    reasons[services.BAN_REASON] = _("The author's account was banned")
    rows = []
    for entry in entries:
        what, link = selectors.audit_target(entry.target)
        rows.append({
            "time": selectors.audit_time(entry.created_at), "iso": entry.created_at.isoformat(),
            "actor": entry.actor.display_name or entry.actor.username if entry.actor else _("the system"),
            "action": audit_action_label(entry.action), "what": what, "link": link,
            "subject": entry.subject.username if entry.subject else "",
            "reason": pii.mask(selectors.audit_reason(entry.reason, reasons)),
        })
    return rows
