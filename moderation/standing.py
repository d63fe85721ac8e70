"""How much a report counts, and whose content reports never hide.

Reports hide content pending review once their summed weight reaches
``MODERATION_REPORT_THRESHOLD``. Weights are kept in hundredths of one full
report (``FULL``) so that sums stay exact:

- an account in good standing weighs one report: established (its first
  messages passed review, or an administrator made it so) or older than
  ``MODERATION_REPORTER_MIN_AGE_DAYS``; officials too (an administrator
  provisioned them);
- a new account weighs ``MODERATION_NEW_REPORTER_WEIGHT_PERCENT`` of one
  (25: four new accounts count as one established one, so with the default
  threshold of 3 it takes twelve fresh sign-ups, each throttled per address);
- a moderator or administrator weighs the whole threshold: their report hides
  at once, pending a decision like any other.

Content by a regency voice (official, moderator, administrator, read from the
author's role in the target's context) is never hidden by reports: it goes to
the ``reports`` queue and stays visible until a moderator decides.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.choices import Role

#: One report from an account in good standing.
FULL = 100

#: Authors whose content reports never hide (the regency's own voices).
PROTECTED_ROLES = frozenset({Role.OFFICIAL, Role.MODERATOR, Role.ADMIN})


def threshold_weight() -> int:
    """The summed weight that hides content."""
    return settings.MODERATION_REPORT_THRESHOLD * FULL


def in_good_standing(user) -> bool:
    """Established, provisioned (an official), or old enough."""
    if user.established or user.role in PROTECTED_ROLES:
        return True
    min_age = timedelta(days=settings.MODERATION_REPORTER_MIN_AGE_DAYS)
    return user.date_joined <= timezone.now() - min_age


def report_weight(user) -> int:
    """The weight of ``user``'s report, in hundredths of one full report."""
    if user.is_moderator:
        return threshold_weight()
    if in_good_standing(user):
        return FULL
    return settings.MODERATION_NEW_REPORTER_WEIGHT_PERCENT


def hidden_by_reports(context: dict) -> bool:
    """May reports hide this content? Not if its author speaks for the regency."""
    author = context.get("author") or {}
    return author.get("role") not in PROTECTED_ROLES
