"""Alembic, configured in code so migrations run from an installed package without an alembic.ini."""

from __future__ import annotations

import asyncio
import fcntl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(*, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


# Any fixed number: the PostgreSQL advisory lock that lets one server at a time migrate.
_MIGRATION_LOCK = 7_106_277


async def upgrade(engine: AsyncEngine, *, revision: str = "head") -> None:
    """Upgrade the database behind `engine` to `revision`.

    Several workers may start at once against a fresh database: each waits for the one migrating, then
    finds nothing left to do.
    """
    sqlite_file = engine.url.database if engine.dialect.name == "sqlite" else None
    async with _file_lock(sqlite_file), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        await connection.run_sync(_upgrade, revision)


@asynccontextmanager
async def _file_lock(database: str | None) -> AsyncIterator[None]:
    """An exclusive lock beside an SQLite file (SQLite runs DDL outside the transaction's lock).

    Waited for in a thread, so engines in the same process (tests, the demo) queue without blocking the loop.
    """
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a") as lock:
        await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as connection:
        return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())


def _upgrade(connection: Connection, revision: str) -> None:
    command.upgrade(alembic_config(connection=connection), revision)
