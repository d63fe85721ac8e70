"""The composing page's suggestions: the five most similar open aspirations
this visitor may see (``forum.search.similar``), as JSON."""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.choices import Kecamatan
from common import pii
from forum import search, selectors
from officials.selectors import agency_ids_of


@require_GET
def similar(request):
    """``?q=<draft title and text>&category=<id>&kecamatan=<slug>`` →
    ``{"results": [{"id", "title", "url", "supports"}]}``; unknown values
    give no results, never an error."""
    text = request.GET.get("q", "")[:300]
    category = next((c for c in selectors.categories() if str(c.pk) == request.GET.get("category", "")), None)
    kecamatan = request.GET.get("kecamatan", "")
    found = search.similar(request.user, agency_ids_of(user=request.user), text, category,
                           kecamatan=kecamatan if kecamatan in Kecamatan.values else None)
    return JsonResponse({"results": [
        {"id": a.pk, "title": pii.mask(a.title), "url": reverse("forum:detail", args=[a.pk]), "supports": a.supports}
        for a in found]})
