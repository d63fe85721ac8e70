"""Writes to agencies."""

from officials.models import Agency, Official


def agency_upsert(*, slug: str, name: str, short_name: str, kind: str, head=None) -> tuple[Agency, bool]:
    """Create or update an agency by slug (idempotent); returns ``(agency, created)``."""
    return Agency.objects.update_or_create(
        slug=slug, defaults={"name": name, "short_name": short_name, "kind": kind, "head": head}
    )


def official_upsert(*, user, title: str, agency: Agency | None, bio: str = "") -> Official:
    """Create or update ``user``'s official profile (idempotent)."""
    official, _created = Official.objects.update_or_create(user=user, defaults={"title": title, "agency": agency,
                                                                               "bio": bio})
    return official
