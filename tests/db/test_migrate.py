"""Migrations as servers run them on start: several workers at once against a fresh database."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from api.db import upgrade
from api.db.migrate import current_revision
from api.db.models import Base
from tests.prerequisites import POSTGRES_URL, require_postgres


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_workers_starting_together_on_a_fresh_sqlite_file_all_come_up(tmp_path: Path) -> None:
    # given: four workers, each with its own engine, as uvicorn --workers 4 would have
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}"
    engines = [create_async_engine(url) for _ in range(4)]
    try:
        # when
        await asyncio.gather(*(upgrade(engine) for engine in engines))

        # then
        assert await _tables(engines[0]) >= {t.name for t in Base.metadata.sorted_tables}
        assert await current_revision(engines[0]) is not None
    finally:
        for engine in engines:
            await engine.dispose()


async def test_workers_starting_together_on_a_fresh_postgresql_schema_all_come_up() -> None:
    await require_postgres()
    schema = f"waymark_migrate_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(POSTGRES_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    options = {"connect_args": {"server_settings": {"search_path": schema}}}
    engines = [create_async_engine(POSTGRES_URL, **options) for _ in range(4)]
    try:
        await asyncio.gather(*(upgrade(engine) for engine in engines))

        assert await _tables(engines[0]) >= {t.name for t in Base.metadata.sorted_tables}
        assert await current_revision(engines[0]) is not None
    finally:
        for engine in engines:
            await engine.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()
