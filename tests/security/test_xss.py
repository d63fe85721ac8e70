"""Stored XSS (issue 14 B): every payload of the corpus (``xss_payloads.txt``,
85 known ones) written through each path that stores user text — a room
message, a session question and its answer, an aspiration and a reply, the
notification a mention makes, the moderators' notes in the audit log — and
read back from every place that renders it: the pages, the live frames'
``html``, the console's API, the digest e-mail, the CSV export. Nowhere may
a payload come out as markup that runs (``attacks.live_markup``), nor a CSV
cell start a formula. ``tests/e2e/test_xss.py`` runs the same corpus in a
real browser."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.choices import Role
from chat.models import Message
from chat.services import message_send, room_upsert
from forum import services as forum_services
from moderation.models import ItemStatus, QueueItem
from moderation.services import audit_record
from notify.services import notification_digest_send, preference_set
from qa import services as qa_services
from tests.forum import factories
from tests.hub import create_user
from tests.qa.helpers import approve
from tests.security.attacks import MARK, formula_cells, live_markup, xss_payloads

PAYLOADS = xss_payloads()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def _assert_inert(html: str, where: str, expected: int = 1) -> None:
    live = live_markup(html)
    assert not live, f"{where}: {len(live)} payloads rendered as live markup, e.g. {live[:3]}"
    assert html.count(MARK) >= expected, f"{where}: the payloads are not on the page at all (check the path)"


def test_the_corpus_is_large_and_the_detector_can_fail():
    assert len(PAYLOADS) >= 50 and len(set(PAYLOADS)) == len(PAYLOADS)
    assert all(MARK in p or MARK[:4] in p for p in PAYLOADS)
    # the raw payloads, unescaped, are caught: the check below is not vacuous
    assert sum(bool(live_markup(p)) for p in PAYLOADS) >= 50


def test_room_messages_their_mentions_the_inbox_and_the_digest(cast, settings):
    """An official's messages are never screened (they publish at once); each
    mentions Siti, whose inbox and e-mail digest carry the excerpt."""
    room_upsert(slug="bupati", title="Ruang Bupati")
    siti = cast["siti"]
    siti.email = "siti@example.id"
    siti.save(update_fields=["email"])
    preference_set(user=siti, kind="chat.mention", channel="email")
    for payload in PAYLOADS:
        message_send(user=cast["bupati"], room_slug="bupati", client_id=str(uuid.uuid4()), body=f"@siti {payload}")
    assert Message.objects.filter(room__slug="bupati").count() == len(PAYLOADS)
    for message in Message.objects.all():  # the room shows messages from the frames' html (room.js)
        assert MARK in message.body and not live_markup(message.html), (message.body, message.html)
    _assert_inert(_page(_client(cast["budi"]), "/ruang/bupati/"), "the room page", expected=0)
    _assert_inert(_page(_client(siti), "/notifikasi/"), "the notifications page", expected=10)

    assert notification_digest_send() == 1
    digest = mail.outbox[0]
    assert not getattr(digest, "alternatives", None), "the digest is plain text only"
    # plain text: the words as written, never entity-escaped (nor anything to run in a mail client)
    short = [p for p in PAYLOADS if len(p) < 70]
    verbatim = [p for p in short if f"“@siti {p}”" in digest.body]
    assert "<script>window.__pwned=1</script>" in digest.body and len(verbatim) >= 0.9 * len(short)


def test_session_questions_and_answers(cast, live_session, settings):
    settings.QA_QUESTION_INTERVAL_SECONDS, settings.QA_QUESTIONS_PER_SESSION = 0, len(PAYLOADS)
    settings.CHAT_RATE_COUNT = 10 * len(PAYLOADS)  # a question is a message in the session's room
    for payload in PAYLOADS:
        question = qa_services.question_ask(user=cast["budi"], session_id=live_session.pk, body=payload)
        approve(question, cast["moderator"])
        qa_services.question_answer(user=cast["bupati"], session_id=live_session.pk, question_id=question.pk,
                                    text=f"Jawaban: {payload}")
    guest = Client()
    _assert_inert(_page(guest, f"/sesi/{live_session.pk}/"), "the session page", expected=2 * len(PAYLOADS))
    _assert_inert(_page(_client(cast["bupati"]), f"/konsol/{live_session.pk}/"), "the officials' console",
                  expected=len(PAYLOADS))
    live_session.ends_at = timezone.now() - timedelta(minutes=1)
    live_session.save(update_fields=["ends_at"])
    qa_services.sessions_tick(now=timezone.now())
    _assert_inert(_page(guest, f"/sesi/{live_session.pk}/"), "the transcript", expected=len(PAYLOADS))


def test_aspirations_replies_the_agency_inbox_and_the_moderators_api(cast):
    author, moderator = cast["siti"], cast["moderator"]
    kadis = cast["kadis"]
    pks = []
    for n, payload in enumerate(PAYLOADS):
        aspiration = factories.submit(author, title=f"Aduan {n} {payload}"[:120], body=payload)
        pks.append(aspiration.pk)
    # the moderators' console reads a pending item through its API (rendered by console.js)
    item = QueueItem.objects.filter(target_kind="forum.aspiration", status=ItemStatus.PENDING).first()
    mod = _client(moderator)
    detail = mod.get(f"/moderasi/api/item/{item.pk}/")
    assert detail.status_code == 200
    for key, value in _strings(json.loads(detail.content)):
        if key.endswith("html"):
            assert not live_markup(value), (key, value)
    for pk in pks[:30]:  # each verified and forwarded, then a reply and an official's answer on it
        aspiration = factories.verify(factories.Aspiration.objects.get(pk=pk), moderator)
        forum_services.status_change(actor=moderator, aspiration_id=pk, to_status="forwarded", agency=cast["dpupr"])
        forum_services.reply_post(user=cast["budi"], aspiration_id=pk, body=aspiration.body)
    for pk in pks[:30]:
        page = _page(Client(), f"/aspirasi/{pk}/")
        _assert_inert(page, f"aspiration {pk}", expected=2)
    _assert_inert(_page(Client(), "/aspirasi/"), "the aspirations list")
    _assert_inert(_page(_client(author), "/aspirasi/saya/"), "my aspirations")
    _assert_inert(_page(_client(kadis), "/aspirasi/instansi/"), "the agency inbox")
    for pk in pks[:30]:
        forum_services.reply_post(user=kadis, aspiration_id=pk, body="Jawaban resmi: " + PAYLOADS[pks.index(pk)],
                                  as_answer=True)
    _assert_inert(_page(Client(), f"/aspirasi/{pks[0]}/"), "an answered aspiration", expected=3)


def _strings(value, key: str = ""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)
    elif isinstance(value, str):
        yield key, value


@pytest.mark.parametrize("export", ["page", "csv"])
def test_the_audit_log_page_and_its_csv_export(export):
    """Moderators' notes (free text) in the administrators' audit log: inert
    on the page; in the CSV no cell a spreadsheet would run as a formula."""
    admin = create_user("admin", role=Role.ADMIN)
    moderator = create_user("mod", role=Role.MODERATOR)
    for payload in PAYLOADS:
        audit_record(actor=moderator, action="note", target=payload[:80], subject=moderator, reason=payload)
    response = _client(admin).get("/moderasi/audit/" + ("?format=csv" if export == "csv" else ""))
    assert response.status_code == 200
    if export == "page":
        _assert_inert(response.content.decode(), "the audit page", expected=10)
        return
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert len(rows) == len(PAYLOADS) + 1
    assert formula_cells(rows) == []
    # and the text is kept, only made inert
    assert any(cell == "'=cmd|' /C calc'!A0 __pwned" for row in rows for cell in row)
