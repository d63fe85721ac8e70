"""Operational endpoints."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ops.health import run_checks


@never_cache
@require_GET
async def healthz(request):
    """200 with every dependency ``ok``; 503 naming the one(s) that failed."""
    results = await run_checks()
    body = {name: ("ok" if problem is None else f"error: {problem}") for name, problem in results.items()}
    healthy = all(problem is None for problem in results.values())
    body["status"] = "ok" if healthy else "error"
    return JsonResponse(body, status=200 if healthy else 503)
