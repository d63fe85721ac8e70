"""Data-rights tests: committed rows (sockets read through other connections),
the forum's starter categories and the Q&A cast (officials, a moderator,
two citizens: siti and budi) with a live session."""

from tests.forum.conftest import starter_data  # noqa: F401  (autouse: categories and reasons)
from tests.qa.conftest import cast, live_session  # noqa: F401
