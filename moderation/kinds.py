"""Notification kinds for authors whose content was moderated (any target
kind: ``%(where)s`` names the place)."""

from django.utils.translation import gettext_lazy as _

from notify.kinds import NotificationKind, register_kind

APPROVED = register_kind(NotificationKind(
    "moderation.approved", _("My held posts are approved"),
    _("Your post in %(where)s was approved and is now visible: “%(excerpt)s”")))
REJECTED = register_kind(NotificationKind(
    "moderation.rejected", _("My held posts are rejected"),
    _("Your post in %(where)s was not published. Reason: %(reason)s. “%(excerpt)s”")))
