"""Every write to an account goes through one of these functions."""

from __future__ import annotations

import re

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

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


# --- the second sign-in step (accounts/twofactor.py) ----------------------------------

#: Recovery codes issued at a time; each works once.
RECOVERY_CODE_COUNT = 10
_TOTP_CODE = re.compile(r"[0-9]{6}")


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The authenticator app being set up: one unconfirmed device per user,
    the same across reloads of the enrolment page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Aplikasi autentikator", confirmed=False)
    return device


@transaction.atomic
def totp_enrolment_confirm(*, user: User, token: str) -> tuple[TOTPDevice, list[str]] | None:
    """The first code from the app being set up: on success the device is
    confirmed (replacing any earlier app) and a fresh set of recovery codes is
    issued, returned once and never shown again; ``None`` for a wrong code."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
    if device is None or not _TOTP_CODE.fullmatch(token) or not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return device, recovery_codes_issue(user=user)


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """A new set of recovery codes; the earlier ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "Kode pemulihan"})
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def second_factor_check(*, user: User, token: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts ``token`` (six digits: the app's code; anything
    else: a recovery code, used up on success), or ``None``. A wrong code
    counts against that device's throttle (django-otp: after n failures in a
    row it refuses every code for 2^(n-1) s)."""
    token = "".join(token.split()).lower()
    model = TOTPDevice if _TOTP_CODE.fullmatch(token) else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is not None and device.verify_token(token):
            return device
    return None
