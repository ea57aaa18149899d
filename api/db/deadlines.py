"""The bound on one piece of a request's database work, and waits that do not count against it.

A request's database work is bounded (`UnitOfWork`): past the bound the database counts as unavailable. Some
waits inside that work are not the database's: a request that asks for figures the server is measuring for
everyone in the background (`api.services.history.cache`) waits for that measure instead of starting its own.
Such a wait pauses the bound; the request's own time limit (`WAYMARK_REQUEST_TIMEOUT_SECONDS`) still applies.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from contextvars import ContextVar

_bound: ContextVar[tuple[asyncio.Task[object] | None, asyncio.Timeout] | None] = ContextVar(
    "waymark_database_bound", default=None
)
"""The bound of the block under way, with the task it belongs to: a task started inside the block (a loader's,
a measure in the background) inherits the variable, not the bound."""


@asynccontextmanager
async def database_bound(seconds: float | None) -> AsyncIterator[None]:
    """`asyncio.timeout(seconds)` over the block, which `wait_for_shared_work` can pause."""
    async with asyncio.timeout(seconds) as bound:
        token = _bound.set((asyncio.current_task(), bound))
        try:
            yield
        finally:
            _bound.reset(token)


async def wait_for_shared_work(tasks: Collection[asyncio.Future[None]]) -> None:
    """`asyncio.wait(tasks)`, with the current database bound paused meanwhile: the time left of it is what is
    left after the wait. Giving up (a cancelled request) leaves the tasks running."""
    current = _bound.get()
    bound = current[1] if current is not None and current[0] is asyncio.current_task() else None
    deadline = None if bound is None else bound.when()
    if bound is None or deadline is None or bound.expired():
        await asyncio.wait(tasks)
        return
    loop = asyncio.get_running_loop()
    left = deadline - loop.time()
    bound.reschedule(None)
    try:
        await asyncio.wait(tasks)
    finally:
        bound.reschedule(loop.time() + max(left, 0.0))
