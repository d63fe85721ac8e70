"""The Django admin pages where moderators and administrators keep the
blocklist and the reject reasons (issue 14, A8: they answered 500)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.choices import Role
from moderation.models import AuditEntry, BlockedTerm, RejectReason
from tests.hub import create_user

STAFF = [Role.MODERATOR, Role.ADMIN]
MODELS = [BlockedTerm, RejectReason]


def _url(model, page: str, *args) -> str:
    return reverse(f"admin:moderation_{model._meta.model_name}_{page}", args=args)


@pytest.mark.parametrize("role", STAFF)
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_staff_open_the_rule_pages(client, role, model):
    client.force_login(create_user("penjaga", role=role))
    obj = model.objects.first()
    assert obj is not None  # seeded by the starter lists

    for url in (_url(model, "changelist"), _url(model, "add"), _url(model, "change", obj.pk)):
        response = client.get(url)
        assert response.status_code == 200, url
    assert str(obj) in client.get(_url(model, "changelist")).content.decode()


@pytest.mark.parametrize("role", STAFF)
def test_the_admin_index_lists_the_rules_for_staff(client, role):
    client.force_login(create_user("penjaga", role=role))
    html = client.get(reverse("admin:index")).content.decode()
    assert _url(BlockedTerm, "changelist") in html
    assert _url(RejectReason, "changelist") in html


@pytest.mark.parametrize("role", STAFF)
def test_staff_add_and_change_a_blocked_term_through_the_admin(client, role):
    client.force_login(create_user("penjaga", role=role))
    response = client.post(_url(BlockedTerm, "add"), {"term": "katauji", "language": "id", "active": "on"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    term = BlockedTerm.objects.get(term="katauji")

    response = client.post(_url(BlockedTerm, "change", term.pk), {"term": "katauji", "language": "jv"})
    assert response.status_code == 302
    term.refresh_from_db()
    assert (term.language, term.active) == ("jv", False)
    assert list(AuditEntry.objects.filter(target="blockedterm:katauji").values_list("action", flat=True)
                .order_by("pk")) == ["rule:add", "rule:change"]


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.OFFICIAL])
def test_others_cannot_open_the_rule_pages(client, role):
    client.force_login(create_user("warga", role=role))
    for model in MODELS:
        response = client.get(_url(model, "changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
