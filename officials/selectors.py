"""Reads of agencies and officials."""

from __future__ import annotations

from django.db.models import Q

from officials.models import Agency, Official


def agency_ids_of(*, user) -> set[int]:
    """The agencies ``user`` acts for: the ones they head and the one of their
    official profile. Empty for guests and citizens."""
    if user is None or not user.is_authenticated:
        return set()
    return set(Agency.objects.filter(Q(head=user) | Q(officials__user=user)).values_list("pk", flat=True))


def official_of(*, user) -> Official | None:
    if user is None or not user.is_authenticated:
        return None
    return Official.objects.select_related("agency").filter(user=user).first()


def agency_by_slug(*, slug: str) -> Agency | None:
    return Agency.objects.filter(slug=slug).first()


def agencies() -> list[Agency]:
    return list(Agency.objects.all())
