"""Reads of agencies and officials."""

from __future__ import annotations

from django.db.models import Q

from officials.models import Agency, Delegate, Official


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


def acts_for(user) -> set[int]:
    """The officials (user ids) ``user`` may act for: themselves when they
    have an official's profile, and every official who named them a delegate.
    Empty for guests and citizens."""
    if user is None or not user.is_authenticated:
        return set()
    ids = set(Delegate.objects.filter(staff=user, staff__is_active=True).values_list("official_id", flat=True))
    if Official.objects.filter(user=user).exists():
        ids.add(user.pk)
    return ids
