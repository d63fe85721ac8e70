"""Validation of personal data typed into account forms."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_PHONE_SEPARATORS = re.compile(r"[\s\-.()]")
_PHONE_SHAPE = re.compile(r"^(?:\+62|62|0)8\d{7,11}$")


def normalize_phone(raw: str) -> str:
    """Return an Indonesian mobile number as ``+628…``; raise ``ValidationError``.

    Accepts the shapes people type: ``0812-3456-7890``, ``+62 812 3456 7890``,
    ``62812…``. Empty input returns ``""`` (the phone is optional).
    """
    compact = _PHONE_SEPARATORS.sub("", raw or "")
    if not compact:
        return ""
    if not _PHONE_SHAPE.match(compact):
        raise ValidationError(
            _("Enter an Indonesian mobile number, e.g. 0812-3456-7890 or +62 812 3456 7890."),
            code="invalid_phone",
        )
    if compact.startswith("+62"):
        return compact
    if compact.startswith("62"):
        return "+" + compact
    return "+62" + compact[1:]


def mask_phone(phone: str) -> str:
    """``+6281234567890`` → ``+62 812-****-890``: enough for its owner to recognise."""
    if not phone:
        return ""
    digits = phone.removeprefix("+62")
    return f"+62 {digits[:3]}-****-{digits[-3:]}"
