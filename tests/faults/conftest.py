"""The real-browser fixture of tests/e2e, for the fault suite's browser run."""

from tests.e2e.conftest import browser  # noqa: F401 - a fixture, used by name
