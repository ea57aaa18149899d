"""The async engine and sessions. Services `flush()`; the request scope commits or rolls back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from api.settings import is_sqlite


class Database:
    """One engine and its session factory, for the life of the app."""

    def __init__(self, *, url: str, engine_options: dict[str, Any] | None = None) -> None:
        self.url = url
        self.engine_options = dict(engine_options or {})
        self.engine: AsyncEngine = create_engine(url=url, options=engine_options)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session that commits when the block ends normally and rolls back when it raises."""
        async with self.sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def is_reachable(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def separate_engine(self) -> AsyncEngine:
        """An engine of its own on the same database, holding no pooled connections: for background work
        (watching for new versions) that should neither take the requests' connections nor be counted as
        theirs."""
        return create_engine(url=self.url, options={**self.engine_options, "poolclass": NullPool})

    async def dispose(self) -> None:
        await self.engine.dispose()


def create_engine(*, url: str, options: dict[str, Any] | None = None) -> AsyncEngine:
    engine = create_async_engine(url, **(options or {}))
    if is_sqlite(url):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
