"""Template tags of the base template."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def notify_strings() -> dict[str, str]:
    """The sentences of the notification bell (js/notify.js), translated here
    and handed over with ``json_script`` like every page's client strings.
    ``{n}`` is filled in by the script."""
    return {
        "unread_one": _("1 unread notification"),
        "unread_many": _("{n} unread notifications"),
        "new": _("New notification"),
        "close": _("Close"),
        "mark_read": _("Mark as read"),
        "mark_failed": _("Could not mark as read. Try again."),
    }
