"""The async engine and sessions. Services `flush()`; the request scope commits or rolls back.

Every wait on the database is bounded (`api.settings.DatabaseTimeouts`): connecting, each statement on
PostgreSQL, and a free connection of the pool; a connection that died is replaced on its next checkout
(a ping before use; on PostgreSQL once it has waited a second in the pool), so the server recovers by itself
when the database comes back. On SQLite, the writers of
one server take turns in memory (`Database.writers`) and wait for another process's writer up to the busy
timeout, so concurrent requests queue instead of failing with "database is locked".
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy import event, exc, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from api.settings import DatabaseTimeouts, is_sqlite

log = logging.getLogger("waymark.db")


class Database:
    """One engine and its session factory, for the life of the app."""

    def __init__(
        self,
        *,
        url: str,
        engine_options: dict[str, Any] | None = None,
        timeouts: DatabaseTimeouts | None = None,
    ) -> None:
        self.url = url
        self.engine_options = dict(engine_options or {})
        self.timeouts = timeouts or DatabaseTimeouts()
        self.engine: AsyncEngine = create_engine(url=url, options=engine_options, timeouts=self.timeouts)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._checks: set[asyncio.Task[bool]] = set()
        self.reads_outside_transactions = not is_sqlite(url)
        """PostgreSQL: a request that only reads runs its statements outside a transaction (`UnitOfWork`)."""
        self.writers: asyncio.Lock | None = asyncio.Lock() if is_sqlite(url) else None
        """SQLite: held by the one request of this server that writes; None on PostgreSQL (row locks)."""
        self.wait_seconds = self.timeouts.sqlite_busy_seconds if is_sqlite(url) else self.timeouts.statement_seconds
        """The longest one piece of a request's database work may wait before the database counts as unavailable:
        on PostgreSQL the statement timeout (a partition is reported within it); on SQLite, whose file cannot be
        partitioned away, the busy timeout (a writer may queue behind another process's)."""

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
        """Whether the database answers `SELECT 1` within the connect and statement timeouts.

        The check runs as a task that is left to clean up on its own when it is late: closing a connection to a
        partitioned database can itself take seconds, and /readyz must answer before that."""
        check = asyncio.ensure_future(self._select_one())
        self._checks.add(check)
        check.add_done_callback(self._checks.discard)
        done, _ = await asyncio.wait(
            {check}, timeout=self.timeouts.connect_seconds + self.timeouts.statement_seconds / 2
        )
        if check not in done:
            check.cancel()
            log.warning("database unreachable: no answer to SELECT 1 in time")
            return False
        return check.result()

    async def _select_one(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:  # unreachable, whatever the reason: /readyz says so
            log.warning("database unreachable: %s", type(error).__name__)
            return False
        return True

    def separate_engine(self) -> AsyncEngine:
        """An engine of its own on the same database, holding no pooled connections: for background work
        (watching for new versions) that should neither take the requests' connections nor be counted as
        theirs."""
        return create_engine(
            url=self.url, options={**self.engine_options, "poolclass": NullPool}, timeouts=self.timeouts
        )

    async def dispose(self) -> None:
        await self.engine.dispose()


PING_AFTER_IDLE_SECONDS = 1.0
"""On PostgreSQL, a pooled connection is tested before use when it has waited in the pool this long."""


def create_engine(
    *, url: str, options: dict[str, Any] | None = None, timeouts: DatabaseTimeouts | None = None
) -> AsyncEngine:
    """An engine that tests a pooled connection before handing it out, so that a server recovers by itself when
    the database comes back: every time on SQLite (a call in the process); on PostgreSQL only after the
    connection has waited `PING_AFTER_IDLE_SECONDS` in the pool (a round trip saved on each request of a busy
    server; should the database restart under one, its first statement fails as "unavailable", and the pool's
    older connections are dropped with it)."""
    timeouts = timeouts or DatabaseTimeouts()
    options = dict(options or {})
    ping_when_idle = not is_sqlite(url) and "pool_pre_ping" not in options
    options.setdefault("pool_pre_ping", not ping_when_idle)
    pooled = "poolclass" not in options  # a NullPool takes no pool sizes
    if is_sqlite(url):
        connect_args = {"timeout": timeouts.sqlite_busy_seconds}
        if ":memory:" not in url and pooled:
            # Requests hold their connection while they wait for the writers' turn; a small pool would make
            # readers wait behind them.
            options.setdefault("pool_size", 20)
            options.setdefault("max_overflow", 40)
            options.setdefault("pool_timeout", timeouts.sqlite_busy_seconds)
    else:
        connect_args = {"timeout": timeouts.connect_seconds, "command_timeout": timeouts.statement_seconds}
        if pooled:
            options.setdefault("pool_timeout", timeouts.pool_seconds)
            # the connection returned last is handed out first: under steady load the same few stay in use
            # (and unpinged), and the others wait at the bottom of the pool until they are needed
            options.setdefault("pool_use_lifo", True)
    options["connect_args"] = {**connect_args, **options.get("connect_args", {})}
    engine = create_async_engine(url, **options)
    if ping_when_idle and pooled:
        _ping_after_idle(engine)
    if is_sqlite(url):
        busy_ms = int(timeouts.sqlite_busy_seconds * 1000)
        event.listen(engine.sync_engine, "connect", lambda connection, _record: _sqlite_pragmas(connection, busy_ms))
    return engine


def _ping_after_idle(engine: AsyncEngine) -> None:
    """SQLAlchemy's pre-ping, for connections that waited in the pool (its "custom pessimistic ping" recipe): a
    connection that fails it is replaced, as `pool_pre_ping` replaces it."""
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    @event.listens_for(pool, "checkin")
    def returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get(_RETURNED_AT)
        if returned_at is None or time.monotonic() - returned_at < PING_AFTER_IDLE_SECONDS:
            return  # new, or back in the pool a moment ago
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if not dialect.is_disconnect(error, dbapi_connection, None):
                raise
            alive = False
        if not alive:  # as the pre-ping: this connection and the pool's older ones are replaced
            raise exc.InvalidatePoolError("the connection was closed while it waited in the pool")


_RETURNED_AT = "waymark.returned_at"


def _sqlite_pragmas(dbapi_connection: Any, busy_ms: int) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.close()


UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    exc.OperationalError,
    exc.InterfaceError,
    exc.TimeoutError,
    TimeoutError,
    ConnectionError,
    OSError,
    # asyncpg's own, from reads it runs directly (`api.db.batches.BatchRead`): a lost or refused connection,
    # a server shutting down, a connection closed under the read
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.InterfaceError,
)


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database could not be reached or did not answer in time (not a bug of ours)."""
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, UNAVAILABLE_ERRORS)
