"""Medians of interleaved runs (wall and Python CPU), and the database round trips a request makes."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass
class Samples:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall * 1000)
        self.cpu.append(cpu * 1000)

    @property
    def wall_ms(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_ms(self) -> float:
        return statistics.median(self.cpu)


async def timed(action: Callable[[], Awaitable[Any]], samples: Samples) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    value = await action()
    samples.add(time.perf_counter() - wall, time.process_time() - cpu)
    return value


async def interleaved(
    api: Callable[[], Awaitable[Any]], floor: Callable[[], Awaitable[Any]], *, iterations: int
) -> tuple[Samples, Samples]:
    """Both `iterations` times, alternating which goes first, after one warm-up run of each."""
    await api()
    await floor()
    api_samples, floor_samples = Samples(), Samples()
    for index in range(iterations):
        pair = [(api, api_samples), (floor, floor_samples)]
        for action, samples in pair if index % 2 == 0 else reversed(pair):
            await timed(action, samples)
    return api_samples, floor_samples


@dataclass
class RoundTrips:
    statements: int = 0
    transactions: int = 0
    """BEGIN, COMMIT and ROLLBACK: each a round trip of its own with asyncpg; none for a connection outside
    transactions (`AUTOCOMMIT`, a query's on PostgreSQL)."""

    @property
    def total(self) -> int:
        return self.statements + self.transactions


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[RoundTrips]:
    trips = RoundTrips()

    def statement(*_: Any) -> None:
        trips.statements += 1

    def transaction(connection: Any, *_: Any) -> None:
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            trips.transactions += 1

    sync = engine.sync_engine
    hooks = [("before_cursor_execute", statement), ("begin", transaction)]
    hooks += [("commit", transaction), ("rollback", transaction)]
    for name, hook in hooks:
        event.listen(sync, name, hook)
    try:
        yield trips
    finally:
        for name, hook in hooks:
            event.remove(sync, name, hook)
