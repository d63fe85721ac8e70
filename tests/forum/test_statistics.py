"""Service figures (forum/statistics.py, /aspirasi/statistik/): computed
exactly on a small hand-made March 2026 (Nyepi and Idul Fitri cuti bersama
from the 18th to the 24th, Good Friday on 3 April), the same figures in HTML,
CSV and JSON, confidential aspirations counted and never listed."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest
from django.urls import include, path
from django.utils import timezone

import urls as root_urls
from accounts.choices import Kecamatan
from forum import statistics as stats
from forum.deadlines import WIB, local_day
from forum.models import Aspiration, Category, Privacy, Status, TimelineEntry
from officials.models import Agency
from tests.hub import create_user

# The root URLconf mounts forum's pages once the forum pages land; until
# then these tests mount them themselves.
urlpatterns = list(root_urls.urlpatterns)
if not any(getattr(p, "namespace", None) == "forum" for p in urlpatterns):
    urlpatterns.insert(0, path("aspirasi/", include("forum.urls")))

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

NOW = datetime(2026, 4, 30, 12, 0, tzinfo=WIB)
MARCH = stats.Period(date(2026, 3, 1), date(2026, 3, 31))
SECRET = "Rahasia medis Bu Sri"


def wib(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=WIB)


def make(author, category, *, agency, created, privacy=Privacy.PUBLIC, status=Status.NEW, forwards=(),
         title="Aspirasi", **moments) -> Aspiration:
    item = Aspiration.objects.create(title=title, body="isi", html="isi", category=category,
                                     kecamatan=Kecamatan.PATI, privacy=privacy, author=author, agency=agency,
                                     status=status, published=privacy != Privacy.CONFIDENTIAL)
    Aspiration.objects.filter(pk=item.pk).update(created_at=created, **moments)
    for moment in forwards:
        entry = TimelineEntry.objects.create(aspiration=item, from_status=Status.VERIFIED,
                                             to_status=Status.FORWARDED, agency=agency)
        TimelineEntry.objects.filter(pk=entry.pk).update(created_at=moment)
    # Other steps on the timeline must not be taken for a forward.
    TimelineEntry.objects.create(aspiration=item, from_status="", to_status=Status.NEW)
    return item


@pytest.fixture
def march():
    author = create_user("warga")
    roads = Category.objects.get(slug="jalan-infrastruktur")  # verify 3, follow-up 5 working days
    health = Category.objects.get(slug="kesehatan")
    health.verify_days = 2
    health.save()
    dpupr = Agency.objects.create(slug="dpupr", name="Dinas Pekerjaan Umum", short_name="DPUPR", kind="dinas")
    dinkes = Agency.objects.create(slug="dinkes", name="Dinas Kesehatan", kind="dinas")
    # 1. Friday 13th; due for verification Wed 25th (18th-24th are holidays): verified on the 24th, in time.
    #    First forward 25th -> follow-up due Wed 1 April: first response 1 April 20:00, in time.
    #    A second forward later does not move that clock. Done Mon 6 April (Good Friday skipped). Rated 4.
    make(author, roads, agency=dpupr, created=wib("2026-03-13"), status=Status.DONE,
         forwards=[wib("2026-03-25"), wib("2026-03-27")], verified_at=wib("2026-03-24", "09:00"),
         first_response_at=wib("2026-04-01", "20:00"), answered_at=wib("2026-04-02"),
         done_at=wib("2026-04-06"), rating=4)
    # 2. Mon 2nd; verification due Thu 5th, verified Fri 6th: late. Forwarded 6th -> due Fri 13th;
    #    no first_response_at, answered Mon 16th: late. Done 17th, reopened once, done again. Rated 2.
    make(author, roads, agency=dpupr, created=wib("2026-03-02", "09:00"), status=Status.DONE,
         forwards=[wib("2026-03-06", "11:00")], verified_at=wib("2026-03-06"), answered_at=wib("2026-03-16"),
         done_at=wib("2026-03-17"), reopened=1, rating=2)
    # 3. Confidential. Tue 10th, health (2 days): due Thu 12th, verified Thu 12th 23:30 WIB (16:30 UTC):
    #    in time. Forwarded 13th -> due Fri 27th; no answer by NOW: late.
    make(author, health, agency=dpupr, created=wib("2026-03-10", "15:00"), privacy=Privacy.CONFIDENTIAL,
         status=Status.FORWARDED, forwards=[wib("2026-03-13")], verified_at=wib("2026-03-12", "23:30"),
         title=SECRET)
    # 9. Sunday 1st 00:30 WIB (Saturday 17:30 UTC): in March. Due Wed 4th, verified Tue 3rd: in time.
    make(author, roads, agency=dpupr, created=wib("2026-03-01", "00:30"), status=Status.VERIFIED,
         verified_at=wib("2026-03-03"))
    # 4. Mon 30th, never verified: due Thu 2 April, passed by NOW: late.
    make(author, roads, agency=dinkes, created=wib("2026-03-30", "08:00"))
    # 5. Rejected without verification: received, not due for verification.
    make(author, roads, agency=dinkes, created=wib("2026-03-31"), status=Status.REJECTED)
    # 6. No agency yet, never verified: the regency's only.
    make(author, roads, agency=None, created=wib("2026-03-20"))
    # Outside March in WIB: 1 April 00:30 WIB is still 31 March in UTC; and February.
    make(author, roads, agency=dpupr, created=wib("2026-04-01", "00:30"), verified_at=wib("2026-04-01"))
    make(author, roads, agency=dpupr, created=wib("2026-02-27"), verified_at=wib("2026-03-20"))
    return dpupr, dinkes


REGENCY = {
    "received": 7, "verified_due": 6, "verified_on_time": 3, "verified_on_time_pct": 50.0,
    "answered_due": 3, "answered_on_time": 1, "answered_on_time_pct": 33.3,
    "responses": 2, "median_days_to_first_response": 9.0,  # 8 and 10 working days
    "done": 2, "median_days_to_done": 10.5,  # 10 and 11 working days
    "ratings": 2, "satisfaction_avg": 3.0, "reopened": 1, "reopen_rate_pct": 50.0,
}
DPUPR = {**REGENCY, "received": 4, "verified_due": 4, "verified_on_time": 3, "verified_on_time_pct": 75.0}
DINKES = {
    "received": 2, "verified_due": 1, "verified_on_time": 0, "verified_on_time_pct": 0.0,
    "answered_due": 0, "answered_on_time": 0, "answered_on_time_pct": None,
    "responses": 0, "median_days_to_first_response": None, "done": 0, "median_days_to_done": None,
    "ratings": 0, "satisfaction_avg": None, "reopened": 0, "reopen_rate_pct": None,
}


def test_figures_exactly(march):
    figures = stats.service_figures(period=MARCH, now=NOW)
    assert figures["period"] == {"from": "2026-03-01", "to": "2026-03-31"}
    assert figures["regency"] == REGENCY
    assert [(a["slug"], a["figures"]) for a in figures["agencies"]] == [("dinkes", DINKES), ("dpupr", DPUPR)]


def test_deadlines_not_yet_passed_are_not_counted(march):
    """On the evening of 31 March the never-verified item of the 30th is not
    late yet (due 2 April), nor is the confidential one's answer (due the 27th
    — late already) — and the one of the 20th (due the 26th) is."""
    figures = stats.service_figures(period=MARCH, now=wib("2026-03-31", "20:00"))
    assert figures["regency"]["verified_due"] == 5
    assert figures["agencies"][0]["figures"]["verified_due"] == 0
    assert figures["regency"]["answered_due"] == 3
    # Its last day, 2 April until 23:59 WIB: not late yet; Good Friday, 3 April 00:30 WIB: late.
    assert stats.service_figures(period=MARCH, now=wib("2026-04-02", "23:59"))["regency"]["verified_due"] == 5
    assert stats.service_figures(period=MARCH, now=wib("2026-04-03", "00:30"))["regency"]["verified_due"] == 6


def test_one_day_period_in_wib(march):
    first = stats.service_figures(period=stats.Period(date(2026, 3, 1), date(2026, 3, 1)), now=NOW)
    assert first["regency"]["received"] == 1
    april = stats.service_figures(period=stats.Period(date(2026, 4, 1), date(2026, 4, 1)), now=NOW)
    assert april["regency"]["received"] == 1


def test_empty_period():
    figures = stats.service_figures(period=MARCH, now=NOW)
    assert figures["regency"]["received"] == 0 and figures["agencies"] == []
    assert figures["regency"]["verified_on_time_pct"] is None


@pytest.mark.parametrize(("params", "expected"), [
    ({}, (date(2025, 5, 1), date(2026, 4, 30))),
    ({"from": "2026-03-01", "to": "2026-03-31"}, (date(2026, 3, 1), date(2026, 3, 31))),
    ({"from": "2026-02-30", "to": "2026-03-31"}, (date(2025, 4, 1), date(2026, 3, 31))),
    ({"from": "kemarin", "to": "31-03-2026"}, (date(2025, 5, 1), date(2026, 4, 30))),
    ({"from": "2026-04-02", "to": "2026-04-01"}, (date(2025, 4, 2), date(2026, 4, 1))),
    ({"from": "2019-01-01", "to": "2026-04-30"}, (date(2023, 4, 29), date(2026, 4, 30))),  # 3 * 366 days
    ({"to": "2028-03-15"}, (date(2027, 3, 16), date(2028, 3, 15))),  # a leap year: 366 days
    ({"to": "2028-02-29"}, (date(2027, 3, 1), date(2028, 2, 29))),
    ({"from": ["2026-03-01"], "to": "+2026-03-31"}, (date(2025, 5, 1), date(2026, 4, 30))),
])
def test_period_from_query(params, expected):
    period = stats.period_from(params, today=date(2026, 4, 30))
    assert (period.start, period.end) == expected


def get(client, **params):
    return client.get("/aspirasi/statistik/", {"from": "2026-03-01", "to": "2026-03-31", **params})


def test_json(client, march):
    response = get(client, format="json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["regency"] == REGENCY
    assert [a["slug"] for a in data["agencies"]] == ["dinkes", "dpupr"]
    assert set(data["agencies"][1]) == {"slug", "name", "short_name", "figures"}
    assert SECRET not in response.content.decode()


def test_csv(client, march):
    response = get(client, format="csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["scope", "agency_slug", "agency_name", "from", "to", *stats.FIELDS]
    assert [row[:3] for row in rows[1:]] == [["regency", "", "Kabupaten Pati"],
                                              ["agency", "dinkes", "Dinas Kesehatan"],
                                              ["agency", "dpupr", "Dinas Pekerjaan Umum"]]
    regency = dict(zip(rows[0], rows[1], strict=True))
    assert regency["received"] == "7" and regency["answered_on_time_pct"] == "33.3"
    dinkes = dict(zip(rows[0], rows[2], strict=True))
    assert dinkes["median_days_to_done"] == "" and dinkes["verified_on_time_pct"] == "0.0"
    assert SECRET not in response.content.decode()


def test_page_has_a_chart_per_measure_and_lists_nothing(client, march):
    response = get(client)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") >= len(stats.MEASURES) + 0
    for measure in stats.MEASURES:
        assert f'id="chart-{measure.key}"' in html
    assert 'aria-labelledby="chart-received-title chart-received-desc"' in html
    assert "DPUPR" in html and "Dinas Kesehatan" in html
    assert SECRET not in html
    # No link to any aspiration: nothing is listed, the confidential one included.
    for item in Aspiration.objects.all():
        assert f"/aspirasi/{item.pk}/" not in html
    assert "<script" not in html.split('id="main"', 1)[1]


def test_page_in_bahasa_indonesia_by_default(client, march):
    html = get(client).content.decode()
    assert "Angka layanan" in html and "Diverifikasi dalam tenggat" in html


def test_malformed_dates_are_ignored(client, march):
    response = client.get("/aspirasi/statistik/", {"from": "2026-99-01", "to": "besok", "format": "json"})
    assert response.status_code == 200
    today = local_day(timezone.now())
    default = stats.period_from({}, today=today)
    assert json.loads(response.content)["period"] == {"from": default.start.isoformat(), "to": today.isoformat()}
    assert client.get("/aspirasi/statistik/", {"from": "x"}).status_code == 200


def test_charts_escape_and_scale():
    from forum import charts

    svg = charts.bar_chart(chart_id="c", title="<b>judul</b>", bars=[
        charts.Bar("Dinas <X> & Y", 50.0, "50%"), charts.Bar("Kosong", None, "tidak ada data"),
        charts.Bar("Penuh", 100.0, "100%", highlight=True)], scale=100)
    assert "<b>" not in svg and "&lt;b&gt;judul&lt;/b&gt;" in svg and "Dinas &lt;X&gt; &amp; Y" in svg
    assert svg.count("<rect") == 2
    assert 'width="132"' in svg and 'width="264"' in svg  # half and full of 320 - 56
    assert "<desc" in svg and "Kosong: tidak ada data" in svg
