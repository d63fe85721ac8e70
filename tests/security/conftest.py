"""The attack suite's cast: the Q&A cast (officials of two agencies, their
delegates, a moderator, two citizens) and a live session, with the forum's
starter categories and reasons (``tests/qa/conftest.py``)."""

from tests.forum.conftest import starter_data  # noqa: F401  (autouse: categories and reasons)
from tests.qa.conftest import cast, live_session  # noqa: F401
