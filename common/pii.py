"""Personal data in user text: Indonesian NIK (16 digits), mobile numbers and
e-mail addresses. Found for auto-moderation, masked in every public rendering
(UU PDP 27/2022).

Formatting must not hide them, so detection reads a normalized copy of the
text: invisible format characters (zero-width space and joiners, soft hyphen,
word joiner, bidi marks: Unicode category Cf) and combining marks are
dropped, every character is NFKC-folded (full-width digits and letters,
"＠" and "﹫" become ASCII) and every decimal digit of any script (Arabic-Indic,
Devanagari, Javanese…) becomes its ASCII digit. Each normalized character
remembers the original one it came from, so masking changes the original
text only where personal data was found.

A number is a run of digit groups joined by up to three separators (spaces,
``.``, ``-`` and other dashes, ``/``, ``\\``, brackets, ``_``, ``·``). Within a
run, consecutive groups whose digits make a NIK or a mobile number are one:

- a NIK is 16 digits, the first not 0 (a region code). Written as one group,
  4-4-4-4 or 6-6-4 it is always a NIK; grouped any other way it must also
  look like one (a birth date DDMMYY in digits 7–12, women's days +40), so
  that a date range such as "01/02/2025 - 28/02/2025" (16 digits too) is not
  taken for one;
- a mobile number is 08… (10–13 digits) or 62 8… / +62 8… (11–14 digits),
  with an operator digit 1–9 after the 8 (0800 is a toll-free number).

A date or a clock time standing alone ("08/12/2025", "08.15") ends a run, so
that ranges of them are not read as a phone number. Masking keeps a phone
number's separators (a NIK becomes 16 "•"), drops the invisible characters
inside it and changes nothing else.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.dispatch import Signal

KINDS = ("nik", "phone", "email")

EMAIL_RE = re.compile(r"(?<![\w.+-])([A-Za-z0-9._%+-]{1,64})@([A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24})(?![\w-])")
# Digit groups joined by at most three separator characters (normalized text).
_RUN_RE = re.compile(r"[0-9]+(?:[\s.\-/\\()\[\]_·]{1,3}[0-9]+)*")
_GROUP_RE = re.compile(r"[0-9]+")
_PHONE_DIGITS_RE = re.compile(r"(?:0|62)8[1-9][0-9]{7,10}")
# Dates (DD/MM/YYYY with one separator, YYYY-MM-DD) and clock times (HH.MM,
# HH:MM) standing alone: never part of a number, so that "08/12/2025 -
# 09/12/2025" or "08.15-10.30 / 10.45-12.00" is not read as a phone number.
# Part of a longer chain ("08.12.34.56.78.90") they are not dates or times.
_DATE_TIME_RE = re.compile(
    r"(?<![0-9])(?<![0-9][./])(?:0?[1-9]|[12][0-9]|3[01])([./-])(?:0?[1-9]|1[0-2])\1(?:19|20)[0-9]{2}"
    r"(?![0-9])(?!\1[0-9])"
    r"|(?<![0-9])(?<![0-9][.-])(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])(?![0-9])(?!-[0-9])"
    r"|(?<![0-9])(?<![0-9][.:])(?:[01]?[0-9]|2[0-3])[.:][0-5][0-9](?![0-9])(?![.:][0-9])"
)
_NIK_GROUPINGS = ((16,), (4, 4, 4, 4), (6, 6, 4))
_MAX_GROUPS = 16
_DROPPED = frozenset({"Cf", "Mn", "Me"})  # invisible format characters, combining marks
_MASK = "•"
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    """What detection reads for one non-ASCII character ("" if invisible)."""
    category = unicodedata.category(ch)
    if category in _DROPPED:
        return ""
    digit = unicodedata.decimal(ch, None)
    if digit is not None:
        return str(digit)
    if category == "Pd" or ch == "\u2212":  # dashes, minus sign
        return "-"
    return "".join(part for part in unicodedata.normalize("NFKC", ch) if unicodedata.category(part) not in _DROPPED)


def _normalize(text: str) -> tuple[str, list[int] | None]:
    """The text detection reads and, per character of it, the index of the
    original character it came from (``None``: the text itself)."""
    if text.isascii():
        return text, None
    changes = [(m.start(), folded) for m in _NON_ASCII_RE.finditer(text) if (folded := _fold(m.group())) != m.group()]
    if not changes:
        return text, None
    out: list[str] = []
    origin: list[int] = []
    done = 0
    for index, folded in changes:
        out.append(text[done:index])
        origin.extend(range(done, index))
        out.append(folded)
        origin.extend([index] * len(folded))
        done = index + 1
    out.append(text[done:])
    origin.extend(range(done, len(text)))
    return "".join(out), origin


def _looks_like_nik(digits: str) -> bool:
    """Region code, then a birth date DDMMYY (women's day + 40), then a serial."""
    day, month = int(digits[6:8]), int(digits[8:10])
    return (1 <= day <= 31 or 41 <= day <= 71) and 1 <= month <= 12 and digits[12:] != "0000"


def _number_kind(groups: list[str]) -> str | None:
    digits = "".join(groups)
    if len(digits) == 16 and digits[0] != "0" and (tuple(map(len, groups)) in _NIK_GROUPINGS
                                                   or _looks_like_nik(digits)):
        return "nik"
    if _PHONE_DIGITS_RE.fullmatch(digits):
        return "phone"
    return None


def _numbers(normalized: str):
    """``(kind, start, end)`` of every NIK and mobile number in normalized text."""
    for run in _RUN_RE.finditer(normalized):
        text = run.group()
        if len(text) < 10:  # too short for any of them
            continue
        # Dates and times become non-separators of the same length: groups end there.
        text = _DATE_TIME_RE.sub(lambda m: "#" * len(m.group()), text)
        groups = [(m.start() + run.start(), m.end() + run.start(), m.group()) for m in _GROUP_RE.finditer(text)]
        i = 0
        while i < len(groups):
            # The longest span of groups starting here that is a NIK or a phone number.
            for j in range(min(len(groups), i + _MAX_GROUPS) - 1, i - 1, -1):
                kind = _number_kind([g[2] for g in groups[i:j + 1]])
                if kind:
                    yield kind, groups[i][0], groups[j][1]
                    i = j + 1
                    break
            else:
                i += 1


def _spans(normalized: str) -> list[tuple[str, int, int, re.Match | None]]:
    """Every piece of personal data, sorted, not overlapping: ``(kind, start,
    end, email match)`` in normalized text. A number inside an e-mail
    address is part of the address."""
    emails = [("email", m.start(), m.end(), m) for m in EMAIL_RE.finditer(normalized)] if "@" in normalized else []
    numbers = [(kind, start, end, None) for kind, start, end in _numbers(normalized)
               if not any(start < e_end and e_start < end for _, e_start, e_end, _ in emails)]
    return sorted(emails + numbers, key=lambda span: span[1])


def find(text: str) -> list[str]:
    """Which kinds of personal data ``text`` contains (``["nik", "email"]``)."""
    found = {span[0] for span in _spans(_normalize(text)[0])}
    return [kind for kind in KINDS if kind in found]


def _masked_number(text: str, normalized: str, origin: list[int] | None, start: int, end: int,
                   keep_start: int, keep_end: int) -> str:
    """The original characters of a number with its digits masked but the
    first ``keep_start`` and last ``keep_end``; invisible characters dropped."""
    first, last = _original(origin, start), _original(origin, end - 1)
    digits = list(dict.fromkeys(_original(origin, k) for k in range(start, end) if normalized[k].isdigit()))
    hide = set(digits[keep_start:len(digits) - keep_end])
    return "".join(_MASK if i in hide else text[i] for i in range(first, last + 1)
                   if unicodedata.category(text[i]) not in _DROPPED)


def _original(origin: list[int] | None, index: int) -> int:
    return index if origin is None else origin[index]


def mask(text: str) -> str:
    """``text`` with every NIK, phone number and e-mail address masked: a NIK
    keeps nothing, a phone number its prefix and last 3 digits, an address
    its first letter and domain. The rest of the text is unchanged."""
    normalized, origin = _normalize(text)
    spans = _spans(normalized)
    if not spans:
        return text
    out, done = [], 0
    for kind, start, end, match in spans:
        first, last = _original(origin, start), _original(origin, end - 1)
        out.append(text[done:first])
        if kind == "nik":
            out.append(_MASK * 16)
        elif kind == "phone":
            out.append(_masked_number(text, normalized, origin, start, end, 4, 3))
        else:
            out.append(f"{match.group(1)[0]}{_MASK * 3}@{match.group(2)}")
        done = last + 1
    out.append(text[done:])
    return "".join(out)


#: Sent when a staff member is shown a text with a NIK or phone number
#: unmasked (``shown_unmasked``); the privacy app logs it (who, what, when).
unmasked_shown = Signal()
#: The kinds whose unmasking is logged (an e-mail address is not an identity number).
LOGGED_KINDS = ("nik", "phone")


def shown_unmasked(*, viewer, subject_id: int | None, target: str, texts, where: str) -> None:
    """A page or API shows ``texts`` unmasked to ``viewer``: when they hold a
    NIK or phone number of someone else (``subject_id``: their author), tell
    the log. Authors reading their own text are not logged."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or viewer.pk == subject_id:
        return
    found = {kind for text in texts if text for kind in find(text)}
    kinds = [kind for kind in LOGGED_KINDS if kind in found]
    if kinds:
        unmasked_shown.send(sender=None, viewer=viewer, subject_id=subject_id, target=target, kinds=kinds,
                            where=where)
