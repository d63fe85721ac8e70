"""Full-text search and "similar open aspirations" (forum/search.py): ranked,
paginated, and never showing anyone an aspiration ``rules.visible_q`` hides
from them. Runs on the suite's database: FTS5 on SQLite, the ``simple``
text-search configuration on PostgreSQL."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from accounts.choices import Kecamatan, Role
from forum import search
from forum.models import Aspiration, Category, Privacy, Status
from officials.models import Agency, Official
from officials.selectors import agency_ids_of
from tests.hub import create_user

pytestmark = pytest.mark.django_db


def aspiration(author, title, body="", *, category=None, privacy=Privacy.PUBLIC, published=True,
               status=Status.VERIFIED, agency=None, kecamatan=Kecamatan.PATI) -> Aspiration:
    return Aspiration.objects.create(
        title=title, body=body, html=body, category=category or Category.objects.get(slug="jalan-infrastruktur"),
        kecamatan=kecamatan, privacy=privacy, author=author, agency=agency, status=status, published=published)


@pytest.fixture
def world():
    """Who is who, and one aspiration of each kind about a broken bridge."""
    dinas = Agency.objects.create(slug="dpupr", name="Dinas Pekerjaan Umum", kind="dinas")
    other = Agency.objects.create(slug="dinkes", name="Dinas Kesehatan", kind="dinas")
    author = create_user("penulis")
    official = create_user("pejabat", role=Role.OFFICIAL)
    Official.objects.create(user=official, title="Kepala Bidang Jalan", agency=dinas)
    outsider_official = create_user("pejabatlain", role=Role.OFFICIAL)
    Official.objects.create(user=outsider_official, title="Kepala Seksi", agency=other)
    items = {
        "public": aspiration(author, "Jembatan Kedungpeluk rusak parah", "Papan jembatan lapuk.", agency=dinas),
        "anonymous": aspiration(author, "Jembatan desa retak", "Retak sejak banjir.", agency=dinas,
                                privacy=Privacy.ANONYMOUS),
        "confidential": aspiration(author, "Jembatan dekat rumah saya", "Nomor saya ada di sini.", agency=dinas,
                                   privacy=Privacy.CONFIDENTIAL),
        "unpublished": aspiration(author, "Jembatan ambrol menunggu", "Belum diperiksa moderator.",
                                  published=False, status=Status.NEW, agency=dinas),
    }
    users = {
        "guest": AnonymousUser(),
        "citizen": create_user("warga"),
        "author": author,
        "official": official,
        "outsider_official": outsider_official,
        "moderator": create_user("moderator", role=Role.MODERATOR),
    }
    return users, items


def found(user, query, **filters) -> set[int]:
    return set(search.search(user, agency_ids_of(user=user), query, **filters).values_list("pk", flat=True))


@pytest.mark.parametrize(("who", "sees"), [
    ("guest", {"public", "anonymous"}),
    ("citizen", {"public", "anonymous"}),
    ("outsider_official", {"public", "anonymous"}),
    ("author", {"public", "anonymous", "confidential", "unpublished"}),
    ("official", {"public", "anonymous", "confidential", "unpublished"}),
    ("moderator", {"public", "anonymous", "confidential", "unpublished"}),
])
def test_search_shows_each_role_exactly_what_it_may_see(world, who, sees):
    users, items = world
    assert found(users[who], "jembatan") == {items[name].pk for name in sees}


def test_confidential_words_never_reach_others(world):
    """Searching for a word only a confidential aspiration holds finds nothing
    for others, not even a count."""
    users, items = world
    for who in ("guest", "citizen", "outsider_official"):
        assert found(users[who], "nomor saya") == set()
        page = search.search_page(users[who], agency_ids_of(user=users[who]), "nomor saya")
        assert page.paginator.count == 0
    assert found(users["official"], "nomor saya") == {items["confidential"].pk}


def test_every_word_must_match_and_prefixes_match(world):
    users, items = world
    citizen = users["citizen"]
    assert found(citizen, "jembatan parah") == {items["public"].pk}
    assert found(citizen, "jembatan banjir") == {items["anonymous"].pk}  # title and body together
    assert found(citizen, "jemb re") == set()  # "re" is too short to be a prefix; "jemb" alone would match
    assert found(citizen, "jemb ret") == {items["anonymous"].pk}
    assert found(citizen, "jemba retak") == {items["anonymous"].pk}
    assert found(citizen, "JEMBATAN  Rusak!!") == {items["public"].pk}
    assert found(citizen, "jalan") == set()


def test_query_syntax_is_only_words(world):
    users, items = world
    citizen = users["citizen"]
    for hostile in ('"', "jembatan OR nomor", "jembatan NOT rusak", "title:jembatan", "jembatan)*(", "'|&!:*",
                    "NEAR(jembatan rusak)", "--", "   "):
        result = found(citizen, hostile)  # no syntax error
        assert items["confidential"].pk not in result
    assert found(citizen, "") == set()
    # "OR" is a word like any other: both words must be there.
    assert found(citizen, "jembatan OR nomor") == set()


def test_ranking_prefers_title_and_pages(world):
    users, _items = world
    author = users["author"]
    body_only = aspiration(author, "Laporan warga", "Ada sampah menumpuk di pasar.")
    title_hit = aspiration(author, "Sampah di pasar Juwana", "Sudah seminggu.")
    ranked = list(search.search(users["citizen"], set(), "sampah pasar"))
    assert [a.pk for a in ranked] == [title_hit.pk, body_only.pk]
    assert ranked[0].rank > ranked[1].rank
    page = search.search_page(users["citizen"], set(), "sampah", per_page=1, page=2)
    assert page.paginator.count == 2 and [a.pk for a in page] == [body_only.pk]
    assert [a.pk for a in search.search_page(users["citizen"], set(), "sampah", per_page=1, page="x")] == \
        [title_hit.pk]


def test_filters(world):
    users, items = world
    health = Category.objects.get(slug="kesehatan")
    elsewhere = aspiration(users["author"], "Jembatan di Tayu", category=health, kecamatan=Kecamatan.TAYU)
    citizen = users["citizen"]
    assert found(citizen, "jembatan", category=health) == {elsewhere.pk}
    assert found(citizen, "jembatan", kecamatan=Kecamatan.TAYU) == {elsewhere.pk}
    assert found(citizen, "jembatan", agency=items["public"].agency_id) == {items["public"].pk,
                                                                          items["anonymous"].pk}
    assert found(citizen, "jembatan", status=Status.NEW) == set()


def test_index_follows_edits_and_deletes(world):
    users, items = world
    public = items["public"]
    Aspiration.objects.filter(pk=public.pk).update(title="Lampu jalan padam")
    assert found(users["citizen"], "padam") == {public.pk}
    assert public.pk not in found(users["citizen"], "kedungpeluk")
    public.delete()
    assert found(users["citizen"], "padam") == set()


def test_index_exists_after_all_migrations():
    """A later migration that rebuilds the table (SQLite) or drops the column
    (PostgreSQL) must set search up again (forum/migrations/0003_search.py)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'forum_aspiration'")
            assert {row[0] for row in cursor.fetchall()} >= {
                "forum_aspiration_fts_ai", "forum_aspiration_fts_ad", "forum_aspiration_fts_au"}
        else:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'forum_asp_search_idx'")
            assert "gin (search_vector)" in cursor.fetchone()[0]


# -- similar open aspirations while composing -------------------------------------------------

def test_similar_suggests_open_visible_ones_of_the_same_category_and_place(world):
    users, items = world
    author, citizen = users["author"], users["citizen"]
    roads = Category.objects.get(slug="jalan-infrastruktur")
    health = Category.objects.get(slug="kesehatan")
    best = aspiration(author, "Jembatan Kedungpeluk rusak dan berlubang", "Jembatan berlubang besar.")
    aspiration(author, "Jembatan Kedungpeluk rusak", "Sudah diperbaiki.", status=Status.DONE)
    aspiration(author, "Jembatan Kedungpeluk rusak", "Bukan wewenang.", status=Status.REJECTED)
    aspiration(author, "Jembatan Kedungpeluk rusak", "Kategori lain.", category=health)
    tayu = aspiration(author, "Jembatan Tayu rusak", "Di kecamatan lain.", kecamatan=Kecamatan.TAYU)
    aspiration(author, "Pohon tumbang", "Tidak ada hubungannya.")
    draft = "Jembatan di Kedungpeluk rusak dan berlubang, mohon segera diperbaiki"

    suggested = search.similar(citizen, set(), draft, roads, kecamatan=Kecamatan.PATI)
    assert [a.pk for a in suggested][:2] == [best.pk, items["public"].pk]
    assert {a.pk for a in suggested} == {best.pk, items["public"].pk, items["anonymous"].pk}

    anywhere = {a.pk for a in search.similar(citizen, set(), draft, roads)}
    assert tayu.pk in anywhere and items["confidential"].pk not in anywhere

    official = users["official"]
    insider = {a.pk for a in search.similar(official, agency_ids_of(user=official), draft, roads, limit=10)}
    assert items["confidential"].pk in insider  # "jembatan" in its title; visible to the agency


def test_similar_caps_ignores_stop_words_and_empty_drafts(world):
    users, _items = world
    author = users["author"]
    roads = Category.objects.get(slug="jalan-infrastruktur")
    made = [aspiration(author, f"Saluran air tersumbat {i}", "Air meluap ke jalan.") for i in range(7)]
    suggested = search.similar(users["citizen"], set(), "saluran tersumbat", roads)
    assert len(suggested) == 5 and {a.pk for a in suggested} <= {a.pk for a in made}
    assert len(search.similar(users["citizen"], set(), "saluran tersumbat", roads, limit=2)) == 2
    # Only function words: nothing in common worth suggesting.
    assert search.similar(users["citizen"], set(), "yang dan di ke untuk", roads) == []
    assert search.similar(users["citizen"], set(), "", roads) == []
