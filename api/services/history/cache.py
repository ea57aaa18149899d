"""The one cache of figures computed from the whole recorded history, reused while the history is unchanged.

Every change to a deal, its stage, its milestones or its owner records an event, so the newest event's id
and time (one indexed statement: `history_stamp`) tell whether anything changed. Keyed per database, so
several servers sharing one database each stay correct: each reads the stamp before using its copy.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from api.db.models import DealEvent
from api.process import Process

T = TypeVar("T")


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


class HistoryCache:
    """Answers by (database, question), each valid while the process and the history stamp are the same."""

    def __init__(self, *, limit: int = 1024) -> None:
        self._entries: dict[tuple[int, Hashable], _Entry] = {}
        self._limit = limit

    async def get(
        self, session: AsyncSession, *, question: Hashable, process: Process, compute: Callable[[], Awaitable[T]]
    ) -> T:
        """The cached answer to `question` about `process`, or `compute()`'s, remembered."""
        engine = session.get_bind()
        key = (id(engine), question)
        stamp = await history_stamp(session)
        entry = self._entries.get(key)
        if entry is not None and entry.engine is engine and entry.process is process and entry.stamp == stamp:
            value: T = entry.value
            return value
        value = await compute()
        if len(self._entries) >= self._limit:
            self._entries.pop(next(iter(self._entries)))  # the oldest
        self._entries[key] = _Entry(engine=engine, process=process, stamp=stamp, value=value)
        return value

    def forget(self) -> None:
        """Drop every answer (benchmarks measuring the cold path, tests rewriting history in place)."""
        self._entries.clear()


history_cache = HistoryCache()
