"""Writes to agencies."""

from officials.models import Agency


def agency_upsert(*, slug: str, name: str, short_name: str, kind: str, head=None) -> tuple[Agency, bool]:
    """Create or update an agency by slug (idempotent); returns ``(agency, created)``."""
    return Agency.objects.update_or_create(
        slug=slug, defaults={"name": name, "short_name": short_name, "kind": kind, "head": head}
    )
