"""Forum test data made through the services, as users would make it."""

from __future__ import annotations

from accounts.choices import Role
from forum import services
from forum.models import Aspiration, Category, Privacy, Status
from moderation.models import ItemStatus, QueueItem
from officials.models import Agency, AgencyKind
from officials.services import agency_upsert, official_upsert
from tests.hub import create_user


def agency(slug: str = "dpupr", name: str = "Dinas Pekerjaan Umum dan Penataan Ruang") -> Agency:
    return agency_upsert(slug=slug, name=name, short_name=slug.upper(), kind=AgencyKind.DINAS)[0]


def official(username: str, of: Agency, title: str = "Kepala Dinas"):
    user = create_user(username, role=Role.OFFICIAL)
    official_upsert(user=user, title=title, agency=of)
    return user


def category(slug: str = "jalan-infrastruktur", *, of: Agency | None = None, privacy: str | None = None) -> Category:
    """A starter category (from the data migration), with its default agency."""
    found = Category.objects.get(slug=slug)
    if of is not None:
        services.category_set_agency(category=found, agency=of)
    if privacy is not None:
        found.default_privacy = privacy
        found.save(update_fields=["default_privacy"])
    return found


def submit(author, *, title: str = "Jalan berlubang di Tayu", body: str = "Sudah tiga bulan belum diperbaiki.",
           cat: Category | None = None, privacy: str | None = Privacy.PUBLIC, kecamatan: str = "tayu") -> Aspiration:
    return services.aspiration_submit(author=author, title=title, body=body, category=cat or category(),
                                      kecamatan=kecamatan, privacy=privacy)


def verify(aspiration: Aspiration, moderator) -> Aspiration:
    """Approved in the review queue, the way the console does it."""
    from moderation.services import item_claim_next, item_decide

    item = QueueItem.objects.get(target_kind="forum.aspiration", target_id=aspiration.pk, status=ItemStatus.PENDING)
    claimed = item_claim_next(moderator=moderator, queue="forum")
    assert claimed is not None and claimed.pk == item.pk
    item_decide(moderator=moderator, item_id=item.pk, action="approve")
    aspiration.refresh_from_db()
    assert aspiration.status == Status.VERIFIED and aspiration.published
    return aspiration


def forwarded(author, moderator, to: Agency, **fields) -> Aspiration:
    aspiration = verify(submit(author, **fields), moderator)
    services.status_change(actor=moderator, aspiration_id=aspiration.pk, to_status=Status.FORWARDED, agency=to)
    aspiration.refresh_from_db()
    return aspiration
