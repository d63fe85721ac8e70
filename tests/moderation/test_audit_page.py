"""The audit log page for administrators: every entry, filterable, paginated."""

from django.test import Client

from moderation import services
from tests.moderation.helpers import admin, moderator


def test_the_audit_page_lists_entries_and_filters_them():
    boss, mod = admin("boss"), moderator("mod")
    services.audit_record(actor=mod, action="reject", target="chat.message:7", reason="spam")
    services.audit_record(actor=mod, action="sanction:mute", target="user:3", reason="10m bupati")
    client = Client()
    client.force_login(boss)
    page = client.get("/moderasi/audit/").content.decode()
    assert "chat.message:7" in page and "user:3" in page
    filtered = client.get("/moderasi/audit/", {"action": "sanction"}).content.decode()
    assert "user:3" in filtered and "chat.message:7" not in filtered
    assert 'value="sanction"' in filtered, "the filter stays filled in"
    empty = client.get("/moderasi/audit/", {"actor": "nobody"}).content.decode()
    assert "user:3" not in empty and "chat.message:7" not in empty
