"""The index the history walks read each deal's events by, in time order, exists however a database is made
(migrations, as `waymark db upgrade` and the app on start do; or the models' metadata), and the migrations
describe exactly the models, so autogenerate finds nothing to add."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from api.db import Database, upgrade
from api.db.models import OPEN_FIRST_INDEXES, Base

WALK_INDEX = {"name": "ix_deal_events_deal_id_occurred_at_id", "column_names": ["deal_id", "occurred_at", "id"]}


async def _deal_event_indexes(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        indexes = await connection.run_sync(lambda sync: inspect(sync).get_indexes("deal_events"))
    return [{"name": i["name"], "column_names": i["column_names"]} for i in indexes]


async def test_upgrading_a_new_sqlite_file_creates_the_history_walk_index(tmp_path: Path) -> None:
    # given
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'new.sqlite3'}")
    try:
        # when
        await upgrade(engine)

        # then
        assert WALK_INDEX in await _deal_event_indexes(engine)
    finally:
        await engine.dispose()


async def test_upgrading_from_the_first_revision_adds_the_index(tmp_path: Path) -> None:
    # given: a database an older release migrated
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        await upgrade(engine, revision="0001")
        assert WALK_INDEX not in await _deal_event_indexes(engine)

        # when
        await upgrade(engine)

        # then
        assert WALK_INDEX in await _deal_event_indexes(engine)
    finally:
        await engine.dispose()


async def test_a_schema_made_from_the_models_has_the_index(tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'metadata.sqlite3'}")
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)

        assert WALK_INDEX in await _deal_event_indexes(engine)
    finally:
        await engine.dispose()


EXPRESSION_INDEXES = {index.name for index in OPEN_FIRST_INDEXES}
"""Alembic cannot compare indexes on an expression (it skips them on SQLite, and on PostgreSQL reads the
expression back as `(status)::text = 'open'::text`): these are checked by name and definition instead."""


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "include_object": lambda _o, name, *_: name not in EXPRESSION_INDEXES},
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        return list(compare_metadata(context, Base.metadata))


def _expression_indexes(connection: Connection) -> dict[str, str]:
    if connection.dialect.name == "postgresql":
        query = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'deals'"
    else:
        query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deals'"
    rows = connection.exec_driver_sql(query)
    return {name: definition for name, definition in rows if name in EXPRESSION_INDEXES}


async def test_autogenerate_finds_no_difference_between_the_migrations_and_the_models(database: Database) -> None:
    # given: the test database, made by the migrations (SQLite and PostgreSQL)
    async with database.engine.connect() as connection:
        # when
        differences = await connection.run_sync(_differences)

    # then
    assert differences == []


async def test_the_migrations_make_the_open_first_indexes_on_the_models_expression(database: Database) -> None:
    # when
    async with database.engine.connect() as connection:
        indexes = await connection.run_sync(_expression_indexes)

    # then: every one, each on the open-first rank (whatever quoting the database writes it back with)
    assert set(indexes) == EXPRESSION_INDEXES
    for definition in indexes.values():
        bare = re.sub(r"[\s()]|::text", "", definition.lower())
        assert "casewhenstatus='open'then0else1end,close_date,id" in bare
