"""Every read of aspirations: one aspiration as a given user may see it, the
lists, a thread, the agency inbox. Visibility is always ``rules.visible_q`` /
``rules.can_view``; a confidential aspiration is "not found" to others."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone

from common.errors import NOT_FOUND, AppError
from forum import rules
from forum.models import Aspiration, Category, Follow, Reply, ReplyRevision, Status, Support, TimelineEntry
from officials.selectors import agency_ids_of

SORTS = ("newest", "supported", "overdue")
OPEN = (Status.NEW, Status.VERIFIED, Status.FORWARDED, Status.ANSWERED)


@dataclass(frozen=True)
class Seen:
    """An aspiration as one user may see it, with how they stand to it."""

    aspiration: Aspiration
    roles: frozenset[str]

    @property
    def shows_author(self) -> bool:
        return rules.shows_author(self.aspiration, set(self.roles))

    @property
    def shows_personal_data(self) -> bool:
        return rules.shows_personal_data(set(self.roles))


def aspiration_seen(*, user, pk: int, for_update: bool = False) -> Seen:
    """The aspiration ``pk`` as ``user`` may see it; ``AppError(not_found)``
    when it does not exist or they may not see it (no difference shown)."""
    rows = Aspiration.objects.select_related("category", "agency", "author")
    if for_update:
        rows = rows.select_for_update(of=("self",))
    aspiration = rows.filter(pk=pk).first()
    if aspiration is None:
        raise AppError(NOT_FOUND)
    roles = rules.roles_of(user, aspiration, agency_ids_of(user=user))
    if not rules.can_view(aspiration, roles):
        raise AppError(NOT_FOUND)
    return Seen(aspiration, frozenset(roles))


def visible(*, user) -> QuerySet[Aspiration]:
    return Aspiration.objects.filter(rules.visible_q(user, agency_ids_of(user=user)))


def _named(field: str, value) -> dict:
    """A filter on a category or agency given as an instance, a primary key or a slug."""
    if isinstance(value, str):
        return {f"{field}__slug": value}
    return {field: value}


def with_filters(rows: QuerySet[Aspiration], *, category=None, kecamatan: str | None = None,
                 status: str | None = None, agency=None) -> QuerySet[Aspiration]:
    """The lists' filters, for the list and for search alike; empty values
    filter nothing. ``category``, ``agency``: an instance, a key or a slug."""
    if category:
        rows = rows.filter(**_named("category", category))
    if kecamatan:
        rows = rows.filter(kecamatan=kecamatan)
    if status:
        rows = rows.filter(status=status)
    if agency:
        rows = rows.filter(**_named("agency", agency))
    return rows


def aspiration_list(*, user, sort: str = "newest", category: str = "", kecamatan: str = "", status: str = "",
                    agency: str = "") -> QuerySet[Aspiration]:
    """Visible aspirations, filtered and sorted: ``newest``, ``supported``
    (most supports first) or ``overdue`` (open ones past their deadline
    first, the most overdue on top; then the rest by deadline)."""
    rows = with_filters(visible(user=user).select_related("category", "agency", "author"), category=category,
                        kecamatan=kecamatan, status=status, agency=agency)
    if sort == "supported":
        return rows.order_by("-supports", "-created_at")
    if sort == "overdue":
        return rows.filter(status__in=OPEN).order_by(F("due_at").asc(nulls_last=True), "created_at")
    return rows.order_by("-created_at")


def mine(*, user) -> QuerySet[Aspiration]:
    return Aspiration.objects.filter(author=user).select_related("category", "agency").order_by("-created_at")


def agency_inbox(*, user) -> QuerySet[Aspiration]:
    """The open aspirations of the agencies ``user`` acts for, by deadline."""
    return (Aspiration.objects.filter(agency_id__in=agency_ids_of(user=user), status__in=OPEN)
            .select_related("category", "agency", "author").order_by(F("due_at").asc(nulls_last=True)))


def is_overdue(aspiration: Aspiration, now=None) -> bool:
    return aspiration.is_open and aspiration.due_at is not None and aspiration.due_at < (now or timezone.now())


def thread(*, aspiration: Aspiration) -> list[Reply]:
    """Every reply in display order: depth-first, each level oldest first.
    Tombstones stay (their text is not shown)."""
    replies = list(Reply.objects.filter(aspiration=aspiration).select_related("author").order_by("pk"))
    children: dict[int | None, list[Reply]] = {}
    for reply in replies:
        children.setdefault(reply.parent_id, []).append(reply)
    ordered: list[Reply] = []

    def walk(parent_id):
        for reply in children.get(parent_id, []):
            ordered.append(reply)
            walk(reply.pk)

    walk(None)
    return ordered


def revisions(*, replies: list[Reply]) -> dict[int, list[ReplyRevision]]:
    """The earlier texts of edited replies, oldest first, by reply id."""
    by_reply: dict[int, list[ReplyRevision]] = {}
    edited = [reply.pk for reply in replies if reply.edited_at is not None and reply.is_shown]
    for revision in ReplyRevision.objects.filter(reply_id__in=edited).order_by("pk"):
        by_reply.setdefault(revision.reply_id, []).append(revision)
    return by_reply


def timeline(*, aspiration: Aspiration) -> list[TimelineEntry]:
    return list(TimelineEntry.objects.filter(aspiration=aspiration).select_related("actor", "agency"))


def supported_by(*, user, aspiration: Aspiration) -> bool:
    return user.is_authenticated and Support.objects.filter(aspiration=aspiration, user=user).exists()


def followed_by(*, user, aspiration: Aspiration) -> bool:
    return user.is_authenticated and Follow.objects.filter(aspiration=aspiration, user=user).exists()


def followers(*, aspiration: Aspiration) -> list[int]:
    return list(Follow.objects.filter(aspiration=aspiration).values_list("user_id", flat=True))


def categories() -> list[Category]:
    return list(Category.objects.filter(active=True))


def changes_after(*, aspiration_id: int, since: int) -> tuple[list[Reply], list[TimelineEntry]]:
    """Replies and timeline entries whose live sequence is after ``since``."""
    replies = list(Reply.objects.filter(aspiration_id=aspiration_id, seq__gt=since).select_related("author")
                   .order_by("seq"))
    entries = list(TimelineEntry.objects.filter(aspiration_id=aspiration_id, seq__gt=since)
                   .select_related("actor", "agency").order_by("seq"))
    return replies, entries


def open_with_deadline_before(*, moment) -> QuerySet[Aspiration]:
    return Aspiration.objects.filter(status__in=OPEN, due_at__lt=moment).select_related("agency", "category")


def answered_before(*, moment) -> QuerySet[Aspiration]:
    """Answered aspirations answered before ``moment``, each with the time of
    its author's last reply (``last_author_word``, ``None`` when silent)."""
    return (Aspiration.objects.filter(status=Status.ANSWERED, answered_at__lt=moment)
            .annotate(last_author_word=Max("replies__created_at", filter=Q(replies__author_id=F("author_id")))))
