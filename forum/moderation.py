"""What moderating the forum means: a new aspiration waits in queue ``forum``
(approving it verifies and publishes it; refusing it rejects it with the
reason), and a reply may be reported. Registered with moderation's core."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common import pii
from common.sanitize import render_markdown
from forum import services
from forum.models import ASPIRATION_TARGET, HELD_QUEUE, REPLY_TARGET, Aspiration, Privacy, Reply, Status
from moderation.queues import TargetKind, premoderation_queue, register_queue, register_target
from moderation.services import author_tell


def _url(aspiration: Aspiration) -> str:
    return f"/aspirasi/{aspiration.pk}/"


def _author(user) -> dict:
    return {"id": user.pk, "name": user.display_name, "username": user.username, "role": user.role}


# --- aspirations ----------------------------------------------------------------------
def _load_aspiration(pk: int) -> Aspiration | None:
    return Aspiration.objects.select_related("author", "category", "agency").filter(pk=pk).first()


def _aspiration_context(aspiration: Aspiration) -> dict:
    text = f"{aspiration.title}\n\n{aspiration.body}"
    return {
        "title": _("Aspiration #%(id)d: %(title)s") % {"id": aspiration.pk, "title": pii.mask(aspiration.title)},
        "text": text, "masked_text": pii.mask(text), "author_id": aspiration.author_id,
        "author": _author(aspiration.author),
        "where": f"{aspiration.category.name_id} · {aspiration.get_kecamatan_display()}",
        "link": _url(aspiration), "scope": "",
    }


def _verify(aspiration: Aspiration, moderator, redact: bool) -> None:
    if aspiration.status != Status.NEW:
        return
    if redact:
        aspiration.title, aspiration.body = pii.mask(aspiration.title), pii.mask(aspiration.body)
        aspiration.html = render_markdown(aspiration.body)
        aspiration.save(update_fields=["title", "body", "html"])
    services.status_change(actor=moderator, aspiration_id=aspiration.pk, to_status=Status.VERIFIED)
    author_tell(author_id=aspiration.author_id, kind="moderation.approved", link=_url(aspiration),
                where=str(gettext_lazy("the aspiration forum")), excerpt=aspiration.title)


def _refuse(aspiration: Aspiration, moderator, reason: str) -> None:
    if aspiration.status != Status.NEW:
        return
    services.aspiration_refuse(moderator=moderator, aspiration_id=aspiration.pk, reason=reason)
    author_tell(author_id=aspiration.author_id, kind="moderation.rejected", link=_url(aspiration),
                where=str(gettext_lazy("the aspiration forum")), excerpt=aspiration.title, reason=reason)


def _aspiration_record(author_id: int, text: str, since, count_published: bool) -> tuple[bool, int]:
    rows = Aspiration.objects.filter(author_id=author_id)
    repeated = since is not None and rows.filter(created_at__gte=since, body__iexact=text).exists()
    published = rows.filter(published=True).count() if count_published else 0
    return repeated, published


# --- replies ------------------------------------------------------------------------------
def _load_reply(pk: int) -> Reply | None:
    return Reply.objects.select_related("author", "aspiration__category").filter(pk=pk).first()


def _reply_public(reply: Reply) -> bool:
    aspiration = reply.aspiration
    return reply.is_shown and aspiration.published and aspiration.privacy != Privacy.CONFIDENTIAL


def _reply_context(reply: Reply) -> dict:
    aspiration = reply.aspiration
    return {
        "title": _("Reply on aspiration #%(id)d") % {"id": aspiration.pk},
        "text": reply.body, "masked_text": pii.mask(reply.body), "author_id": reply.author_id,
        "author": _author(reply.author), "where": pii.mask(aspiration.title),
        "link": f"{_url(aspiration)}#r-{reply.pk}", "scope": aspiration.topic,
    }


def _find_reply(ref: str) -> int | None:
    return int(ref) if ref.isascii() and ref.isdigit() else None


def register() -> None:
    def never(*_args):  # aspirations are not reported; replies are never held
        return None

    register_target(TargetKind(
        key=ASPIRATION_TARGET, load=_load_aspiration, context=_aspiration_context, publish=_verify,
        refuse=_refuse, hide=never, restore=never, remove=never, public=lambda a: False,
        find=lambda ref: None, author_record=_aspiration_record))
    register_target(TargetKind(
        key=REPLY_TARGET, load=_load_reply, context=_reply_context, publish=never, refuse=never,
        hide=lambda reply: services.reply_hide(reply=reply),
        restore=lambda reply: services.reply_restore(reply=reply),
        remove=lambda reply, moderator, reason: services.reply_remove(reply=reply),
        public=_reply_public, find=_find_reply))
    register_queue(premoderation_queue(HELD_QUEUE, gettext_lazy("New aspirations")))
