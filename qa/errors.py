"""The Q&A sessions' error codes, raised as ``AppError``. A refused action
changes nothing."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from common.errors import register_details

#: Asking, voting or acting in an ended or cancelled session (chat's code).
CLOSED = "closed"
SESSION_PERIOD = "session_period_invalid"
NOT_AN_OFFICIAL = "not_an_official"
NOT_IN_SESSION = "not_in_session"
QUESTION_TOO_LONG = "question_too_long"
QUESTION_TOO_SOON = "question_too_soon"
QUESTION_QUOTA = "question_quota_reached"
QUESTION_NOT_VISIBLE = "question_not_visible"
QUESTION_DISMISSED = "question_dismissed"
ALREADY_ANSWERED = "already_answered"
WRONG_SESSION = "question_of_another_session"

register_details({
    SESSION_PERIOD: _("A session must end after it starts."),
    NOT_AN_OFFICIAL: _("Only officials can hold a session."),
    NOT_IN_SESSION: _("That official does not take part in this session."),
    QUESTION_TOO_LONG: _("Questions are limited to 280 characters."),
    QUESTION_TOO_SOON: _("You can ask one question a minute; wait a moment."),
    QUESTION_QUOTA: _("You have asked as many questions as a session allows."),
    QUESTION_NOT_VISIBLE: _("This question is not open for votes or answers."),
    QUESTION_DISMISSED: _("This question was dismissed."),
    ALREADY_ANSWERED: _("This question has already been answered."),
    WRONG_SESSION: _("This question belongs to another session."),
}, {SESSION_PERIOD: 400, NOT_AN_OFFICIAL: 400, NOT_IN_SESSION: 400, QUESTION_TOO_LONG: 400,
    QUESTION_TOO_SOON: 429, QUESTION_QUOTA: 429, QUESTION_NOT_VISIBLE: 409, QUESTION_DISMISSED: 409,
    ALREADY_ANSWERED: 409, WRONG_SESSION: 400})
