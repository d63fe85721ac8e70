"""Every write to an account goes through one of these functions."""

from __future__ import annotations

from django.db import transaction

from accounts.choices import CitizenCategory, Role
from accounts.models import User
from accounts.validators import normalize_phone


@transaction.atomic
def user_register(
    *,
    username: str,
    password: str,
    display_name: str,
    category: str,
    kecamatan: str,
    email: str = "",
    phone: str = "",
) -> User:
    """Self-registration. Always creates a citizen: officials, moderators and
    admins are provisioned by an administrator (``user_provision``)."""
    return User.objects.create_user(
        username=username,
        password=password,
        email=email,
        display_name=display_name,
        category=category,
        kecamatan=kecamatan,
        phone=normalize_phone(phone),
        role=Role.CITIZEN,
    )


def user_update_profile(
    *, user: User, display_name: str, category: str, kecamatan: str, email: str, phone: str | None
) -> User:
    """Save the owner's own profile; ``phone=None`` keeps the number on file,
    ``""`` removes it."""
    user.display_name = display_name
    user.category = category
    user.kecamatan = kecamatan
    user.email = email
    fields = ["display_name", "category", "kecamatan", "email"]
    if phone is not None:
        user.phone = normalize_phone(phone)
        fields.append("phone")
    user.save(update_fields=fields)
    return user


def user_provision(
    *,
    username: str,
    password: str,
    role: str,
    display_name: str,
    title: str = "",
    category: str = CitizenCategory.UMUM,
    kecamatan: str = "",
    email: str = "",
) -> tuple[User, bool]:
    """Create or update an account of any role (admins and ``seed_demo`` only).

    Idempotent by username: returns ``(user, created)``; an existing account
    gets the given fields and password again. Provisioned accounts count as
    established (no new-account hold on their first messages).
    """
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"display_name": display_name},
    )
    user.role = role
    user.display_name = display_name
    user.title = title
    user.category = category
    user.kecamatan = kecamatan
    user.email = email
    user.is_active = True
    user.established = True
    user.set_password(password)
    user.save()
    return user, created


def user_mark_established(*, user: User) -> None:
    """The account has shown it posts in good faith (moderation decides when)."""
    if not user.established:
        user.established = True
        user.save(update_fields=["established"])


def user_set_active(*, user: User, active: bool) -> None:
    """Activate or deactivate an account (a ban deactivates). Deactivating
    closes the user's sockets (``realtime`` listens for the save)."""
    user.is_active = active
    user.save(update_fields=["is_active"])
