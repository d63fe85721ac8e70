"""The audit log: append-only, for administrators, filterable, exported as
CSV that a spreadsheet cannot execute."""

from __future__ import annotations

import csv
import io

import pytest

from moderation import services
from moderation.models import AuditEntry
from tests.moderation.helpers import admin, call, claim, decide, hold, moderator, user

AUDIT = "/moderasi/audit/"


def _csv(who, **params):
    from django.test import Client

    client = Client()
    client.force_login(who)
    response = client.get(AUDIT, {"format": "csv", **params})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def test_an_audit_entry_can_be_neither_changed_nor_deleted():
    entry = services.audit_record(actor=moderator("mod"), action="sanction:mute", target="user:1", reason="x")
    entry.reason = "disembunyikan"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="disembunyikan")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get().reason == "x"


def test_only_administrators_see_the_audit_log():
    for who in (moderator("mod"), user("warga")):
        status, _body = call(who, "GET", AUDIT, {"format": "csv"})
        assert status == 403, who
    status, _body = call(None, "GET", AUDIT, {"format": "csv"})
    assert status == 302, "signed out: to the sign-in page"


def test_the_csv_export_has_every_action_and_filters_by_action():
    siti, mod, boss = user("siti"), moderator("ani"), admin("boss")
    item = hold(siti)
    claim(mod)
    decide(mod, item.pk, "reject", reason="spam", note="iklan")
    call(mod, "POST", "/moderasi/api/sanksi/", {"user": siti.pk, "kind": "mute", "duration": "1h",
                                                "reason": "iklan berulang"})
    rows = _csv(boss)
    assert rows[0] == ["time", "actor", "action", "target", "subject", "reason"]
    body = [row[1:] for row in rows[1:]]
    assert body == [["ani", "sanction:mute", f"user:{siti.pk}", "siti", "1h iklan berulang"],
                    ["ani", "reject", f"chat.message:{item.target_id}", "siti", "spam — iklan"]]
    assert [row[2] for row in _csv(boss, action="sanction")[1:]] == ["sanction:mute"]
    assert [row[2] for row in _csv(boss, actor="nobody")[1:]] == []
    assert len(_csv(boss, since="2000-01-01")) == 3


def test_the_csv_export_neutralises_formulas_and_keeps_empty_cells_empty():
    boss = admin("boss")
    services.audit_record(actor=None, action="hide", target="chat.message:1", reason='=HYPERLINK("http://x")')
    services.audit_record(actor=None, action="hide", target="chat.message:2", reason="+1")
    services.audit_record(actor=None, action="hide", target="chat.message:3", reason="@SUM(A1)")
    services.audit_record(actor=None, action="hide", target="chat.message:4", reason="\tcmd")
    rows = _csv(boss)[1:]
    reasons = {row[3]: row[5] for row in rows}
    assert reasons["chat.message:1"] == "'=HYPERLINK(\"http://x\")"
    assert reasons["chat.message:2"] == "'+1"
    assert reasons["chat.message:3"] == "'@SUM(A1)"
    assert reasons["chat.message:4"] == "'\tcmd"
    assert all(row[1] == "system" and row[4] == "" for row in rows), "no stray quote in an empty cell"


def test_a_malformed_date_filter_is_ignored_not_a_server_error():
    boss = admin("boss")
    services.audit_record(actor=None, action="hide", target="chat.message:1")
    for since in ("kemarin", "2025-13-45"):
        rows = _csv(boss, since=since)  # 200, CSV
        assert [row[3] for row in rows[1:]] == ["chat.message:1"], since


def test_the_audit_page_and_csv_mask_personal_data_in_notes():
    """Issue 14 A2: a note typed into a decision or a sanction is shown with
    personal data masked, on the page and in the export."""
    from django.test import Client

    boss = admin("boss")
    services.audit_record(actor=moderator("mod"), action="escalate", target="chat.message:1",
                          reason="pelapor NIK 3318011203850002, telp 081234567890, siti.aminah@example.id")
    raw = ("3318011203850002", "081234567890", "siti.aminah@example.id")
    exported = str(_csv(boss))
    client = Client()
    client.force_login(boss)
    page = client.get(AUDIT).content.decode()
    for shown in (exported, page):
        assert "pelapor NIK" in shown and not [r for r in raw if r in shown]
