"""Notification kinds for authors whose content was moderated."""

from django.utils.translation import gettext_lazy as _

from realtime.notify.kinds import NotificationKind, register_kind

APPROVED = register_kind(NotificationKind(
    "moderation.approved", _("My held messages are approved"),
    _("Your message in %(room)s was approved and is now visible: “%(excerpt)s”")))
REJECTED = register_kind(NotificationKind(
    "moderation.rejected", _("My held messages are rejected"),
    _("Your message in %(room)s was not published. Reason: %(reason)s. “%(excerpt)s”")))
