"""Personal data in user text: Indonesian NIK (16 digits), mobile numbers and
e-mail addresses. Found for auto-moderation, masked in every public rendering
(UU PDP 27/2022).
"""

from __future__ import annotations

import re

# 16 digits, however grouped with single spaces, dots or dashes (6-6-4, 4-4-4-4…).
NIK_RE = re.compile(r"(?<!\d)\d(?:[\s.\-]?\d){15}(?!\d)")
# 08…/+62 8…/62 8…, 9–13 digits after the prefix, optionally grouped.
PHONE_RE = re.compile(r"(?<![\w+])(?:\+62|62|0)[\s.\-]?8\d{1,3}(?:[\s.\-]?\d{2,5}){2,3}(?!\d)")
EMAIL_RE = re.compile(r"(?<![\w.+-])([A-Za-z0-9._%+-]{1,64})@([A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24})(?![\w-])")

KINDS = ("nik", "phone", "email")


def find(text: str) -> list[str]:
    """Which kinds of personal data ``text`` contains (``["nik", "email"]``)."""
    found = []
    if NIK_RE.search(text):
        found.append("nik")
    if PHONE_RE.search(_without_nik(text)):
        found.append("phone")
    if EMAIL_RE.search(text):
        found.append("email")
    return found


def _without_nik(text: str) -> str:
    return NIK_RE.sub(" ", text)


def _mask_digits(value: str, keep_start: int, keep_end: int) -> str:
    digits = [i for i, ch in enumerate(value) if ch.isdigit()]
    hide = set(digits[keep_start:len(digits) - keep_end])
    return "".join("•" if i in hide else ch for i, ch in enumerate(value))


def mask(text: str) -> str:
    """``text`` with every NIK, phone number and e-mail address masked: a NIK
    keeps nothing, a phone number its prefix and last 3 digits, an address
    its first letter and domain."""
    text = NIK_RE.sub(lambda m: "•" * 16, text)
    text = PHONE_RE.sub(lambda m: _mask_digits(m.group(0), 4, 3), text)
    return EMAIL_RE.sub(lambda m: f"{m.group(1)[0]}•••@{m.group(2)}", text)
