"""A citizen's footprint across the hub, made through the services as users make it."""

from __future__ import annotations

from chat.models import Message, MessageStatus
from chat.services import room_upsert
from common.sanitize import render_text
from forum import services as forum
from moderation.services import report_create
from notify.services import notification_send
from qa import services as qa
from tests.forum import factories
from tests.qa.helpers import asked_and_approved

NIK = "3318011505900001"
PHONE = "081234567890"


def chat_message(author, body: str, *, room_slug: str = "bupati", seq: int | None = None) -> Message:
    room = room_upsert(slug=room_slug, title=f"Ruang {room_slug.title()}")[0]
    seq = seq or Message.objects.filter(room=room).count() + 1
    return Message.objects.create(room=room, author=author, body=body, html=render_text(body), seq=seq,
                                  status=MessageStatus.PUBLISHED)


def footprint(user, cast, session, *, tag: str) -> dict:
    """Everything one citizen leaves: a chat message, an aspiration with a
    reply, a support and a follow of another's, a question and a vote, a
    notification, a report. ``tag`` makes their texts recognisable."""
    message = chat_message(user, f"pesan {tag} hubungi {PHONE}")
    aspiration = factories.submit(user, title=f"Aspirasi {tag}", body=f"NIK saya {NIK}, jalan rusak ({tag})")
    factories.verify(aspiration, cast["moderator"])
    reply = forum.reply_post(user=user, aspiration_id=aspiration.pk, body=f"balasan {tag}")
    question = asked_and_approved(user, session, cast["moderator"], body=f"pertanyaan {tag}?")
    notification_send(recipients=[user.pk], kind="chat.mention", params={"where": f"notif {tag}",
                                                                          "excerpt": "halo"})
    return {"message": message, "aspiration": aspiration, "reply": reply, "question": question}


def interact(user, other: dict, moderator) -> None:
    """``user`` supports, follows, votes for and reports what another made."""
    forum.support_toggle(user=user, aspiration_id=other["aspiration"].pk)
    forum.follow_toggle(user=user, aspiration_id=other["aspiration"].pk)
    qa.vote_toggle(user=user, question_id=other["question"].pk)
    report_create(reporter=user, target_kind="chat.message", target_id=other["message"].pk, reason_code="spam",
                  note="iklan")
