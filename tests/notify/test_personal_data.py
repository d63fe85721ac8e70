"""Personal data never leaves through a notification (issue 14 A2), nor through
the console's public fields: a NIK, a phone number and an e-mail address in a
message reach the live notification frame, the inbox page, the e-mail
digest and the console's ``masked_text``/``around``/``title``/``where``
masked, whoever wrote them (officials' messages are never screened). Every
notification's text takes one path (``notify.kinds.render`` through
``common.pii``), whichever domain sent it; the digest mail is plain text,
not HTML-escaped."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.core import mail
from django.test import Client
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from chat.models import Message
from moderation import selectors as moderation_selectors
from moderation import services as moderation_services
from moderation.models import RejectReason
from notify import kinds
from notify.models import Notification
from notify.services import notification_digest_send, notification_send, preference_set
from tests.hub import ROOM, create_user

NIK, PHONE, EMAIL = "3318011203850002", "0812-3456-7890", "siti.aminah@example.id"
RAW = (NIK, PHONE, "081234567890", EMAIL)
TEXT = f"@siti tolong kirim ulang berkas: NIK {NIK}, telp {PHONE}, surel {EMAIL}"


def _assert_masked(text: str, where: str) -> None:
    leaked = [raw for raw in RAW if raw in text]
    assert not leaked, f"{where} shows {leaked} unmasked: {text!r}"


def _inbox(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/notifikasi/")
    assert response.status_code == 200
    return response.content.decode()


async def test_an_officials_mention_is_masked_live_in_the_inbox_in_the_digest_and_on_the_console(
        room, make_user, connect):
    siti = await make_user("siti", email="siti@example.id")
    await sync_to_async(preference_set)(user=siti, kind="chat.mention", channel="email")
    bupati = await make_user("bupati", role=Role.OFFICIAL, display_name="Bupati Pati")
    mod = await make_user("mod", role=Role.MODERATOR)
    siti_sock, official = await connect(siti), await connect(bupati)
    await official.join(ROOM)
    assert (await official.say(ROOM, TEXT))["status"] == "published", "officials are not screened"

    frame = await siti_sock.recv_until("notification")
    assert frame["notification"]["kind"] == "chat.mention" and "berkas" in frame["notification"]["text"]
    _assert_masked(frame["notification"]["text"], "the live notification")
    stored = await sync_to_async(Notification.objects.get)(recipient=siti)
    _assert_masked(str(stored.params), "the stored notification")
    _assert_masked(await sync_to_async(_inbox)(siti), "/notifikasi/")
    assert await sync_to_async(notification_digest_send)() == 1
    _assert_masked(mail.outbox[0].body, "the digest mail")
    assert "berkas" in mail.outbox[0].body

    # Reported, the official's message reaches the console: the raw text is
    # there for the moderator (``text``), every other field is masked.
    message = await sync_to_async(Message.objects.get)(author=bupati)
    await sync_to_async(RejectReason.objects.get_or_create)(code="lainnya", defaults={
        "label_id": "Alasan lain", "label_en": "Other"})
    await sync_to_async(moderation_services.report_create)(
        reporter=siti, target_kind="chat.message", target_id=message.pk, reason_code="lainnya")
    item = (await sync_to_async(moderation_services.item_claim_next)(moderator=mod, queue="reports"))
    context = await sync_to_async(moderation_selectors.item_context)(item=item)
    assert context["text"] == TEXT
    public = {key: value for key, value in context.items() if key != "text"}
    _assert_masked(str(public), "the console's public fields")
    assert "berkas" in context["masked_text"]


@pytest.fixture
def careless_kind():
    """A domain's notification kind that passes raw text as a parameter."""
    kind = kinds.register_kind(kinds.NotificationKind(
        "test.careless", gettext_lazy("Careless"), "%(actor)s: %(excerpt)s"))
    yield kind
    kinds._kinds.pop(kind.key, None)


@pytest.mark.django_db(transaction=True)
def test_every_notification_is_masked_on_every_surface_whichever_domain_sent_it(careless_kind):
    siti = create_user("siti", email="siti@example.id")
    preference_set(user=siti, kind=careless_kind.key, channel="email")
    notification_send(recipients=[siti.pk], kind=careless_kind.key, params={"actor": "Budi", "excerpt": TEXT})
    stored = Notification.objects.get(recipient=siti)
    _assert_masked(str(stored.params), "the stored notification")
    _assert_masked(_inbox(siti), "/notifikasi/")
    assert notification_digest_send() == 1
    _assert_masked(mail.outbox[0].body, "the digest mail")
    # A row stored before masking at storage (or by a write that bypassed
    # it) is still shown masked.
    Notification.objects.filter(pk=stored.pk).update(params={"actor": "Budi", "excerpt": TEXT}, read_at=None)
    _assert_masked(kinds.render(careless_kind.key, Notification.objects.get(pk=stored.pk).params), "render")
    _assert_masked(_inbox(siti), "/notifikasi/ (an old row)")


@pytest.mark.django_db(transaction=True)
def test_the_digest_mail_is_plain_text_not_html_escaped():
    """Issue 14 A9: the digest showed ``&amp;``, ``&lt;`` and ``&quot;``."""
    budi = create_user("budi", email="budi@example.id", display_name="Budi & Ani")
    preference_set(user=budi, kind="chat.mention", channel="email")
    notification_send(recipients=[budi.pk], kind="chat.mention",
                      params={"actor": "Dewi <Pati>", "where": "Ruang \"Umum\" & Lobi",
                              "excerpt": "harga < Rp5.000 & 'murah'"})
    assert notification_digest_send() == 1
    body = mail.outbox[0].body
    assert "Budi & Ani" in body
    assert "Dewi <Pati>" in body and "Ruang \"Umum\" & Lobi" in body and "harga < Rp5.000 & 'murah'" in body
    for entity in ("&amp;", "&lt;", "&gt;", "&quot;", "&#x27;", "&#39;"):
        assert entity not in body, f"{entity} in the plain-text digest:\n{body}"
