"""The one cache of figures computed from the whole recorded history, reused while the history is unchanged,
and refreshed in the background once it has changed.

Every change to a deal, its stage, its milestones or its owner records an event, so the newest event's id
and time (one indexed statement: `history_stamp`) tell whether anything changed. Keyed per database, so
several servers sharing one database each stay correct: each reads the stamp before using its copy.

After an event, a request is not made to wait for the history to be measured again (seconds at 100,000 deals):
it gets the figures measured before the event, and the server measures them again in the background, on a
session of its own; the requests after that get the new ones. The whole-history questions (what admins and
enablement are shown) are measured ahead, when a server starts serving a version (`measure_ahead`, a request
asking meanwhile waits for that measure rather than starting its own). Only a question never answered yet is
answered on the request path: a rep's or a team's first (milliseconds), and the first of a new day, whose
learning window has moved.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from api.db.deadlines import wait_for_shared_work
from api.db.models import DealEvent
from api.process import Process

T = TypeVar("T")
log = logging.getLogger("waymark.history")


_STAMP = "waymark.history_stamp"


async def history_stamp(session: AsyncSession) -> tuple[Any, ...]:
    """One indexed statement: the newest event's id and time. Read once per transaction until it writes:
    every figure a request computes from history then agrees with every other."""
    stamp: tuple[Any, ...] | None = session.info.get(_STAMP)
    if stamp is None:
        newest = select(DealEvent.id, DealEvent.occurred_at).order_by(DealEvent.id.desc()).limit(1)
        stamp = session.info[_STAMP] = tuple((await session.execute(newest)).all())
    return stamp


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _history_may_have_changed(session: Session, *_: Any) -> None:
    session.info.pop(_STAMP, None)


@dataclass(frozen=True, slots=True)
class _Entry:
    engine: object
    process: Process
    stamp: tuple[Any, ...]
    value: Any


Compute = Callable[[AsyncSession], Awaitable[T]]


@dataclass(frozen=True, slots=True)
class Question(Generic[T]):
    """A question about a process's history, and how to answer it."""

    question: Hashable
    process: Process
    compute: Compute[T]


class HistoryCache:
    """Answers by (database, question), each current while the process and the history stamp are the same."""

    def __init__(self, *, limit: int = 1024) -> None:
        self._entries: dict[tuple[int, Hashable], _Entry] = {}
        self._limit = limit
        self._refreshing: dict[tuple[int, Hashable], asyncio.Task[None]] = {}

    async def get(self, session: AsyncSession, *, question: Hashable, process: Process, compute: Compute[T]) -> T:
        """The answer to `question` about `process`: `compute(session)`'s, remembered; once the history has
        changed, the one remembered, while it is computed again in the background. A question being measured in
        the background for the first time (`measure_ahead`) is waited for, not measured twice."""
        engine = session.get_bind()
        key = (id(engine), question)
        stamp = await history_stamp(session)
        entry = self._entries.get(key)
        if (entry is None or entry.process is not process) and key in self._refreshing:
            # not the request's own database work: its bound is paused. A request that gives up (its time limit,
            # a client gone) leaves the measure running
            await wait_for_shared_work({self._refreshing[key]})
            entry = self._entries.get(key)
        if entry is not None and entry.engine is engine and entry.process is process:
            if entry.stamp != stamp and session.bind is not None:
                self._refresh(key, session.bind, process=process, compute=compute)
            value: T = entry.value
            return value
        value = await compute(session)
        self._remember(key, _Entry(engine=engine, process=process, stamp=stamp, value=value))
        return value

    def measure_ahead(self, bind: Any, questions: Sequence[Question[Any]]) -> None:
        """Answer `questions` in the background, one after another on sessions of their own (each may hold a
        connection for seconds at 100,000 deals), skipping those answered for their process already: so that
        the first request to ask one does not measure it. A request asking one meanwhile waits for the lot."""
        engine = id(bind.sync_engine)
        wanted = [((engine, q.question), q) for q in questions if not self._answers((engine, q.question), q.process)]
        if not wanted:
            return

        async def measure_all() -> None:
            for key, asked in wanted:
                running = self._refreshing.get(key)
                if running is not None and running is not asyncio.current_task():
                    await asyncio.wait({running})
                if self._answers(key, asked.process):
                    continue
                try:
                    await self._measure(key, bind, process=asked.process, compute=asked.compute)
                except Exception:  # the request that asks will measure it on its path; the next ones go on
                    log.exception("measuring the history ahead failed")

        task = asyncio.get_running_loop().create_task(measure_all())
        keys = [key for key, _ in wanted if self._refreshing.setdefault(key, task) is task]
        task.add_done_callback(lambda done: self._refreshed(keys, done))

    def _answers(self, key: tuple[int, Hashable], process: Process) -> bool:
        entry = self._entries.get(key)
        return entry is not None and entry.process is process

    def _refresh(self, key: tuple[int, Hashable], bind: Any, *, process: Process, compute: Compute[T]) -> None:
        if key in self._refreshing:
            return
        task = asyncio.get_running_loop().create_task(self._measure(key, bind, process=process, compute=compute))
        self._refreshing[key] = task
        task.add_done_callback(lambda done: self._refreshed([key], done))

    async def _measure(self, key: tuple[int, Hashable], bind: Any, *, process: Process, compute: Compute[T]) -> None:
        async with AsyncSession(bind, expire_on_commit=False) as session:
            stamp = await history_stamp(session)  # read in the transaction that computes
            value = await compute(session)
            engine = session.get_bind()
        self._remember(key, _Entry(engine=engine, process=process, stamp=stamp, value=value))

    def _refreshed(self, keys: list[tuple[int, Hashable]], task: asyncio.Task[None]) -> None:
        for key in keys:
            if self._refreshing.get(key) is task:
                del self._refreshing[key]
        if not task.cancelled() and task.exception() is not None:
            log.error("measuring the history again failed", exc_info=task.exception())

    def _remember(self, key: tuple[int, Hashable], entry: _Entry) -> None:
        self._entries.pop(key, None)
        if len(self._entries) >= self._limit:
            self._entries.pop(next(iter(self._entries)))  # the oldest
        self._entries[key] = entry

    async def settle(self) -> None:
        """Wait for the refreshes under way (a server stopping, a test or benchmark that needs them done)."""
        while self._refreshing:
            await asyncio.wait(set(self._refreshing.values()))

    def forget(self) -> None:
        """Drop every answer (benchmarks measuring the cold path, tests rewriting history in place)."""
        self._entries.clear()


history_cache = HistoryCache()
