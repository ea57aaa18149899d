"""Fixtures for the hardening tests: the API tests' databases (SQLite and PostgreSQL, each emptied before every
test) and people, and an app serving the shipped process definitions, whose size the cost limit is measured
against."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from api.db import Database
from tests.api.conftest import _empty_tables, app, client, database, people, started_app  # noqa: F401  (fixtures)

SHIPPED_DEFINITIONS = Path(__file__).resolve().parents[2] / "process_definitions"


@pytest.fixture
async def shipped_app(database: Database) -> AsyncIterator[Starlette]:  # noqa: F811
    """Publishes the shipped folder (each test starts from the fixture's version 1) and serves it."""
    async for started in started_app(database=database, process_dir=SHIPPED_DEFINITIONS):
        yield started


@pytest.fixture
async def shipped_client(shipped_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=shipped_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://waymark.test") as shipped:
        yield shipped
