"""Everything the hub holds about one person, as plain data (the JSON export).

One function per domain, each reading only the rows that are about the user
(their account, what they wrote, what they did, what was done to them);
``user_export`` puts them together. Other people's data never enters: a reply
to the user's message is not theirs, a report names the content it was about,
not its author. Texts are given as the user wrote them (their own data,
unmasked); notifications as stored (masked when they were made).
"""

from __future__ import annotations

from django.utils import timezone

from chat.models import Message, MessageRevision
from forum.models import Aspiration, Follow, Reply, ReplyRevision, Support
from moderation.models import QueueItem, Report, Sanction
from notify.models import Notification, NotificationPreference
from officials.models import Delegate, Official
from privacy.models import UnmaskEntry
from qa.models import Follow as SessionFollow
from qa.models import Question, Vote

#: The version of the export's shape; bump it when a key changes meaning.
EXPORT_FORMAT = 1


def _when(value) -> str | None:
    return value.isoformat() if value else None


def account(user) -> dict:
    return {
        "id": user.pk, "username": user.username, "display_name": user.display_name, "email": user.email,
        "phone": user.phone, "role": user.role, "category": user.category, "kecamatan": user.kecamatan,
        "title": user.title, "established": user.established, "is_active": user.is_active,
        "date_joined": _when(user.date_joined), "last_login": _when(user.last_login),
    }


def chat_messages(user) -> list[dict]:
    """The user's chat messages (published, held, rejected, deleted) with their earlier texts."""
    earlier: dict[int, list[dict]] = {}
    for revision in MessageRevision.objects.filter(message__author=user).order_by("pk"):
        earlier.setdefault(revision.message_id, []).append({"body": revision.body,
                                                            "replaced_at": _when(revision.created_at)})
    rows = Message.objects.filter(author=user).select_related("room").order_by("pk")
    return [{
        "room": m.room.slug, "id": m.seq, "status": m.status, "body": m.body, "created_at": _when(m.created_at),
        "edited_at": _when(m.edited_at), "deleted_at": _when(m.deleted_at), "hidden_at": _when(m.hidden_at),
        "earlier_texts": earlier.get(m.pk, []),
    } for m in rows]


def aspirations(user) -> list[dict]:
    rows = Aspiration.objects.filter(author=user).select_related("category").prefetch_related("photos").order_by("pk")
    return [{
        "id": a.pk, "title": a.title, "body": a.body, "category": a.category.slug, "kecamatan": a.kecamatan,
        "desa": a.desa, "privacy": a.privacy, "status": a.status, "published": a.published,
        "created_at": _when(a.created_at), "done_at": _when(a.done_at), "rating": a.rating,
        "rating_comment": a.rating_comment, "photos": [photo.image.name for photo in a.photos.all()],
    } for a in rows]


def replies(user) -> list[dict]:
    earlier: dict[int, list[dict]] = {}
    for revision in ReplyRevision.objects.filter(reply__author=user).order_by("pk"):
        earlier.setdefault(revision.reply_id, []).append({"body": revision.body,
                                                          "replaced_at": _when(revision.created_at)})
    return [{
        "id": r.pk, "aspiration": r.aspiration_id, "body": r.body, "created_at": _when(r.created_at),
        "edited_at": _when(r.edited_at), "deleted_at": _when(r.deleted_at), "earlier_texts": earlier.get(r.pk, []),
    } for r in Reply.objects.filter(author=user).order_by("pk")]


def forum_activity(user) -> dict:
    return {
        "supported": list(Support.objects.filter(user=user).order_by("pk").values_list("aspiration_id", flat=True)),
        "followed": list(Follow.objects.filter(user=user).order_by("pk").values_list("aspiration_id", flat=True)),
    }


def qa_activity(user) -> dict:
    questions = (Question.objects.filter(message__author=user).select_related("session", "message")
                 .order_by("pk"))
    votes = Vote.objects.filter(user=user).select_related("question__session").order_by("pk")
    return {
        "questions": [{
            "session": q.session_id, "session_title": q.session.title, "text": q.message.body,
            "status": q.message.status, "anonymous": q.anonymous, "votes": q.votes, "created_at": _when(q.created_at),
            "answered_at": _when(q.answered_at), "answer": q.answer,
        } for q in questions],
        "votes": [{"question": v.question_id, "session": v.question.session_id, "created_at": _when(v.created_at)}
                  for v in votes],
        "followed_sessions": list(SessionFollow.objects.filter(user=user).order_by("session_id")
                                  .values_list("session_id", flat=True)),
    }


def notifications(user) -> dict:
    rows = Notification.objects.filter(recipient=user).order_by("pk")
    return {
        "received": [{"kind": n.kind, "params": n.params, "url": n.url, "created_at": _when(n.created_at),
                      "read_at": _when(n.read_at), "emailed_at": _when(n.emailed_at)} for n in rows],
        "preferences": dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel")),
    }


def moderation_record(user) -> dict:
    """Reports the user made, sanctions on them and the decisions on their content."""
    return {
        "reports_made": [{"target_kind": r.target_kind, "target_id": r.target_id, "reason": r.reason,
                          "note": r.note, "created_at": _when(r.created_at)}
                         for r in Report.objects.filter(reporter=user).order_by("pk")],
        "sanctions": [{"kind": s.kind, "scope": s.scope, "reason": s.reason, "created_at": _when(s.created_at),
                       "ends_at": _when(s.ends_at), "lifted_at": _when(s.lifted_at)}
                      for s in Sanction.objects.filter(user=user).order_by("pk")],
        "decisions_on_my_content": [{"target_kind": i.target_kind, "target_id": i.target_id, "queue": i.queue,
                                     "status": i.status, "reason": i.decision_reason,
                                     "decided_at": _when(i.decided_at)}
                                    for i in QueueItem.objects.filter(author=user).order_by("pk")],
        # Who saw this user's NIK or phone number unmasked is staff's data; the
        # user learns when, in what and which kind (UU PDP: access to their data).
        "unmasked_views": [{"target": e.target, "kinds": e.kinds, "at": _when(e.created_at)}
                           for e in UnmaskEntry.objects.filter(subject=user).order_by("pk")],
    }


def official_roles(user) -> dict:
    official = Official.objects.filter(user=user).select_related("agency").first()
    return {
        "official": {"agency": official.agency.name if official and official.agency else None} if official else None,
        "delegate_of": list(Delegate.objects.filter(staff=user).values_list("official__username", flat=True)),
    }


def user_export(*, user) -> dict:
    """The whole export of ``user`` (the JSON a citizen downloads from their profile)."""
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "account": account(user),
        "chat_messages": chat_messages(user),
        "aspirations": aspirations(user),
        "aspiration_replies": replies(user),
        "forum": forum_activity(user),
        "qa": qa_activity(user),
        "notifications": notifications(user),
        "moderation": moderation_record(user),
        "staff_roles": official_roles(user),
    }
