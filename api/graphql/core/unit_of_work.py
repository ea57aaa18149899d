"""One request's database work: the one place that takes turns on the session, retries a write that lost a
race, and commits or rolls back."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

T = TypeVar("T")


class RequestFinished(RuntimeError):
    """The request has answered and its session is closed: work still scheduled then has nobody to answer to.

    graphql-core answers as soon as an error nulls the whole result, while loaders of other fields may still be
    queued; they get this instead of a closed session."""


class UnitOfWork:
    """The request's session, used by one resolver at a time (resolvers run concurrently; an AsyncSession
    runs one statement at a time)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._turn = asyncio.Lock()
        self._wrote = False
        self._finished = False
        self._after_commit: list[Callable[[], None]] = []

    def after_commit(self, effect: Callable[[], None]) -> None:
        """Run `effect` once the request's work is committed (never if it is rolled back)."""
        self._after_commit.append(effect)

    async def read(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run `work` with the session to itself."""
        async with self._turn:
            self._check_open()
            return await work(self.session)

    async def write(self, work: Callable[[AsyncSession], Awaitable[T]], *, succeeded: Callable[[T], bool]) -> T:
        """Run a change; should a concurrent change still slip past the deal lock, run it again on fresh state.

        The rerun sees the other change, so it answers as it would have after it: `VersionConflict` for a stale
        `expectedVersion`, success for an idempotent completion. Not when an earlier change of this request
        already wrote: the rollback would undo that, so the whole request fails instead. `succeeded` tells a
        result that changed the database from an expected failure that changed nothing.
        """
        async with self._turn:
            self._check_open()
            try:
                result = await work(self.session)
            except (StaleDataError, IntegrityError):
                if self._wrote:
                    raise
                await self.session.rollback()
                result = await work(self.session)
            self._wrote = self._wrote or succeeded(result)
            return result

    async def finish(self, *, failed: bool) -> None:
        """Commit the request's work, or roll it back when the request failed; then release the session;
        then run what waited for the commit.

        Waits for a statement in progress (closing the session under it would break it), and refuses work after."""
        async with self._turn:
            self._finished = True
            try:
                if failed:
                    await self.session.rollback()
                else:
                    await self.session.commit()
            finally:
                await self.session.close()
        if not failed:
            for effect in self._after_commit:
                effect()

    def _check_open(self) -> None:
        if self._finished:
            raise RequestFinished("the request has already answered; its session is closed")
