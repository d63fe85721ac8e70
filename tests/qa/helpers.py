"""Questions asked and approved the way users make them."""

from __future__ import annotations

from chat.models import MessageStatus
from moderation.models import ItemStatus, QueueItem
from moderation.services import item_claim_next, item_decide
from qa import services
from qa.models import Question


def ask(user, session, body: str = "Kapan jalan Tayu–Dukuhseti diperbaiki?", **kw) -> Question:
    return services.question_ask(user=user, session_id=session.pk, body=body, **kw)


def approve(question: Question, moderator) -> Question:
    """Approved in the chat review queue, as the moderation console does it."""
    item = QueueItem.objects.get(target_kind="chat.message", target_id=question.message_id,
                                 status=ItemStatus.PENDING)
    claimed = item_claim_next(moderator=moderator, queue="chat")
    assert claimed is not None and claimed.pk == item.pk
    item_decide(moderator=moderator, item_id=item.pk, action="approve")
    question.refresh_from_db()
    question.message.refresh_from_db()
    assert question.message.status == MessageStatus.PUBLISHED
    return question


def asked_and_approved(user, session, moderator, body: str = "Kapan jalan Tayu–Dukuhseti diperbaiki?",
                       **kw) -> Question:
    return approve(ask(user, session, body, **kw), moderator)
