"""Full-text search of aspirations (title and body), ranked, always through
``rules.visible_q``; and the similar open aspirations suggested while a
citizen composes one.

Two engines behind one interface, chosen by the database in use (the
tables and indexes are made by ``forum/migrations/0003_search.py``):

- PostgreSQL: the stored ``search_vector`` column (``simple`` configuration:
  PostgreSQL has no Indonesian stemmer, and an English or other stemmer would
  mangle Indonesian words, so words are only lower-cased), GIN-indexed,
  ranked by ``ts_rank`` (title weighs more than body).
- SQLite: the FTS5 table ``forum_aspiration_fts`` (``unicode61``, diacritics
  removed), ranked by ``bm25`` (title weight 4, body 1).

A query is reduced to its words (letters and digits; everything else,
operators included, is a separator), so no user input reaches either query
language as syntax. Words of three letters or more also match as prefixes,
a modest stand-in for the missing stemmer (``rusak`` finds ``rusaknya``).
``search`` requires every word; ``similar`` any of them, stop words dropped.
"""

from __future__ import annotations

import re

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import F, FloatField, Q, QuerySet
from django.db.models.expressions import Expression, RawSQL

from forum import rules, selectors
from forum.models import Aspiration, Status

PAGE_SIZE = 20
#: The most matches a query ranks and counts (see ``_matching``).
MAX_MATCHES = 1000
#: Words of a query kept (the rest are ignored): bounds the work of one query.
MAX_WORDS = 8
#: Words of a draft used to find similar aspirations.
MAX_SIMILAR_WORDS = 16
MIN_PREFIX = 3
WORD = re.compile(r"[^\W_]+")

#: Frequent Indonesian function words: they say nothing about what a draft is
#: about, so ``similar`` ignores them (``search`` keeps every word asked for).
STOP_WORDS = frozenset("""
ada adalah agar akan aku anda apa atau bagi bahwa banyak belum bisa dalam dan dari dengan di dia
hal harus ini itu jadi jika juga kami kalau kami kita ke karena kepada lagi lebih masih mereka
mohon pada para saat sangat saja sampai sangat satu saya secara sedang sehingga sejak seperti
sudah supaya tapi telah tentang tersebut tetapi tidak untuk yang ya pak bu bapak ibu tolong
""".split())


def words(text: str, limit: int = MAX_WORDS) -> list[str]:
    """The distinct lower-cased words of ``text``, in order, at most ``limit``."""
    seen: list[str] = []
    for word in WORD.findall((text or "").lower()):
        if word not in seen:
            seen.append(word)
            if len(seen) == limit:
                break
    return seen


def _postgresql_query(terms: list[str], operator: str) -> str:
    return f" {operator} ".join(f"{t}:*" if len(t) >= MIN_PREFIX else t for t in terms)


def _sqlite_query(terms: list[str], operator: str) -> str:
    # Every word is quoted (FTS5 string syntax); words hold no quote character.
    return f" {operator} ".join(f'"{t}"*' if len(t) >= MIN_PREFIX else f'"{t}"' for t in terms)


class _SearchVector(Expression):
    """The ``search_vector`` column (PostgreSQL), not a model field: named
    through the query's own alias for the table, so that it stays right
    inside a subquery."""

    def __init__(self):
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(output_field=SearchVectorField())

    def as_sql(self, compiler, connection):
        return f"{compiler.quote_name_unless_alias(compiler.query.base_table)}.search_vector", []


def _matching(queryset: QuerySet, terms: list[str], *, any_word: bool) -> QuerySet:
    """``queryset`` narrowed to rows matching ``terms``, annotated with
    ``rank`` (higher is better) and ordered by it, newest first among equals."""
    vendor = connection.vendor
    if vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        query = SearchQuery(_postgresql_query(terms, "|" if any_word else "&"), search_type="raw",
                            config="simple")
        queryset = queryset.alias(search_vector=_SearchVector()).filter(search_vector=query)
        rank = SearchRank(_SearchVector(), query)
    elif vendor == "sqlite":
        query = _sqlite_query(terms, "OR" if any_word else "AND")
        queryset = queryset.filter(pk__in=RawSQL(
            "SELECT rowid FROM forum_aspiration_fts WHERE forum_aspiration_fts MATCH %s", [query]))
        rank = RawSQL(
            "(SELECT -bm25(forum_aspiration_fts, 4.0, 1.0) FROM forum_aspiration_fts"
            " WHERE forum_aspiration_fts MATCH %s AND rowid = forum_aspiration.id)", [query],
            output_field=FloatField())
    else:  # pragma: no cover - the project runs on PostgreSQL or SQLite only
        raise NotImplementedError(f"full-text search is not set up for {vendor}")
    # Ranking reads every candidate's text: bound it. A query matching more
    # than MAX_MATCHES visible aspirations is ranked among its MAX_MATCHES
    # newest matches (a word in most aspirations says little anyway); fewer
    # are ranked all. The candidates come from the index alone when rare, and
    # by walking the newest first when common: either way a bounded read.
    candidates = queryset.order_by("-created_at", "-pk").values("pk")[:MAX_MATCHES]
    return (Aspiration.objects.filter(pk__in=candidates).annotate(rank=rank)
            .order_by(F("rank").desc(), "-created_at", "-pk"))


def _filtered(user, agency_ids: set[int], **filters) -> QuerySet:
    """Visible aspirations (``rules.visible_q``, always), with the list's
    filters (``forum.selectors.with_filters``)."""
    return selectors.with_filters(Aspiration.objects.filter(rules.visible_q(user, agency_ids)), **filters)


def search(user, agency_ids: set[int], query: str, *, category=None, kecamatan: str | None = None,
           status: str | None = None, agency=None) -> QuerySet:
    """Aspirations ``user`` may see whose title or body holds every word of
    ``query``, best match first (each annotated with ``rank``). Nothing for a
    query without words. ``agency_ids``: ``officials.selectors.agency_ids_of``."""
    terms = words(query)
    if not terms:
        return Aspiration.objects.none()
    queryset = _filtered(user, agency_ids, category=category, kecamatan=kecamatan, status=status, agency=agency)
    return _matching(queryset, terms, any_word=False).select_related("category", "agency")


def search_page(user, agency_ids: set[int], query: str, *, page=1, per_page: int = PAGE_SIZE,
                **filters) -> Page:
    """One page of ``search`` (an out-of-range or malformed ``page`` gives the
    nearest valid one). ``page.paginator.count`` stops at ``MAX_MATCHES``:
    show it as "1000 or more" when it reaches it."""
    return Paginator(search(user, agency_ids, query, **filters), per_page).get_page(page)


def similar(user, agency_ids: set[int], text: str, category, kecamatan: str | None = None,
            limit: int = 5) -> list[Aspiration]:
    """The ``limit`` open aspirations ``user`` may see, of ``category`` (and
    ``kecamatan`` when given), most similar to the draft ``text`` (its title
    and body together): for supporting one instead of filing a duplicate."""
    terms = [w for w in words(text, limit=4 * MAX_SIMILAR_WORDS) if w not in STOP_WORDS and len(w) > 1]
    terms = terms[:MAX_SIMILAR_WORDS]
    if not terms or category is None:
        return []
    queryset = _filtered(user, agency_ids, category=category, kecamatan=kecamatan).filter(
        ~Q(status__in=(Status.DONE, Status.REJECTED)))
    return list(_matching(queryset, terms, any_word=True).select_related("category")[:limit])
