"""The registry of notification kinds. Apps register theirs (from
``AppConfig.ready``) with a translatable sentence using ``%(name)s``
parameters; the sentence is rendered in the reader's language at display time.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from common import pii
from notify.models import Channel


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: object  # lazy translatable
    sentence: object  # lazy translatable, %(param)s placeholders
    default_channel: str = Channel.IN_APP
    #: Mailed as soon as it is stored (job ``notify.email``) to those who chose
    #: e-mail, instead of waiting for the hourly digest: for what is worth
    #: nothing an hour late (a session starting in 15 minutes).
    email_at_once: bool = False


_kinds: dict[str, NotificationKind] = {}


def register_kind(kind: NotificationKind) -> NotificationKind:
    _kinds[kind.key] = kind
    return kind


def get_kind(key: str) -> NotificationKind | None:
    return _kinds.get(key)


def all_kinds() -> list[NotificationKind]:
    return list(_kinds.values())


def masked(params: dict) -> dict:
    """``params`` with personal data masked in every string (``common.pii``):
    the one path every notification's text takes, whichever domain sent it
    and whoever wrote the text (officials' messages are never screened)."""
    return {name: pii.mask(value) if isinstance(value, str) else value for name, value in params.items()}


def render(kind_key: str, params: dict, language: str | None = None) -> str:
    """The notification's sentence in ``language`` (default: the active one),
    personal data masked: the live frame, the inbox and the e-mail digest all
    show this."""
    params = masked(params)
    kind = _kinds.get(kind_key)
    with translation.override(language) if language else nullcontext():
        if kind is None:
            return str(_("You have a new notification."))
        try:
            return str(kind.sentence) % params
        except (KeyError, TypeError, ValueError):
            return str(kind.label)


ANNOUNCEMENT = register_kind(NotificationKind(
    "announcement", _("Announcements from the regency"),
    _("Announcement: %(title)s — %(body)s")))
