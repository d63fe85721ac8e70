"""The chat pages: the list of rooms and one room. The conversation itself
arrives over the hub socket (``frontend/static/frontend/js/room.js``)."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.choices import Role
from chat import rules, selectors
from moderation import selectors as moderation_selectors
from moderation.texts import sanction_strings


def rooms(request):
    """The chat rooms this visitor may open."""
    return render(request, "chat/rooms.html", {"rooms": selectors.room_list(user=request.user)})


def room(request, slug: str):
    """One chat room. The conversation itself arrives over the hub socket
    (``static/frontend/js/room.js``); this page only renders the frame around
    it. Guests read public rooms; a non-public room sends them to sign in."""
    room = selectors.room_get(slug=slug)
    if room is None:
        raise Http404(_("No such room."))
    if room.embedded:
        return redirect(room.page_url)  # shown by the page that embeds it, its own way
    if not room.is_public and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    refusal = rules.post_refusal(room, request.user)
    is_moderator = bool(request.user.is_authenticated and request.user.is_moderator)
    return render(request, "chat/room.html", {
        "room": room,
        "cannot_post_reason": None if refusal is None else str(refusal.detail),
        "client_config": {
            "topic": room.topic,
            "user_id": request.user.pk if request.user.is_authenticated else None,
            "max_body": settings.CHAT_MAX_BODY,
            "edit_window_seconds": settings.CHAT_EDIT_WINDOW_SECONDS,
            "strings": _client_strings(),
            "roles": {value: str(label) for value, label in Role.choices},
            "report_url": reverse("moderation:report") if request.user.is_authenticated else None,
            "report_reasons": _report_reasons() if request.user.is_authenticated else [],
            # Moderators and administrators: remove any message, mute or ban its
            # author (the hub and the sanction API check the role again).
            "is_moderator": is_moderator,
            "can_sanction_staff": bool(is_moderator and request.user.is_superuser),
            "sanction_url": reverse("moderation:sanction") if is_moderator else None,
            "moderator_strings": _moderator_strings() if is_moderator else {},
        },
    })


def _moderator_strings() -> dict[str, object]:
    """The sentences of the moderators' tools in the room page (room_actions.js)."""
    return {
        "remove": _("Remove"),
        "confirm_remove": _("Remove this message by {name}? Everyone will see that it was removed."),
        "scope_room": _("In this room"),
        **sanction_strings(),
    }


def _report_reasons() -> list[list[str]]:
    """``[code, label]`` of the reasons a reader may give when reporting a message."""
    language = get_language()
    return [[reason.code, reason.label(language)] for reason in moderation_selectors.reject_reasons()]


def _client_strings() -> dict[str, str]:
    """Every sentence room.js shows, translated here so the script needs no
    catalogue of its own. ``{n}``, ``{name}`` are filled in by the script."""
    return {
        "connecting": _("Connecting…"),
        "open": _("Connected"),
        "reconnecting": _("Reconnecting…"),
        "disconnected": _("Disconnected"),
        "too_many_sockets": _("Disconnected: too many open tabs. Close one and wait."),
        "online_one": _("1 person online"),
        "online_many": _("{n} people online"),
        "pending": _("Sending…"),
        "held": _("Waiting for a moderator's review"),
        "failed": _("Not sent"),
        "rate_limited": _("Too many messages. You can send again in {n} s."),
        "unavailable": _("The server is briefly unavailable. Your messages wait here and are sent automatically."),
        "edited": _("edited"),
        "deleted": _("This message was deleted."),
        "reply": _("Reply"),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "confirm_delete": _("Delete this message?"),
        "replying_to": _("Replying to {name}"),
        "reply_to": _("In reply to {name}"),
        "earlier_message": _("an earlier message"),
        "new_message": _("New message from {name}"),
        "edit_label": _("Edit your message"),
        "no_messages": _("No messages yet. Start the conversation."),
        "load_older": _("Load older messages"),
        "loading": _("Loading…"),
        "read_only_now": _("You can no longer post here."),
        "retry_failed": _("Your unsent messages will be sent when the connection returns."),
        "me": _("you"),
        "report": _("Report"),
        "report_label": _("Why are you reporting this message?"),
        "report_send": _("Send report"),
        "report_thanks": _("Thank you, your report has been received."),
        "report_already": _("You have already reported this message."),
        "report_failed": _("The report could not be sent. Try again."),
        "muted_until": _("You are muted until {until}."),
        "muted_everywhere_until": _("A moderator has muted you in every room until {until}."),
        "muted_here_until": _("A moderator has muted you in this room until {until}."),
        "mute_lifted": _("Your mute has been lifted; you can write again."),
    }
