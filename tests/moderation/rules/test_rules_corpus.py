"""The blocklist matcher and the personal-data finder on a corpus of evasions
and of innocent words that must pass."""

from __future__ import annotations

import importlib

import pytest

from common import pii
from moderation import rules

TERMS = [term for terms in importlib.import_module("moderation.migrations.0002_starter_lists").TERMS.values()
         for term in terms]

CAUGHT = [
    ("a n j i n g", "anjing"),
    ("dasar 4nj1ng", "anjing"),
    ("ANJIIINGGG", "anjing"),
    ("Anjing!", "anjing"),
    ("dasar anjing!!!", "anjing"),
    ("b4ngs4t kau", "bangsat"),
    ("BANGSAT!", "bangsat"),
    ("a.s.u", "asu"),
    ("ASU!", "asu"),
    ("j-a-n-c-u-k", "jancuk"),
    ("jancuk.", "jancuk"),
    ("F*U*C*K", "fuck"),
    ("f u c k this", "fuck"),
    ("fuuuuck", "fuck"),
    ("$h1t", "shit"),
    ("g0bl0k", "goblok"),
    ("t o l o l", "tolol"),
    ("Kon_tol", "kontol"),
    ("a\u200bs\u200bu", "asu"),
    ("ássu", "asu"),
    # Letters of other alphabets that look Latin.
    ("dasar \u0430nj\u0456ng", "anjing"),      # Cyrillic а and і
    ("\u0430\u0455u!", "asu"),                   # Cyrillic а and ѕ
    ("g\u03bfbl\u03bfk", "goblok"),             # Greek ο
    # Spelled out among other words, as the 8 pieces a run may join at most.
    ("tolong ya b a j i n g a n itu", "bajingan"),
    ("jalan rusak, mohon dicek: j.a.n.c.u.k!", "jancuk"),
]

INNOCENT = [
    "kasus korupsi di desa",
    "Tanjung Mas",
    "asuransi kesehatan BPJS",
    "pecundang",
    "pola asuh anak",
    "cukup sekian terima kasih",
    "Scunthorpe",
    "bangsa Indonesia",
    "anjingan",  # not a word, but not the blocked one either
    "pukul 4 sore di balai desa",
    "Jum'at pagi kerja bakti",
    "pass the ball",
    "Привет, как дела?",  # a greeting in Russian
    "Καλημέρα",  # Greek
]


@pytest.mark.parametrize(("text", "term"), CAUGHT)
def test_a_blocked_word_is_found_through_its_disguises(text, term):
    assert f"blocked_word:{term}" in rules.blocked_words(text, TERMS)


@pytest.mark.parametrize("text", INNOCENT)
def test_innocent_words_containing_a_blocked_one_pass(text):
    assert rules.blocked_words(text, TERMS) == []


def test_a_message_finds_every_blocked_word_in_it_once_and_in_the_blocklist_order():
    text = "dasar 4nj1ng, a.s.u kau, b a n g s a t, anjing lagi"
    assert rules.blocked_words(text, TERMS) == [f"blocked_word:{term}" for term in TERMS
                                               if term in ("anjing", "asu", "bangsat")]
    assert rules.blocked_words(text, []) == []


@pytest.mark.parametrize(("text", "kinds"), [
    ("NIK saya 3318010101900001", ["nik"]),
    ("NIK 3318 0101 0190 0001 tolong dicek", ["nik"]),
    ("nik: 331801-010190-0001", ["nik"]),
    ("NIK 3318.0101.0190.0001", ["nik"]),
    ("hubungi 0812-3456-7890", ["phone"]),
    ("WA +62 812 3456 7890", ["phone"]),
    ("telp 6281234567890", ["phone"]),
    ("hp 081234567890 ya", ["phone"]),
    ("kirim ke siti.rahma@example.co.id", ["email"]),
    ("NIK 3318010101900001, hp 0812 3456 7890, email a@b.id", ["nik", "phone", "email"]),
])
def test_personal_data_is_found_and_masked(text, kinds):
    assert pii.find(text) == kinds
    assert rules.personal_data(text) == [f"personal_data:{kind}" for kind in kinds]
    masked = pii.mask(text)
    assert pii.find(masked) == [], masked


@pytest.mark.parametrize("text", [
    "Rapat tanggal 12-03-2025 pukul 09.00",
    "Anggaran Rp 1.250.000.000 untuk jalan",
    "RT 03 RW 05 Desa Sukolilo",
    "nomor surat 400/123/2025",
])
def test_ordinary_numbers_are_not_personal_data(text):
    assert pii.find(text) == []
