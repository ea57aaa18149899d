"""Migration 0005 (the deals page indexes) upgrades a database the previous release made, full of deals and
their history, without changing a row; and downgrades again."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from api.db import upgrade
from api.db.migrate import alembic_config, current_revision
from api.db.models import PAGE_INDEXES
from api.process import load_definitions
from api.seed.seeding import seed_database
from tests.prerequisites import POSTGRES_URL, require_postgres

DEFINITIONS = Path(__file__).resolve().parents[2] / "process_definitions"
TABLES = ("deals", "deal_events", "milestone_completions", "users", "teams")
PREVIOUS_RELEASE = "0004"


@pytest.fixture(params=["sqlite", "postgresql"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'previous.sqlite3'}")
        yield engine
        await engine.dispose()
        return
    await require_postgres()
    schema = f"waymark_migrate_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(POSTGRES_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_async_engine(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
    try:
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def _rows(engine: AsyncEngine) -> dict[str, list[Any]]:
    async with engine.connect() as connection:
        return {
            table: [tuple(row) for row in await connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
            for table in TABLES
        }


async def _deal_indexes(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        indexes = await connection.run_sync(lambda sync: inspect(sync).get_indexes("deals"))
    return {index["name"] for index in indexes}


async def test_a_database_of_the_previous_release_upgrades_without_losing_or_rewriting_history(engine):
    # given: the previous release's schema, with two years of deals and events
    await upgrade(engine, revision=PREVIOUS_RELEASE)
    process = load_definitions(DEFINITIONS).processes[0]
    await seed_database(engine, process=process, deals=300, seed=3)
    before = await _rows(engine)
    page_indexes = {index.name for index in PAGE_INDEXES}
    assert not page_indexes & await _deal_indexes(engine)

    # when
    await upgrade(engine)

    # then
    assert await current_revision(engine) == "0005"
    assert page_indexes <= await _deal_indexes(engine)
    after = await _rows(engine)
    assert after == before
    assert len(before["deals"]) == 300
    assert len(before["deal_events"]) > 300


async def test_downgrading_drops_only_the_page_indexes(engine):
    # given
    await upgrade(engine)
    process = load_definitions(DEFINITIONS).processes[0]
    await seed_database(engine, process=process, deals=50, seed=4)
    before = await _rows(engine)

    # when
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(connection=sync), PREVIOUS_RELEASE))

    # then
    assert await current_revision(engine) == PREVIOUS_RELEASE
    assert not {index.name for index in PAGE_INDEXES} & await _deal_indexes(engine)
    assert await _rows(engine) == before
