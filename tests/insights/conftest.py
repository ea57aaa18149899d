"""Reuse the API tests' database, app, client and people (see `tests/api/conftest.py`)."""

import pytest

from api.services.insights_queries import forget_whole_history_insights
from tests.api.conftest import _empty_tables, app, client, database, people  # noqa: F401


@pytest.fixture(autouse=True)
def _forget_cached_insights() -> None:
    """Emptied tables may hand out the same event ids again: start each test without cached insights."""
    forget_whole_history_insights()
