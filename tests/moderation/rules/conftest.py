"""Plain-function tests of the rules: no database, no starter lists."""

import pytest


@pytest.fixture(autouse=True)
def starter_lists():
    """Overrides ``tests/moderation/conftest.py``: nothing to seed here."""
