"""Auto-moderation: checks that hold a message for review before anyone sees
it. Each returns its hits as stable codes, recorded on the item as the reason
it was held:

- ``blocked_word:<term>``: a blocklisted word, found through spacing, case,
  repeated letters, common digit-for-letter swaps and letters of other
  alphabets that look Latin (Cyrillic "а", Greek "ο");
- ``personal_data:<nik|phone|email>``: a NIK, phone number or e-mail address;
- ``too_many_links``: more than ``MODERATION_MAX_LINKS`` links;
- ``repeated_text``: the same text as one of the author's recent messages;
- ``new_account``: among a new account's first ``MODERATION_NEW_ACCOUNT_HOLD``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.conf import settings

from common import pii
from common.sanitize import count_links

# Digits and symbols people swap for letters.
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "6": "g", "7": "t", "8": "b",
                       "9": "g", "@": "a", "$": "s", "!": "i", "|": "i", "+": "t"})
_TOKEN_SPLIT = re.compile(r"[\s\u200b]+")
_NON_LETTER = re.compile(r"[^a-z]")
_REPEATS = re.compile(r"(.)\1+")
_EDGE_SYMBOLS = "@$!|+"
_PUNCT_SPLIT = re.compile(r"[^\w@$!|+]+")


@lru_cache(maxsize=4096)
def _latin_look_alike(ch: str) -> str:
    """The ASCII letter that ``ch`` looks like (Cyrillic "а" → "a", Greek "ο"
    → "o", per Unicode's confusables data), or ``ch`` itself."""
    # Imported here: its data costs ~18 MB and 50 ms, paid only by a process
    # that meets a non-Latin letter.
    from confusable_homoglyphs import confusables

    for found in confusables.is_confusable(ch, preferred_aliases=["latin"], greedy=True) or []:
        for glyph in found["homoglyphs"]:
            if glyph["c"].isascii() and glyph["c"].isalpha():
                return glyph["c"]
    return ch


def normalize_word(word: str) -> str:
    """``"4NJ1NNNG"`` → ``"anjing"``: case folded, accents dropped, look-alike
    letters of other alphabets made Latin, swaps undone, non-letters removed,
    repeated letters collapsed. Words up to 64 characters are remembered (a
    pure function of the word, people reuse words, and screening runs on
    every message)."""
    return _normalize_short(word) if len(word) <= 64 else _normalize(word)


@lru_cache(maxsize=8192)
def _normalize_short(word: str) -> str:
    return _normalize(word)


def _normalize(word: str) -> str:
    folded = unicodedata.normalize("NFKD", word.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    if not folded.isascii():
        folded = "".join(_latin_look_alike(ch) if ch.isalpha() and not ch.isascii() else ch
                         for ch in folded).casefold()
    folded = folded.translate(_LEET)
    return _REPEATS.sub(r"\1", _NON_LETTER.sub("", folded))


def _candidates(text: str, longest: int | None = None) -> set[str]:
    """Normalized words of ``text``, plus every run of 2–8 adjacent pieces
    joined, so that "a n j i n g", "anj-ing" and "a.s.u" are found as words,
    while "kasus" never matches "asu". ``longest``: no candidate longer than
    this is wanted (a run stops growing past it: joining more pieces never
    makes the collapsed run shorter)."""
    tokens = _TOKEN_SPLIT.split(text)
    pieces = [p for p in (normalize_word(t) for t in tokens) if p]
    # Punctuation inside a token also splits it ("a.s.u", "anj-ing").
    parts = [p for t in tokens for p in _PUNCT_SPLIT.split(t)]
    fine = [p for p in (normalize_word(p) for p in parts) if p]
    # A swap symbol at a word's edge is usually punctuation: "anjing!" is "anjing", not "anjingi".
    plain = [p for p in (normalize_word(p.strip(_EDGE_SYMBOLS)) for p in parts) if p]
    found = set(pieces) | set(fine) | set(plain)
    # Text without punctuation gives three equal sequences: their runs once.
    sequences = [pieces] + [seq for seq in (fine, plain) if seq != pieces]
    if len(sequences) == 3 and sequences[2] == sequences[1]:
        sequences.pop()
    for seq in sequences:
        for start in range(len(seq)):
            joined = seq[start]
            for end in range(start + 1, min(start + 8, len(seq))):
                joined = _REPEATS.sub(r"\1", joined + seq[end])
                if longest is not None and len(joined) > longest:
                    break
                found.add(joined)
    return found


@lru_cache(maxsize=16)
def _normalized_terms(terms: tuple[str, ...]) -> tuple[tuple[tuple[str, str], ...], int]:
    """Each term with its normalized form, and the longest normalized form."""
    pairs = tuple((term, normalize_word(term)) for term in terms)
    return pairs, max((len(norm) for _term, norm in pairs), default=0)


def blocked_words(text: str, terms: list[str]) -> list[str]:
    if not terms:
        return []
    pairs, longest = _normalized_terms(tuple(terms))
    candidates = _candidates(text, longest)
    return [f"blocked_word:{term}" for term, norm in pairs if norm in candidates]


def personal_data(text: str) -> list[str]:
    return [f"personal_data:{kind}" for kind in pii.find(text)]


def too_many_links(text: str) -> list[str]:
    return ["too_many_links"] if count_links(text) > settings.MODERATION_MAX_LINKS else []
