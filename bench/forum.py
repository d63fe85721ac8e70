"""Forum benchmark: list, search and statistics server time at scale.

    .venv/bin/python -m bench.forum --database-url postgres://postgres@127.0.0.1:5432/bench_forum

On PostgreSQL (the database name must contain ``bench``; it is created if
missing, and its ``public`` schema is dropped and re-created unless
``--reuse`` finds the data already there), migrates and bulk-creates
``--aspirations`` aspirations (default 100,000, created over the last two
years, every status, 10 % anonymous and 10 % confidential, 5 % unpublished)
with their first-forward timeline entries, and ``--replies`` replies
(default 500,000), then ``VACUUM ANALYZE``. Then, in this process
(``settings.dev``, ``DEBUG=false``), it times ``--repeat`` runs of each
request (after two warm-up runs) and prints p50/p95/max in milliseconds:

- list pages: the list view itself (``forum.views.pages.aspiration_list``
  through ``RequestFactory``: the query, its count, the cards and the
  template), for a guest, a citizen (whose own aspirations join the public
  ones) and an official: newest, most supported, most overdue, filters, a
  deep page, the search box;
- search: ``forum.search.search_page`` for several queries (common and rare
  words, two words, a prefix), guest and citizen; ``forum.search.similar``;
- statistics: the view ``forum.views.stats.statistics`` through Django's
  ``RequestFactory`` (figures + charts + template), HTML and JSON, for the
  last 12 months.

Targets (issue 10): p95 ≤ 200 ms for lists and search, ≤ 500 ms for the
statistics page. A run with the defaults takes about 3-5 minutes, mostly the
bulk inserts.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import time
from datetime import timedelta

WORDS = """
jalan rusak berlubang aspal jembatan lampu penerangan padam banjir genangan saluran drainase tersumbat
sampah menumpuk pasar puskesmas dokter obat antrean rumah sakit bpjs sekolah guru kelas atap bocor
beasiswa ktp elektronik kartu keluarga akta kelahiran blanko habis pelayanan lambat bansos bantuan
pangan sembako pkh data penerima salah limbah pabrik bau sungai tercemar pohon tumbang kabel listrik
parkir liar pedagang kaki lima trotoar macet angkutan terminal air bersih pdam mati irigasi sawah
petani pupuk langka harga gabah nelayan pelabuhan tambak garam desa kecamatan balai warga pos ronda
keamanan pencurian motor miras judi kebisingan karaoke polusi debu truk tambang galian kapur retak
longsor tanggul kali juwana silugonggo tayu dukuhseti margoyoso wedarijaksa trangkil gabus kayen
sukolilo pati kota alun alun stadion taman posyandu balita gizi stunting vaksin imunisasi bidan
ambulans mobil jenazah makam kuburan masjid gereja klenteng festival wisata pantai goa pintu gerbang
""".split()
FILLER = "yang di dan ke dari untuk dengan sudah belum mohon tolong segera warga kami sejak minggu bulan".split()
KECAMATAN = ["batangan", "cluwak", "dukuhseti", "gabus", "gembong", "gunungwungkal", "jaken", "jakenan",
             "juwana", "kayen", "margorejo", "margoyoso", "pati", "pucakwangi", "sukolilo", "tambakromo",
             "tayu", "tlogowungu", "trangkil", "wedarijaksa", "winong"]
BATCH = 5000


def say(text: str) -> None:
    print(text, flush=True)


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    if "bench" not in name:
        sys.exit("the benchmark database's name must contain 'bench' (its schema is dropped)")
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


#: Zipf-like word frequencies: the first words of WORDS are far more frequent.
CUMULATIVE = list(itertools.accumulate(1 / (rank + 1) ** 0.9 for rank in range(len(WORDS))))


def sentence(rng: random.Random, words: int) -> str:
    chosen = rng.choices(WORDS, cum_weights=CUMULATIVE, k=words)
    return " ".join(word if rng.random() < 0.75 else rng.choice(FILLER) for word in chosen)


def populate(aspirations: int, replies: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.choices import Role
    from forum import deadlines
    from forum.models import Aspiration, Category, Privacy, Reply, Status, TimelineEntry
    from officials.models import Agency, Official

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    rng = random.Random(10)
    User = get_user_model()
    User.objects.bulk_create(User(username=f"bench-warga-{i:04d}", password="!", role=Role.CITIZEN,
                                  display_name=f"Warga {i}") for i in range(2000))
    User.objects.bulk_create(User(username=f"bench-pejabat-{i:02d}", password="!", role=Role.OFFICIAL,
                                  display_name=f"Pejabat {i}") for i in range(20))
    agencies = Agency.objects.bulk_create(Agency(slug=f"dinas-{i:02d}", name=f"Dinas Uji {i:02d}",
                                                 short_name=f"DU{i:02d}", kind="dinas") for i in range(20))
    officials = list(User.objects.filter(username__startswith="bench-pejabat-").order_by("username"))
    Official.objects.bulk_create(Official(user=u, title="Kepala", agency=a)
                                 for u, a in zip(officials, agencies, strict=True))
    citizens = list(User.objects.filter(role=Role.CITIZEN).values_list("pk", flat=True))
    categories = list(Category.objects.all())
    agency_ids = [a.pk for a in agencies]

    # Bench data carries its own creation times.
    for model in (Aspiration, TimelineEntry, Reply):
        model._meta.get_field("created_at").auto_now_add = False
    now = timezone.now()
    statuses = [Status.NEW] * 5 + [Status.VERIFIED] * 5 + [Status.FORWARDED] * 20 + [Status.ANSWERED] * 15 + \
        [Status.DONE] * 50 + [Status.REJECTED] * 5
    privacies = [Privacy.PUBLIC] * 8 + [Privacy.ANONYMOUS, Privacy.CONFIDENTIAL]
    made = 0
    while made < aspirations:
        rows, forwards = [], []
        for _ in range(min(BATCH, aspirations - made)):
            status = rng.choice(statuses)
            created = now - timedelta(seconds=rng.randrange(0, 730 * 86400))
            category = rng.choice(categories)
            body = sentence(rng, rng.randrange(20, 80))
            item = Aspiration(
                title=sentence(rng, rng.randrange(3, 9))[:150], body=body, html=f"<p>{body}</p>",
                category=category, kecamatan=rng.choice(KECAMATAN), privacy=rng.choice(privacies),
                author_id=rng.choice(citizens), agency_id=rng.choice(agency_ids), status=status,
                published=status != Status.NEW or rng.random() < 0.5,
                supports=int(rng.paretovariate(1.5)) - 1, created_at=created)
            if status != Status.NEW and status != Status.REJECTED:
                item.verified_at = created + timedelta(hours=rng.randrange(1, 24 * 6))
            if status in (Status.FORWARDED, Status.ANSWERED, Status.DONE):
                forwarded = item.verified_at + timedelta(hours=rng.randrange(1, 48))
                forwards.append((len(rows), forwarded))
                item.due_at = deadlines.add_working_days(forwarded, category.followup_days)
            elif status in (Status.NEW, Status.VERIFIED):
                item.due_at = deadlines.add_working_days(created, category.verify_days)
            if status in (Status.ANSWERED, Status.DONE):
                item.answered_at = forwarded + timedelta(hours=rng.randrange(2, 24 * 12))
                item.first_response_at = item.answered_at if rng.random() < 0.5 else \
                    forwarded + timedelta(hours=rng.randrange(1, 24 * 4))
            if status == Status.DONE:
                item.done_at = item.answered_at + timedelta(hours=rng.randrange(1, 24 * 20))
                item.reopened = 1 if rng.random() < 0.05 else 0
                if rng.random() < 0.6:
                    item.rating = rng.randint(1, 5)
            rows.append(item)
        created_rows = Aspiration.objects.bulk_create(rows)
        TimelineEntry.objects.bulk_create(
            TimelineEntry(aspiration_id=created_rows[i].pk, from_status=Status.VERIFIED, to_status=Status.FORWARDED,
                          agency_id=created_rows[i].agency_id, created_at=moment) for i, moment in forwards)
        made += len(rows)
    ids = list(Aspiration.objects.values_list("pk", "created_at"))
    made = 0
    while made < replies:
        batch = []
        for _ in range(min(BATCH * 2, replies - made)):
            pk, created = rng.choice(ids)
            body = sentence(rng, rng.randrange(5, 40))
            batch.append(Reply(aspiration_id=pk, author_id=rng.choice(citizens), body=body, html=f"<p>{body}</p>",
                               seq=made + len(batch) + 1, created_at=created + timedelta(hours=rng.randrange(1, 500))))
        Reply.objects.bulk_create(batch)
        made += len(batch)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {"seconds": time.perf_counter() - started}


def timed(function, repeat: int) -> list[float]:
    for _ in range(2):
        function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


def percentile(values: list[float], q: float) -> float:
    import math

    return values[min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))]


def mount_forum() -> None:
    """Until the forum's pages are mounted in the root URLconf (branch
    ``forum``), mount its URLs here so that the statistics page renders."""
    from django.urls import clear_url_caches, include, path, set_urlconf

    import urls as root_urls

    patterns = list(root_urls.urlpatterns)
    if not any(getattr(p, "namespace", None) == "forum" for p in patterns):
        patterns.insert(0, path("aspirasi/", include("forum.urls")))
    globals()["urlpatterns"] = patterns
    clear_url_caches()
    set_urlconf(__name__)


def scenarios() -> list[tuple[str, str, object]]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from forum import search
    from forum.models import Category, Status
    from forum.views.pages import aspiration_list as list_view
    from forum.views.stats import statistics as statistics_view
    from officials.selectors import agency_ids_of

    guest = AnonymousUser()
    citizen = get_user_model().objects.filter(username="bench-warga-0007").get()
    official = get_user_model().objects.filter(username="bench-pejabat-03").get()
    roads = Category.objects.get(slug="jalan-infrastruktur")

    factory = RequestFactory()

    def listing(user, **params):
        """The list page itself (``forum.views.pages.aspiration_list``): the
        query, its count, the cards and the template."""
        def run():
            request = factory.get("/aspirasi/", params)
            request.user = user
            response = list_view(request)
            assert response.status_code == 200, response.status_code
            return response
        return run

    def searching(user, query, **filters):
        def run():
            found = search.search_page(user, agency_ids_of(user=user), query, **filters)
            return [(a.pk, a.title) for a in found.object_list]
        return run

    def similar(text):
        return lambda: search.similar(citizen, agency_ids_of(user=citizen), text, roads, kecamatan="pati")

    def stats_page(fmt=None):
        def run():
            request = factory.get("/aspirasi/statistik/", {"format": fmt} if fmt else {})
            request.user = guest
            response = statistics_view(request)
            assert response.status_code == 200, response.status_code
            return response
        return run

    return [
        ("list", "newest, guest, page 1", listing(guest)),
        ("list", "newest, citizen, page 1", listing(citizen)),
        ("list", "newest, official, page 1", listing(official)),
        ("list", "newest, guest, page 50", listing(guest, page=50)),
        ("list", "most supported, guest", listing(guest, sort="supported")),
        ("list", "most supported, citizen", listing(citizen, sort="supported")),
        ("list", "most overdue, guest", listing(guest, sort="overdue")),
        ("list", "most overdue, citizen", listing(citizen, sort="overdue")),
        ("list", "category + kecamatan, guest", listing(guest, category=roads.slug, kecamatan="juwana")),
        ("list", "status filter, citizen", listing(citizen, status=Status.ANSWERED)),
        ("list", "search box 'jalan rusak', guest", listing(guest, q="jalan rusak")),
        ("search", "'jalan' (common), guest", searching(guest, "jalan")),
        ("search", "'jalan rusak', guest", searching(guest, "jalan rusak")),
        ("search", "'jalan rusak', citizen", searching(citizen, "jalan rusak")),
        ("search", "'lampu padam', official", searching(official, "lampu padam")),
        ("search", "'ambulans jenazah' (rare)", searching(guest, "ambulans jenazah")),
        ("search", "'silugonggo' + category", searching(guest, "silugonggo", category=roads)),
        ("search", "'tamb' (prefix)", searching(guest, "tamb")),
        ("search", "similar while composing", similar("Jalan di Pati rusak berlubang, mohon segera diperbaiki")),
        ("statistics", "page, last 12 months", stats_page()),
        ("statistics", "JSON, last 12 months", stats_page("json")),
    ]


TARGETS = {"list": 200.0, "search": 200.0, "statistics": 500.0}


def measure(args) -> dict:
    """Populate (unless ``args.reuse`` finds the asked size) and time every
    request; in this process, which it sets up as a Django process on
    ``args.database_url``. Returns every figure."""
    ensure_database(args.database_url)
    from bench.run import STATIC_ROOT, collect_static

    os.environ.update(DATABASE_URL=args.database_url, REDIS_URL=args.redis_url, DEBUG="false",
                      DJANGO_SETTINGS_MODULE="settings.dev", STATIC_ROOT=str(STATIC_ROOT))
    collect_static(dict(os.environ))  # the pages are rendered with DEBUG off
    import django

    django.setup()
    from django.db import connection

    from forum.models import Aspiration, Reply

    have = None
    if args.reuse:
        try:
            have = (Aspiration.objects.count(), Reply.objects.count())
        except Exception:  # noqa: BLE001 - no tables yet
            connection.close()
    populate_s = None
    if have != (args.aspirations, args.replies):
        say(f"populating: {args.aspirations:,} aspirations, {args.replies:,} replies ...")
        populate_s = round(populate(args.aspirations, args.replies)["seconds"], 1)
        say(f"populated in {populate_s:.0f} s")
    result = {"postgresql": connection.cursor().connection.info.server_version,
              "aspirations": Aspiration.objects.count(), "replies": Reply.objects.count(),
              "populate_s": populate_s, "repeat": args.repeat, "requests": []}
    say(f"PostgreSQL {result['postgresql']}, {result['aspirations']:,} aspirations, {result['replies']:,} replies; "
        f"{args.repeat} timed runs each after 2 warm-ups; ms")
    say(f"{'what':<12} {'request':<34} {'p50':>8} {'p95':>8} {'max':>8}  target")
    mount_forum()
    for kind, name, function in scenarios():
        times = timed(function, args.repeat)
        p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
        ok = p95 <= TARGETS[kind]
        result["requests"].append({"kind": kind, "name": name, "p50_ms": round(p50, 1), "p95_ms": round(p95, 1),
                                   "max_ms": round(times[-1], 1), "ok": ok})
        say(f"{kind:<12} {name:<34} {p50:8.1f} {p95:8.1f} {times[-1]:8.1f}  "
            f"{'ok' if ok else 'OVER'} (p95 ≤ {TARGETS[kind]:.0f})")
    return result


def add_arguments(parser) -> None:
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--aspirations", type=int, default=100_000)
    parser.add_argument("--replies", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep the data when it has the asked size")


async def main_async(args) -> dict:
    """``measure`` in a process of its own (it sets that process up as a
    Django one): for callers that are not, such as ``bench.suite``."""
    import asyncio
    import json
    import tempfile

    from bench.run import PY, ROOT

    with tempfile.TemporaryDirectory(prefix="balai-bench-forum-") as folder:
        out = os.path.join(folder, "forum.json")
        argv = [PY, "-m", "bench.forum", "--database-url", args.database_url, "--redis-url", args.redis_url,
                "--aspirations", str(args.aspirations), "--replies", str(args.replies), "--repeat",
                str(args.repeat), "--json", out, *(["--reuse"] if args.reuse else [])]
        proc = await asyncio.create_subprocess_exec(*argv, cwd=ROOT, stdout=asyncio.subprocess.PIPE,
                                                    stderr=asyncio.subprocess.STDOUT)
        try:
            stdout, _ = await asyncio.wait_for(proc.communicate(), args.timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise RuntimeError(f"bench.forum did not finish within {args.timeout:g} s") from None
        for line in stdout.decode().splitlines():
            say(f"forum: {line}")
        if proc.returncode != 0:
            raise RuntimeError(f"bench.forum exited with {proc.returncode}: {stdout.decode()[-500:]}")
        with open(out) as f:
            return json.load(f)


# --- make bench (bench.suite --parts forum) -----------------------------------

def suite_namespace(args):
    """The suite's bounded variant: 10,000 aspirations and 50,000 replies
    (``--quick``: 3,000 and 10,000), 10 timed runs of each request (``--quick``:
    5), the data kept for the next run when it has that size (``--reuse``). On
    ``BENCH_FORUM_DATABASE_URL`` if set (a database of the forum's own, so
    that the data is kept between runs), else the suite's database (which
    ``bench.announce`` resets first: populated every run)."""
    from argparse import Namespace

    quick = args.quick
    return Namespace(database_url=suite_database(args), redis_url=args.redis_url,
                     aspirations=3000 if quick else 10_000, replies=10_000 if quick else 50_000,
                     repeat=5 if quick else 10, reuse=True, timeout=180.0)


def suite_database(args) -> str | None:
    return os.environ.get("BENCH_FORUM_DATABASE_URL") or args.database_url


async def suite_part(args) -> dict:
    if not (suite_database(args) or "").startswith("postgres"):
        raise RuntimeError("runs on PostgreSQL only: give --database-url / BENCH_DATABASE_URL postgres://… "
                           "(or BENCH_FORUM_DATABASE_URL)")
    return await main_async(suite_namespace(args))


def suite_rows(result: dict) -> list[str]:
    """One row per kind of request: the slowest p95 and the requests over target."""
    rows = []
    for kind in TARGETS:
        measured = [r for r in result["requests"] if r["kind"] == kind]
        if not measured:
            continue
        worst = max(measured, key=lambda r: r["p95_ms"])
        over = [r["name"] for r in measured if not r["ok"]]
        rows.append(
            f"| forum on PostgreSQL, {result['aspirations']:,} aspirations / {result['replies']:,} replies: {kind} "
            f"({len(measured)} requests), slowest p95 ms (target ≤ {TARGETS[kind]:g}) | {worst['p95_ms']} "
            f"({worst['name']}); p95 of each: {' / '.join(str(r['p95_ms']) for r in measured)}; "
            f"{'all within target' if not over else 'OVER: ' + ', '.join(over)} | | | | | | |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add_arguments(parser)
    parser.add_argument("--json", help="write every figure to this file")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("this benchmark runs on PostgreSQL (--database-url postgres://...)")
    result = measure(args)
    failed = [r["name"] for r in result["requests"] if not r["ok"]]
    say("all within targets" if not failed else f"over target: {', '.join(failed)}")
    if args.json:
        import json

        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
