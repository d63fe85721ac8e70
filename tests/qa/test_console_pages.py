"""The officials' console pages without JavaScript: only the session's
officials and their delegates get in; every action is a plain form calling
the service; a refusal shows its reason (who answered first, in words);
an anonymous asker is never named."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from forum.models import Aspiration
from qa import services
from qa.models import Question, SessionStatus
from tests.hub import create_user
from tests.qa.helpers import asked_and_approved

pytestmark = pytest.mark.usefixtures("cast")


def act(client, session, user, **data):
    client.force_login(user)
    return client.post(f"/konsol/{session.pk}/aksi/", data)


def test_only_officials_and_their_delegates_get_the_console(client, cast, live_session):
    assert client.get("/konsol/").status_code == 302  # guests: to sign in
    for outsider in (cast["siti"], cast["moderator"], cast["kadis"], cast["staf_kadis"]):
        client.force_login(outsider)
        assert client.get(f"/konsol/{live_session.pk}/").status_code == 403, outsider
        assert client.post(f"/konsol/{live_session.pk}/aksi/", {"action": "open_early"}).status_code == 403
    client.force_login(cast["siti"])
    assert client.get("/konsol/").status_code == 403
    # Another official has a console, without this session in it.
    client.force_login(cast["kadis"])
    response = client.get("/konsol/")
    assert response.status_code == 200 and live_session.title not in response.content.decode()
    for insider in (cast["bupati"], cast["wabup"], cast["staf1"]):
        client.force_login(insider)
        schedule = client.get("/konsol/").content.decode()
        assert f"/konsol/{live_session.pk}/" in schedule, insider
        assert client.get(f"/konsol/{live_session.pk}/").status_code == 200


def test_the_console_ranks_the_questions_and_never_names_an_anonymous_asker(client, cast, live_session):
    mod = cast["moderator"]
    asked_and_approved(cast["siti"], live_session, mod, "Kapan jalan Tayu diperbaiki?", anonymous=True)
    popular = asked_and_approved(cast["budi"], live_session, mod, "Bagaimana pasar Juwana?")
    services.vote_toggle(user=cast["siti"], question_id=popular.pk)
    services.question_ask(user=create_user("ani"), session_id=live_session.pk, body="Masih ditinjau")
    client.force_login(cast["staf1"])
    html = client.get(f"/konsol/{live_session.pk}/").content.decode()
    assert html.index("pasar Juwana") < html.index("jalan Tayu")
    assert "Warga (anonim)" in html and "Siti" not in html
    assert "Masih ditinjau" not in html
    assert '<dd id="konsol-waiting">1</dd>' in html
    assert 'href="/aspirasi/instansi/"' not in html  # staf1 acts for no agency
    client.force_login(cast["bupati"])
    assert 'href="/aspirasi/instansi/"' in client.get(f"/konsol/{live_session.pk}/").content.decode()


def test_every_action_from_the_console_forms(client, cast, live_session):
    mod, bupati = cast["moderator"], cast["bupati"]
    one, two, three, four = (
        asked_and_approved(create_user(f"warga{i}", kecamatan="pati"), live_session, mod, f"Pertanyaan nomor {i}?")
        for i in range(4))
    assert act(client, live_session, cast["staf1"], action="answer", question=one.pk,
               text="Sudah dijadwalkan.").status_code == 302
    one.refresh_from_db()
    assert one.answer == "Sudah dijadwalkan." and one.answered_by == cast["staf1"] and one.answered_for == bupati
    act(client, live_session, bupati, action="highlight", question=two.pk)
    act(client, live_session, bupati, action="dismiss", question=three.pk, reason="Di luar topik")
    act(client, live_session, bupati, action="hand_over", question=four.pk, to=f"official:{cast['wabup'].pk}")
    two.refresh_from_db(), three.refresh_from_db(), four.refresh_from_db()
    assert two.highlighted and three.dismissed_at and four.handed_to_official == cast["wabup"]
    response = act(client, live_session, bupati, action="answer_later", question=four.pk, agency=cast["dpupr"].pk)
    assert response.status_code == 302
    four.refresh_from_db()
    assert Aspiration.objects.get(pk=four.aspiration_id).agency == cast["dpupr"]
    html = client.get(f"/konsol/{live_session.pk}/").content.decode()
    assert f'href="/aspirasi/{four.aspiration_id}/"' in html


def test_a_second_answer_is_refused_with_who_answered(client, cast, live_session):
    question = asked_and_approved(cast["siti"], live_session, cast["moderator"])
    act(client, live_session, cast["staf1"], action="answer", question=question.pk, text="Jawaban pertama.")
    response = act(client, live_session, cast["staf2"], action="answer", question=question.pk, text="Jawaban kedua.")
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-code="already_answered"' in html and "dijawab oleh Staf1" in html
    assert Question.objects.get(pk=question.pk).answer == "Jawaban pertama."


def test_a_dismissal_needs_a_reason_and_bad_targets_change_nothing(client, cast, live_session):
    question = asked_and_approved(cast["siti"], live_session, cast["moderator"])
    assert act(client, live_session, cast["bupati"], action="dismiss", question=question.pk,
               reason="").status_code == 400
    response = act(client, live_session, cast["bupati"], action="hand_over", question=question.pk,
                   to=f"official:{cast['kadis'].pk}")
    assert response.status_code == 400 and 'data-code="not_in_session"' in response.content.decode()
    question.refresh_from_db()
    assert question.dismissed_at is None and question.handed_to_official_id is None


def test_open_early_and_extend(client, cast):
    now = timezone.now()
    session = services.session_schedule(actor=cast["moderator"], title="Sesi sore", officials=[cast["bupati"]],
                                        starts_at=now + timedelta(hours=2), ends_at=now + timedelta(hours=3))
    act(client, session, cast["staf1"], action="open_early")
    session.refresh_from_db()
    assert session.status == SessionStatus.LIVE
    before = session.ends_at
    act(client, session, cast["staf1"], action="extend", minutes="15")
    session.refresh_from_db()
    assert session.ends_at == before + timedelta(minutes=15)
    assert act(client, session, cast["staf1"], action="extend", minutes="500").status_code == 400


def test_after_the_end_the_console_offers_only_answer_later(client, cast, live_session):
    question = asked_and_approved(cast["budi"], live_session, cast["moderator"], "Bagaimana pasar Juwana?")
    services.sessions_tick(now=live_session.ends_at + timedelta(seconds=1))
    client.force_login(cast["staf1"])
    html = client.get(f"/konsol/{live_session.pk}/").content.decode()
    item = html[html.index(f'id="q-{question.pk}"'):]
    item = item[:item.index("</li>")]
    assert 'value="answer_later"' in item
    assert 'value="answer"' not in item and 'value="highlight"' not in item and 'value="dismiss"' not in item
    assert f'id="m-{question.message.seq}"' in item  # chat's links to the question's message land here
    response = act(client, live_session, cast["staf1"], action="answer", question=question.pk, text="Terlambat.")
    assert response.status_code == 403 and 'data-code="closed"' in response.content.decode()
    assert act(client, live_session, cast["staf1"], action="answer_later", question=question.pk,
               agency=cast["dpupr"].pk).status_code == 302
    question.refresh_from_db()
    assert question.aspiration_id is not None and question.answer == ""
