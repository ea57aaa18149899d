"""Reuse the API tests' database, app, client and people (see `tests/api/conftest.py`)."""

from tests.api.conftest import _empty_tables, app, client, database, people  # noqa: F401
