"""Writes to agencies, officials' profiles and their delegates."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from common.errors import INVALID, AppError
from officials.models import Agency, Delegate, Official


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


def delegate_add(*, official, staff) -> Delegate:
    """Name ``staff`` (an account with the official role: regency staff) a
    delegate of ``official`` (a user with an official's profile). Idempotent.
    Raises ``AppError`` (invalid) otherwise."""
    if not Official.objects.filter(user=official).exists():
        raise AppError(INVALID, _("Only an official can name a delegate."))
    if staff.pk == official.pk or staff.role != Role.OFFICIAL or not staff.is_active:
        raise AppError(INVALID, _("A delegate is another active staff account."))
    try:
        with transaction.atomic():
            return Delegate.objects.create(official=official, staff=staff)
    except IntegrityError:
        return Delegate.objects.get(official=official, staff=staff)


def delegate_remove(*, official, staff) -> bool:
    """``staff`` no longer acts for ``official``; returns whether they did."""
    removed, _rows = Delegate.objects.filter(official=official, staff=staff).delete()
    return bool(removed)
