"""The public service figures page, ``/aspirasi/statistik/``: HTML with a
chart per measure, or the same figures as CSV (``?format=csv``) and JSON
(``?format=json``). Nothing here lists an aspiration: only totals, shares,
medians and averages (``forum.statistics``)."""

from __future__ import annotations

import csv

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from forum import charts, deadlines
from forum import statistics as stats

LABEL_LENGTH = 46


def _label(agency: dict) -> str:
    label = agency["short_name"] or agency["name"]
    return label if len(label) <= LABEL_LENGTH else label[: LABEL_LENGTH - 1] + "…"


def _shown(value, unit: str) -> str:
    if value is None:
        return _("no data")
    text = number_format(value, 0 if isinstance(value, int) else 1)
    return f"{text}{unit}"


def _charts(figures: dict) -> list[dict]:
    scopes = [(_("Kabupaten Pati (all agencies)"), figures["regency"], True)]
    scopes += [(_label(agency), agency["figures"], False) for agency in figures["agencies"]]
    drawn = []
    for measure in stats.MEASURES:
        bars = [charts.Bar(label, values[measure.key], _shown(values[measure.key], measure.unit), highlight)
                for label, values, highlight in scopes]
        drawn.append({"key": measure.key, "label": measure.label,
                      "svg": charts.bar_chart(chart_id=f"chart-{measure.key}", title=str(measure.label),
                                              bars=bars, scale=measure.scale)})
    return drawn


def _csv(figures: dict) -> HttpResponse:
    period = figures["period"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statistik-aspirasi-{period["from"]}-{period["to"]}.csv"'
    writer = csv.writer(response)
    writer.writerow(["scope", "agency_slug", "agency_name", "from", "to", *stats.FIELDS])
    rows = [("regency", "", "Kabupaten Pati", figures["regency"])]
    rows += [("agency", a["slug"], a["name"], a["figures"]) for a in figures["agencies"]]
    for scope, slug, name, values in rows:
        writer.writerow([scope, slug, name, period["from"], period["to"],
                         *("" if values[key] is None else values[key] for key in stats.FIELDS)])
    return response


@require_GET
def statistics(request):
    now = timezone.now()
    period = stats.period_from(request.GET, today=deadlines.local_day(now))
    figures = stats.service_figures(period=period, now=now)
    output = request.GET.get("format")
    if output == "csv":
        return _csv(figures)
    if output == "json":
        return JsonResponse(figures, json_dumps_params={"ensure_ascii": False})
    query = f"from={period.start.isoformat()}&to={period.end.isoformat()}"
    rows = [{"label": _("Kabupaten Pati (all agencies)"), "values": figures["regency"], "regency": True}]
    rows += [{"label": agency["name"], "values": agency["figures"], "regency": False}
             for agency in figures["agencies"]]
    table = [{"label": row["label"], "regency": row["regency"],
              "cells": [_shown(row["values"][m.key], m.unit) for m in stats.MEASURES]} for row in rows]
    return render(request, "forum/statistics.html", {
        "period": period, "figures": figures, "charts": _charts(figures), "measures": stats.MEASURES,
        "table": table, "query": query,
        "facts": [(m.label, cell) for m, cell in zip(stats.MEASURES, table[0]["cells"], strict=True)],
    })
