"""Personal data written to slip past detection (issue 14, A3): invisible
characters inside the number, separators, digits of other scripts, look-alike
"@". Each is found and masked, and only it: the rest of the text is left as
written. Ordinary numbers (dates, prices, times, years, addresses) pass."""

from __future__ import annotations

import unicodedata

import pytest

from common import pii
from moderation import rules

NIK = "3318010101900001"
PHONE = "081234567890"
BEFORE, AFTER = "Tolong hubungi ", " ya, matur nuwun 🙏"

# Invisible characters (category Cf, and a combining joiner).
INVISIBLE = {
    "zero-width space": "\u200b",
    "zero-width non-joiner": "\u200c",
    "zero-width joiner": "\u200d",
    "soft hyphen": "\u00ad",
    "word joiner": "\u2060",
    "zero-width no-break space": "\ufeff",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "invisible separator": "\u2063",
    "mongolian vowel separator": "\u180e",
    "combining grapheme joiner": "\u034f",
}

# Digits of other scripts: 0 in each; the other digits follow it in Unicode.
DIGIT_ZEROS = {
    "full-width": "\uff10",
    "arabic-indic": "\u0660",
    "extended arabic-indic": "\u06f0",
    "devanagari": "\u0966",
    "bengali": "\u09e6",
    "thai": "\u0e50",
    "javanese": "\ua9d0",
    "balinese": "\u1b50",
    "mathematical bold": "\U0001d7ce",
}


def _in_script(digits: str, zero: str) -> str:
    return "".join(chr(ord(zero) + int(d)) if d.isdigit() else d for d in digits)


def _spread(number: str, sep: str) -> str:
    return sep.join(number)


PHONES = {
    # separators
    "dashes": "0812-3456-7890",
    "dots": "0812.3456.7890",
    "slashes": "0812/3456/7890",
    "spaced slashes": "0812 / 3456 / 7890",
    "spaced dashes": "0812 - 3456 - 7890",
    "brackets": "(0812) 3456 7890",
    "square brackets": "[0812] [3456] [7890]",
    "underscores": "0812_3456_7890",
    "backslashes": "0812\\3456\\7890",
    "middle dots": "0812·3456·7890",
    "en dashes": "0812\u20133456\u20137890",
    "em dashes": "0812\u20143456\u20147890",
    "minus signs": "0812\u22123456\u22127890",
    "no-break spaces": "0812\u00a03456\u00a07890",
    "thin spaces": "0812\u20093456\u20097890",
    "ideographic spaces": "0812\u30003456\u30007890",
    "full-width slashes": "0812\uff0f3456\uff0f7890",
    "every digit spaced": _spread(PHONE, " "),
    "every digit dotted": _spread(PHONE, "."),
    "pairs": "08 12 34 56 78 90",
    "dotted pairs": "08.12.34.56.78.90",
    "mixed": "0812 - 34.56/78 90",
    "+62": "+62 812-3456-7890",
    "+62 bracketed": "+62 (812) 3456 7890",
    "(+62)": "(+62) 812 3456 7890",
    "62 dotted": "62.812.3456.7890",
    # invisible characters
    **{name: f"0812{ch}3456{ch}7890" for name, ch in INVISIBLE.items()},
    "invisible between every digit": _spread(PHONE, "\u200b"),
    "invisible and spaces": "0\u200b8\u200d1\u2060 2 3\u00ad4 5 6 7\ufeff8 9 0",
    # other scripts
    **{f"{name} digits": _in_script("0812-3456-7890", zero) for name, zero in DIGIT_ZEROS.items()},
    "scripts mixed": "08" + _in_script("12", "\u0660") + "-" + _in_script("3456", "\u0966") + "-" + "7890",
    "full-width with zero-width space": _in_script("0812", "\uff10") + "\u200b" + _in_script("34567890", "\uff10"),
}

NIKS = {
    "plain": NIK,
    "4-4-4-4": "3318 0101 0190 0001",
    "6-6-4 dashes": "331801-010190-0001",
    "dots": "3318.0101.0190.0001",
    "slashes": "3318/0101/0190/0001",
    "brackets": "(3318) (0101) (0190) (0001)",
    "2-2-2-…": "33 18 01 01 01 90 00 01",
    "every digit spaced": _spread(NIK, " "),
    "every digit dashed": _spread(NIK, "-"),
    "spaced slashes": "331801 / 010190 / 0001",
    **{name: f"3318{ch}0101{ch}0190{ch}0001" for name, ch in INVISIBLE.items()},
    "invisible between every digit": _spread(NIK, "\u2060"),
    **{f"{name} digits": _in_script(NIK, zero) for name, zero in DIGIT_ZEROS.items()},
    "full-width spaced": _in_script("3318 0101 0190 0001", "\uff10"),
    "a woman's birth date (+40)": "3318014101900001",
}

EMAILS = {
    "full-width @": "siti.rahma＠example.co.id",
    "small @": "siti.rahma﹫example.co.id",
    "all full-width": "ｓｉｔｉ．ｒａｈｍａ＠ｅｘａｍｐｌｅ．ｃｏ．ｉｄ",
    "zero-width space before @": "siti.rahma\u200b@example.co.id",
    "soft hyphens inside": "si\u00adti.rah\u00adma@exam\u00adple.co.id",
    "word joiner around small @": "siti.rahma\u2060﹫\u2060example.co.id",
}


def _digits(text: str) -> str:
    """The digits a reader sees in ``text``, as ASCII (any script)."""
    out = []
    for ch in text:
        value = unicodedata.decimal(ch, None)
        if value is None:
            folded = unicodedata.normalize("NFKC", ch)
            value = folded if folded.isascii() and folded.isdigit() else None
        if value is not None:
            out.append(str(value))
    return "".join(out)


def _assert_only_the_number_changed(text: str, masked: str) -> None:
    assert masked.startswith(BEFORE), masked
    assert masked.endswith(AFTER), masked
    assert pii.find(masked) == [], masked


@pytest.mark.parametrize("number", PHONES.values(), ids=PHONES.keys())
def test_a_disguised_phone_number_is_found_and_masked(number):
    text = f"{BEFORE}{number}{AFTER}"
    assert pii.find(text) == ["phone"], text
    assert rules.personal_data(text) == ["personal_data:phone"]

    masked = pii.mask(text)
    _assert_only_the_number_changed(text, masked)
    shown = _digits(masked[len(BEFORE):-len(AFTER)])
    # The prefix (08xx or 628x) and the last 3 digits stay; the middle is gone.
    assert len(shown) == 7 and shown.endswith("890"), masked
    assert "•" in masked


@pytest.mark.parametrize("number", NIKS.values(), ids=NIKS.keys())
def test_a_disguised_nik_is_found_and_masked(number):
    text = f"{BEFORE}{number}{AFTER}"
    assert pii.find(text) == ["nik"], text
    assert rules.personal_data(text) == ["personal_data:nik"]

    masked = pii.mask(text)
    _assert_only_the_number_changed(text, masked)
    assert _digits(masked) == "" and "•" * 16 in masked, masked


@pytest.mark.parametrize("address", EMAILS.values(), ids=EMAILS.keys())
def test_a_disguised_email_address_is_found_and_masked(address):
    text = f"{BEFORE}{address}{AFTER}"
    assert pii.find(text) == ["email"], text
    assert rules.personal_data(text) == ["personal_data:email"]

    masked = pii.mask(text)
    _assert_only_the_number_changed(text, masked)
    assert masked == f"{BEFORE}s•••@example.co.id{AFTER}"


@pytest.mark.parametrize(("text", "expected"), [
    ("hp 0812\u200b3456\u200b7890 ya", "hp 0812•••••890 ya"),
    ("WA ０８１２-３４５６-７８９０!", "WA ０８１２-••••-•８９０!"),
    ("nomor saya (0812) 3456/7890, makasih", "nomor saya (0812) ••••/•890, makasih"),
    ("NIK: 3318 0101\u00ad0190 0001, terima kasih", "NIK: ••••••••••••••••, terima kasih"),
    ("surel siti＠example.com ya", "surel s•••@example.com ya"),
    ("٠٨١٢٣٤٥٦٧٨٩٠ – Pak RT", "٠٨١٢•••••٨٩٠ – Pak RT"),
    # Two numbers side by side are masked each in its own way.
    ("hp 0812-3456-7890 / 0813-1111-2222", "hp 0812-••••-•890 / 0813-••••-•222"),
    ("NIK 3318 0101 0190 0001 hp 0812 3456 7890", "NIK •••••••••••••••• hp 0812 •••• •890"),
    # Invisible characters elsewhere in the text are not touched.
    ("a\u200bb 0812-3456-7890 c\u200bd", "a\u200bb 0812-••••-•890 c\u200bd"),
])
def test_masking_changes_only_the_personal_data(text, expected):
    assert pii.mask(text) == expected


ORDINARY = [
    # dates
    "Rapat tanggal 12-03-2025 pukul 09.00",
    "tanggal 01/02/2025 - 28/02/2025",
    "tanggal 08/12/2025 - 09/12/2025",
    "08/12/2025-09/12/2025",
    "2025-08-12 s/d 2025-08-13",
    "Senin, 17.08.2025",
    # prices and amounts
    "Harga cabai Rp 15.000/kg",
    "Rp 15.000 - Rp 20.000",
    "Anggaran Rp 1.250.000.000 untuk jalan",
    "Rp 1.250.000.000 - Rp 2.500.000.000",
    "Bantuan untuk 1.250 KK di 21 kecamatan",
    "1,5 juta warga",
    # times
    "pukul 08.00 - 10.00 WIB",
    "jam 08.15-10.30 / 10.45-12.00",
    "Jadwal 08:00, 10:00 dan 13:00",
    "buka 08.00 s/d 16.00",
    "pukul ٠٨.٠٠ - ١٠.٠٠",
    # years
    "tahun 2019, 2020 dan 2021",
    "periode 2020-2024",
    "tahun ajaran 2024/2025",
    "2019 2020 2021",
    # places, addresses and other numbers
    "Kecamatan Juwana, Tayu, Margoyoso, Trangkil dan Pati",
    "RT 03 RW 05 Desa Sukolilo",
    "nomor surat 400/123/2025",
    "Jl. Pemuda No. 12 Pati 59111",
    "Kode pos 59111 dan 59112",
    "KM 12,5 arah Kudus",
    "Telp kantor kecamatan (0295) 381234",
    "skor 3-1 untuk Persipa",
    "dari 100/200/300 orang",
    # ordinary text with invisible characters and full-width symbols
    "ter\u00adima kasih\u200b Pak Bupati ＠ Pendopo",
    "kata @warga1 benar",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_is_not_personal_data(text):
    assert pii.find(text) == []
    assert rules.personal_data(text) == []
    assert pii.mask(text) == text
