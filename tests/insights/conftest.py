"""Reuse the API tests' database, app, client and people (see `tests/api/conftest.py`)."""

import pytest

from api.services.history.cache import history_cache
from tests.api.conftest import _empty_tables, app, client, database, people  # noqa: F401


@pytest.fixture(autouse=True)
def _forget_cached_insights() -> None:
    """Emptied tables may hand out the same event ids again: start each test without cached insights."""
    history_cache.forget()
