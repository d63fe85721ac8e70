"""The audit log page for administrators: every entry, filterable, paginated;
told for people (issue 13 item 4): times in WIB to the second, actions and
reasons in Indonesian words, content by what it is, no internal ids."""

import re
from datetime import UTC, timedelta

from django.test import Client

from moderation import services
from tests.moderation.helpers import admin, hold, moderator, user

# The page speaks Indonesian: May, Aug, Oct and Dec are abbreviated differently
# from English, so the expected month is spelled out here, not taken from %b.
MONTHS_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def _page(who, **query) -> str:
    client = Client()
    client.force_login(who)
    return client.get("/moderasi/audit/", query).content.decode()


def _table(who, **query) -> str:
    return _page(who, **query).split("<tbody>")[1].split("</tbody>")[0]


def test_the_audit_page_lists_entries_and_filters_them():
    boss, mod, siti = admin("boss"), moderator("mod"), user("siti")
    item = hold(siti, "Pesan Siti")
    services.audit_record(actor=mod, action="reject", target=f"chat.message:{item.target_id}", subject=siti,
                          reason="spam")
    services.audit_record(actor=mod, action="sanction:mute", target=f"user:{siti.pk}", subject=siti,
                          reason="10m room.bupati")
    page = _table(boss)
    assert "Pesan di Ruang Bupati" in page and "Dibisukan" in page
    filtered = _table(boss, action="sanction")
    assert "Dibisukan" in filtered and "Pesan di Ruang Bupati" not in filtered
    assert '<option value="sanction:mute" selected>' in _page(boss, action="sanction:mute"), "the filter stays"
    empty = _table(boss, actor="nobody")
    assert "Dibisukan" not in empty and "Pesan di Ruang Bupati" not in empty


def test_the_audit_page_shows_wib_without_microseconds_nor_internal_ids():
    boss, mod, siti = admin("boss"), moderator("mod"), user("siti")
    item = hold(siti, "Pesan Siti")
    entry = services.audit_record(actor=mod, action="reject", target=f"chat.message:{item.target_id}",
                                  subject=siti, reason="spam — promosi berulang")
    services.audit_record(actor=mod, action="sanction:ban", target=f"user:{siti.pk}", subject=siti)

    table = _table(boss)

    wib = entry.created_at.astimezone(UTC) + timedelta(hours=7)  # Pati is UTC+7 all year
    assert f"{wib.day} {MONTHS_ID[wib.month - 1]} {wib:%Y %H.%M.%S} WIB" in table
    shown = re.sub(r'datetime="[^"]*"', "", table)  # the machine-readable stamps aside
    assert f"{entry.created_at.microsecond:06d}" not in shown and "+00:00" not in shown
    assert "chat.message" not in shown and f"user:{siti.pk}" not in shown
    assert not re.search(rf">\s*#?{item.target_id}\s*<", shown)
    assert "Ditolak atau dihapus" in table and "Diblokir" in table
    assert "promosi berulang" in table and ">spam" not in table, "the reason code in words"
