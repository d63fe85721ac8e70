"""The moderators' console (page + JSON API), the report endpoint, and the
administrators' audit log with CSV export. Parse input, call services."""

from __future__ import annotations

import csv
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from moderation import selectors, services
from moderation.errors import FORBIDDEN, HTTP_STATUS, INVALID, NOT_FOUND, ModerationError
from moderation.models import QueueItem, Sanction
from moderation.queues import ESCALATED, all_queues


def _json_body(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise ModerationError(INVALID) from None
    if not isinstance(data, dict):
        raise ModerationError(INVALID)
    return data


def _error(exc: ModerationError) -> JsonResponse:
    return JsonResponse(exc.as_dict(), status=HTTP_STATUS.get(exc.code, 400))


def _int(value) -> int:
    # isascii: "²" passes isdigit() but int() refuses it
    if isinstance(value, bool) or not isinstance(value, int | str) or not (str(value).isascii()
                                                                            and str(value).isdigit()):
        raise ModerationError(INVALID)
    return int(value)


def api(view):
    """JSON in, JSON out; moderation errors become ``{"code", "detail"}`` with a status."""
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"code": "forbidden", "detail": "sign in"}, status=403)
        try:
            return view(request, *args, **kwargs)
        except ModerationError as exc:
            return _error(exc)
        except Http404:
            return _error(ModerationError(NOT_FOUND))
    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@login_required
@require_GET
def console(request):
    if not request.user.is_moderator:
        raise PermissionDenied
    queues = [(q.name, q.label) for q in all_queues()]
    if request.user.is_superuser:
        queues.append((ESCALATED, "Eskalasi"))
    return render(request, "moderation/console.html", {
        "queues": queues, "stats": selectors.queue_stats(), "reasons": selectors.reject_reasons()})


@require_POST
@api
def claim(request):
    """``{"queue"}`` → the claimed item with its context, or ``{"item": null}``."""
    data = _json_body(request)
    item = services.item_claim_next(moderator=request.user, queue=str(data.get("queue", "")))
    return JsonResponse({"item": selectors.item_context(item=item) if item else None})


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
        raise ModerationError(INVALID)
    return JsonResponse({"results": services.item_bulk_approve(moderator=request.user,
                                                               item_ids=[_int(i) for i in ids])})


@require_POST
@api
def report(request):
    """Any signed-in user: ``{"target_kind", "target_id", "reason", "note"}``."""
    data = _json_body(request)
    services.report_create(reporter=request.user, target_kind=str(data.get("target_kind", "")),
                           target_id=_int(data.get("target_id")), reason_code=str(data.get("reason", "")),
                           note=str(data.get("note") or ""))
    return JsonResponse({"reported": True}, status=201)


@require_POST
@api
def sanction(request):
    """``{"user", "kind": "mute"|"ban", "duration": "10m"|"1h"|"24h", "room", "reason"}``."""
    if not request.user.is_moderator:  # before any lookup: no probing for accounts
        raise ModerationError(FORBIDDEN)
    data = _json_body(request)
    user = User.objects.filter(pk=_int(data.get("user"))).first()
    if user is None:
        raise ModerationError("not_found")
    created = services.sanction_impose(moderator=request.user, user=user, kind=str(data.get("kind", "")),
                                       duration=data.get("duration"), room_slug=str(data.get("room") or ""),
                                       reason=str(data.get("reason") or "")[:300])
    return JsonResponse({"sanction": created.pk}, status=201)


@require_POST
@api
def sanction_lift(request, pk: int):
    if not request.user.is_moderator:
        raise ModerationError(FORBIDDEN)
    services.sanction_lift(moderator=request.user, sanction=get_object_or_404(Sanction, pk=pk))
    return JsonResponse({"lifted": True})


@require_GET
@api
def item_detail(request, pk: int):
    if not request.user.is_moderator:
        raise ModerationError("forbidden")
    return JsonResponse({"item": selectors.item_context(item=get_object_or_404(QueueItem, pk=pk))})


AUDIT_COLUMNS = ("time", "actor", "action", "target", "subject", "reason")
#: A cell starting with one of these is a formula to a spreadsheet (OWASP CSV
#: injection); a tuple, since ``"" in "=+-@"`` is true and empty cells stay empty.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _audit_rows(entries):
    for entry in entries:
        yield (entry.created_at.isoformat(), entry.actor.username if entry.actor else "system", entry.action,
               entry.target, entry.subject.username if entry.subject else "", entry.reason)


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
    return render(request, "moderation/audit.html", {"page": page, "rows": list(_audit_rows(page.object_list)),
                                                     "filters": filters, "columns": AUDIT_COLUMNS})
