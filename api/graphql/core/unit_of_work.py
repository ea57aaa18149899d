"""One request's database work: the one place that takes turns on the session, retries a write that lost a
race, and commits or rolls back; and where a database that cannot be reached becomes `ServiceUnavailable`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from api.db.batches import done_outside_transactions, read_outside_transactions
from api.db.deadlines import database_bound
from api.db.session import database_unavailable

T = TypeVar("T")
log = logging.getLogger("waymark.db")


class ServiceUnavailable(Exception):
    """The database could not be reached or did not answer in time; nothing of the request was saved."""

    code = "SERVICE_UNAVAILABLE"
    message = "the service is unavailable: its database did not answer in time; nothing was changed, try again"

    def __init__(self) -> None:
        super().__init__(self.message)
        self.extensions: dict[str, Any] = {"code": self.code}


class RequestFinished(RuntimeError):
    """The request has answered and its session is closed: work still scheduled then has nobody to answer to.

    graphql-core answers as soon as an error nulls the whole result, while loaders of other fields may still be
    queued; they get this instead of a closed session."""


class UnitOfWork:
    """The request's session, used by one resolver at a time (resolvers run concurrently; an AsyncSession
    runs one statement at a time).

    `writers` (SQLite only) is the server's turn to write: taken before the request's first write and held
    until it commits or rolls back, so one write transaction at a time asks SQLite for its lock.

    `wait_seconds` bounds each piece of database work (checking out a connection, testing it, the statements):
    past it the database counts as unavailable. The driver's own timeouts bound single waits; this bounds
    their sum, so a partitioned database is reported within it, not after a connect, a ping and a retry.

    `reads_outside_transactions` (PostgreSQL): once the request is known to only read (`reads_only`, a query
    operation), its statements run outside a transaction, without the BEGIN and COMMIT round trips. Under
    PostgreSQL's READ COMMITTED each statement sees the data committed when it starts, in a transaction or not,
    so the answer is the same."""

    def __init__(
        self,
        session: AsyncSession,
        *,
        writers: asyncio.Lock | None = None,
        wait_seconds: float | None = None,
        reads_outside_transactions: bool = False,
    ) -> None:
        self.session = session
        self.wait_seconds = wait_seconds
        self._may_read_outside = reads_outside_transactions
        self._reads_only = False
        self._turn = asyncio.Lock()
        self._wrote = False
        self._writers = writers
        self._writing = False
        self._finished = False
        self._broken = False
        self._after_commit: list[Callable[[], None]] = []

    def after_commit(self, effect: Callable[[], None]) -> None:
        """Run `effect` once the request's work is committed (never if it is rolled back)."""
        self._after_commit.append(effect)

    def reads_only(self) -> None:
        """The request will only read. Taken into account before its first statement only: a request that has
        read already (its token, say) goes on in its transaction."""
        if self._may_read_outside and not self.session.in_transaction():
            self._reads_only = True

    async def read(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run `work` with the session to itself."""
        async with self._turn:
            self._check_open()
            if self._reads_only and not self.session.in_transaction():
                await self._reaching_the_database(read_outside_transactions)
            return await self._reaching_the_database(work)

    async def write(self, work: Callable[[AsyncSession], Awaitable[T]], *, succeeded: Callable[[T], bool]) -> T:
        """Run a change; should a concurrent change still slip past the deal lock, run it again on fresh state.

        The rerun sees the other change, so it answers as it would have after it: `VersionConflict` for a stale
        `expectedVersion`, success for an idempotent completion. Not when an earlier change of this request
        already wrote: the rollback would undo that, so the whole request fails instead. `succeeded` tells a
        result that changed the database from an expected failure that changed nothing.
        """
        async with self._turn:
            self._check_open()
            if self._reads_only:
                raise RuntimeError("this request was said to only read")
            if self._writers is not None and not self._writing:
                await self._writers.acquire()
                self._writing = True
            try:
                result = await self._reaching_the_database(work)
            except (StaleDataError, IntegrityError):
                if self._wrote:
                    raise
                await self.session.rollback()
                result = await self._reaching_the_database(work)
            self._wrote = self._wrote or succeeded(result)
            return result

    async def _reaching_the_database(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        try:
            async with database_bound(self.wait_seconds):
                return await work(self.session)
        except Exception as error:
            if database_unavailable(error):
                self._broken = True
                if type(error) is TimeoutError:  # this unit's own bound: the database, or the server, too slow
                    log.warning(
                        "a request's database work took over %s s: the database did not answer in time, or this "
                        "server was too busy to take its answer (a connection of the pool, its event loop)",
                        self.wait_seconds,
                    )
                else:
                    log.warning("database unavailable during a request: %s: %s", type(error).__name__, error)
                raise ServiceUnavailable from error
            raise

    async def finish(self, *, failed: bool) -> None:
        """Commit the request's work, or roll it back when the request failed; then release the session; then
        run what waited for the commit.

        Only the first call does anything; it waits for a statement in progress (closing the session under it
        would break it). A commit the database does not take is `ServiceUnavailable`; a session whose
        connection failed is dropped without a rollback (the database rolls back on its own)."""
        if self._finished:
            return
        async with self._turn:
            await self._end(failed=failed)
        if not failed and not self._broken:
            for effect in self._after_commit:
                effect()

    async def _end(self, *, failed: bool) -> None:
        if self._finished:
            return
        self._finished = True
        if not self._broken and not self.session.in_transaction():
            self._release_writers()  # nothing was read or written (a known token, say): nothing to end
            return
        done_outside_transactions(self.session)
        try:
            if self._reads_only:
                pass  # it read outside transactions: there is nothing to commit or roll back, only to close
            elif failed and not self._broken:
                await self._roll_back()
            elif not self._broken:
                await self._reaching_the_database(lambda session: session.commit())
        finally:
            try:
                if self._broken:
                    _in_background(self.session.invalidate())  # a dead connection may take seconds to close
                else:
                    await self.session.close()
            finally:
                self._release_writers()

    async def _roll_back(self) -> None:
        try:
            await self.session.rollback()
        except Exception as error:
            if not database_unavailable(error):
                raise
            self._broken = True  # the request failed already; the database drops the transaction on its own

    async def abandon(self) -> None:
        """End a request that was stopped part way (its time ran out): nothing it did is kept."""
        if self._finished:
            return
        self._broken = True
        await self._end(failed=True)

    def _check_open(self) -> None:
        if self._finished:
            raise RequestFinished("the request has already answered; its session is closed")

    def _release_writers(self) -> None:
        if self._writing and self._writers is not None:
            self._writing = False
            self._writers.release()


_closing: set[asyncio.Task[None]] = set()


def _in_background(closing: Awaitable[None]) -> None:
    async def close() -> None:
        try:
            await closing
        except Exception as error:  # the connection was dead already; nothing is lost
            log.info("closing a broken database connection: %s", type(error).__name__)

    task = asyncio.ensure_future(close())
    _closing.add(task)
    task.add_done_callback(_closing.discard)
