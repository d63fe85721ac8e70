"""Who may see and do what with an aspiration. One function per rule; pages,
lists, search, feeds, figures, photos and the live topic all ask these.

A *role* is how someone stands to one aspiration (``forum.lifecycle``):
``moderator``, ``agency`` (an official of the responsible agency), ``author``.
"""

from __future__ import annotations

from django.db.models import Q

from forum.lifecycle import AGENCY, AUTHOR, MODERATOR
from forum.models import Aspiration, Privacy, Status

#: Those who see everything of an aspiration: its author's name, its
#: personal data, and a confidential one at all.
INSIDERS = frozenset({MODERATOR, AGENCY, AUTHOR})
#: Replies nest at most this deep (0: a reply to the aspiration itself).
MAX_DEPTH = 5
MAX_TITLE = 150
MAX_BODY = 5000
MAX_REPLY = 3000
MAX_PHOTOS = 3
EDIT_WINDOW_MINUTES = 15


def roles_of(user, aspiration: Aspiration, agency_ids: set[int]) -> set[str]:
    """How ``user`` stands to ``aspiration`` (``agency_ids``: the agencies
    they act for, ``officials.selectors.agency_ids_of``)."""
    if user is None or not user.is_authenticated:
        return set()
    roles = set()
    if user.is_moderator:
        roles.add(MODERATOR)
    if aspiration.agency_id is not None and aspiration.agency_id in agency_ids:
        roles.add(AGENCY)
    if aspiration.author_id == user.pk:
        roles.add(AUTHOR)
    return roles


def can_view(aspiration: Aspiration, roles: set[str]) -> bool:
    """The public sees published aspirations that are not confidential; the
    author, moderators and the responsible agency see theirs in any state."""
    if roles & INSIDERS:
        return True
    return aspiration.published and aspiration.privacy != Privacy.CONFIDENTIAL


def visible_q(user, agency_ids: set[int]) -> Q:
    """``can_view`` as a query filter, for lists, search and figures' drill-downs."""
    public = Q(published=True) & ~Q(privacy=Privacy.CONFIDENTIAL)
    if user is None or not user.is_authenticated:
        return public
    if user.is_moderator:
        return Q()
    return public | Q(author_id=user.pk) | Q(agency_id__in=agency_ids)


def shows_author(aspiration: Aspiration, roles: set[str]) -> bool:
    """An anonymous aspiration hides its author from all but insiders."""
    return aspiration.privacy == Privacy.PUBLIC or bool(roles & INSIDERS)


def shows_personal_data(roles: set[str]) -> bool:
    """NIK and phone numbers unmasked: the author, moderators, the agency."""
    return bool(roles & INSIDERS)


def can_reply(user, aspiration: Aspiration, roles: set[str]) -> bool:
    if user is None or not user.is_authenticated or not can_view(aspiration, roles):
        return False
    if not aspiration.published:
        return bool(roles & {MODERATOR, AGENCY})
    return aspiration.status != Status.REJECTED
