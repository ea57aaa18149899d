"""The API against its floor, side by side, on PostgreSQL databases of 10,000 and 100,000 seeded deals.

Run: `python -m tests.benchmarks.side_by_side [--sizes 10000 100000] [--iterations 30] [--http] [--reseed]`
(PostgreSQL at $WAYMARK_BENCH_POSTGRES, default postgres@127.0.0.1:5432; the databases `waymark_bench_<size>`
are seeded on first use and kept). `--http` adds requests/s over real HTTP with `hey` (`apt-get install hey`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from api.app import create_app
from api.db import Database
from api.garbage_collection import SERVER_THRESHOLDS
from api.graphql.core.ids import to_global_id
from api.services.history.cache import history_cache
from api.settings import Settings
from tests.benchmarks.side_by_side import documents, floor, floor_period
from tests.benchmarks.side_by_side.asgi import AsgiCaller
from tests.benchmarks.side_by_side.data import BenchDatabase, prepare
from tests.benchmarks.side_by_side.timing import RoundTrips, Samples, counting, interleaved

Action = Callable[[], Awaitable[Any]]
ONLY: list[str] = []
GC_THRESHOLDS: list[tuple[int, int, int] | None] = [SERVER_THRESHOLDS]


@dataclass
class Row:
    name: str
    size: int
    api: Samples
    floor: Samples
    trips: RoundTrips
    floor_trips: int
    same: bool

    def line(self) -> str:
        ratio = self.api.cpu_ms / self.floor.cpu_ms if self.floor.cpu_ms else float("nan")
        same = "" if self.same else "  JSON DIFFERS"
        return (
            f"{self.name:34} {self.size:>7,} | {self.api.wall_ms:8.1f} {self.api.cpu_ms:8.1f} | "
            f"{self.floor.wall_ms:7.1f} {self.floor.cpu_ms:7.1f} | {ratio:5.1f}x | "
            f"{self.trips.statements:>3} + {self.trips.transactions} | {self.floor_trips:>3}{same}"
            f"  (API p99 {_p99(self.api.wall):.1f}, slowest {max(self.api.wall):.1f})"
        )


def _p99(values: list[float]) -> float:
    """The 99th percentile (of 100 samples or more; of fewer, the slowest but one is as near as it gets)."""
    return statistics.quantiles(values, n=100, method="inclusive")[98] if len(values) > 1 else values[0]


HEADER = (
    f"{'request':34} {'deals':>7} | {'API wall':>8} {'API cpu':>8} | {'fl wall':>7} {'fl cpu':>7} | "
    f"{'cpu x':>6} | stmts+tx | floor"
)


class Bench:
    def __init__(self, db: BenchDatabase, app: AsgiCaller, database: Database, pool: asyncpg.Pool) -> None:
        self.db, self.app, self.database, self.pool = db, app, database, pool

    async def api(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None) -> bytes:
        """The response body, as the server sends it (its decoding is the client's cost, not the server's)."""
        return await self.app.post({"query": query, "variables": variables or {}}, token=token or self.db.admin_token)

    async def row(
        self,
        name: str,
        api: Action,
        on_floor: Callable[[asyncpg.Connection], Awaitable[Any]],
        *,
        iterations: int,
        compare: bool = True,
    ) -> Row | None:
        async def floor_action() -> Any:
            async with self.pool.acquire() as connection:
                return json.dumps({"data": await on_floor(connection)}).encode()

        if ONLY and not any(word in name for word in ONLY):
            return None
        expected, got = await api(), await floor_action()
        same = not compare or _normalised(expected) == _normalised(got)
        if not same:
            Path(f"/tmp/bench-{name.replace(' ', '_')}.json").write_text(
                json.dumps([_normalised(expected), _normalised(got)], indent=1, default=str)
            )
        with counting(self.database.engine) as trips:
            await api()
        floor_trips = await _floor_round_trips(self.pool, on_floor)
        # what the server measures in the background (its learned figures, after start or an event) is done
        # before a row is timed: a process's CPU clock counts it, in whichever request runs meanwhile
        await history_cache.settle()
        api_samples, floor_samples = await interleaved(api, floor_action, iterations=iterations)
        return Row(name, self.db.size, api_samples, floor_samples, trips, floor_trips, same)


def _normalised(body: bytes) -> Any:
    decoded = json.loads(body)
    assert "errors" not in decoded, decoded
    return decoded["data"]


class _Counting:
    """An asyncpg connection that counts the statements sent through it."""

    def __init__(self, connection: Any) -> None:
        self.connection, self.calls = connection, 0

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.connection, name)
        if name not in {"fetch", "fetchrow", "fetchval", "execute"}:
            return method

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return await method(*args, **kwargs)

        return counted


async def _floor_round_trips(pool: asyncpg.Pool, on_floor: Callable[[Any], Awaitable[Any]]) -> int:
    async with pool.acquire() as connection:
        counting_connection = _Counting(connection)
        await on_floor(counting_connection)
        return counting_connection.calls


async def run_size(size: int, *, iterations: int, reseed: bool) -> list[Row | None]:
    db = await prepare(size, reseed=reseed)
    database = db.database()
    settings = Settings(
        database_url=db.url,
        migrate_on_start=True,
        version_check_seconds=0,
        build_guide=False,
        gc_thresholds=GC_THRESHOLDS[0],
    )
    app = create_app(settings, database=database)
    rows: list[Row | None] = []
    async with app.router.lifespan_context(app):
        pool = await asyncpg.create_pool(db.dsn, min_size=1, max_size=2)
        try:
            bench = Bench(db, AsgiCaller(app), database, pool)
            definitions = app.state.served.current
            rows += await _requests(bench, definitions, iterations=iterations)
        finally:
            await pool.close()
    await database.dispose()
    return rows


async def _requests(bench: Bench, definitions: Any, *, iterations: int) -> list[Row | None]:
    db = bench.db
    async with bench.pool.acquire() as connection:
        deal_id = await connection.fetchval(
            "SELECT d.id FROM deals d WHERE d.status = 'won' AND EXISTS (SELECT 1 FROM deal_competitors k "
            "WHERE k.deal_id = d.id) ORDER BY d.id DESC LIMIT 1"
        )
        process_key = await connection.fetchval("SELECT process_key FROM deals LIMIT 1")
    deal_gid = to_global_id("Deal", deal_id)
    rows: list[Row | None] = [
        await bench.row(
            "board, OPEN, first 100",
            lambda: bench.api(documents.BOARD, documents.OPEN),
            lambda c: floor.board(c, definitions, db.admin_token, ("open",)),
            iterations=iterations,
        ),
        await bench.row(
            "board, no filter, first 100",
            lambda: bench.api(documents.BOARD),
            lambda c: floor.board(c, definitions, db.admin_token, ()),
            iterations=iterations,
        ),
        await bench.row(
            "deal page",
            lambda: bench.api(documents.DEAL_PAGE, {"id": deal_gid}),
            lambda c: floor.deal_page(c, definitions, db.admin_token, deal_id),
            iterations=iterations,
        ),
        await bench.row(
            "me { id }", lambda: bench.api(documents.ME), lambda c: floor.me(c, db.admin_token), iterations=iterations
        ),
    ]
    period = floor_period.PeriodFloor(definitions=definitions, database=bench.database)
    for who, token, rep in (("admin", db.admin_token, None), ("rep of 200", db.rep_token, db.rep_id)):
        rows.append(
            await bench.row(
                f"pipeline, {who}",
                lambda token=token: bench.api(documents.PIPELINE, token=token),
                lambda c, token=token, rep=rep: period.pipeline(c, token, rep),
                iterations=max(5, iterations // 3),
            )
        )
        rows.append(
            await bench.row(
                f"prioritizedDeals, {who}",
                lambda token=token: bench.api(documents.PRIORITIZED, token=token),
                lambda c, token=token, rep=rep: period.prioritized(c, token, rep),
                iterations=max(5, iterations // 3),
            )
        )
    rows.append(
        await bench.row(
            "processInsights, admin",
            lambda: bench.api(documents.INSIGHTS, {"process": process_key}),
            lambda c: period.insights(c, db.admin_token, process_key),
            iterations=max(5, iterations // 3),
        )
    )
    rows += await _after_an_event(bench, iterations=max(5, iterations // 3))
    return rows


NEW_EVENT = """INSERT INTO deal_events (deal_id, kind, actor_id, occurred_at, reason, changes)
SELECT d.id, 'updated', d.owner_id, now(), 'benchmark: an event', '{}' FROM deals d WHERE d.owner_id = $1 LIMIT 1"""


async def _after_an_event(bench: Bench, *, iterations: int) -> list[Row | None]:
    """A rep's requests right after a new event (the history's figures are measured again in the background),
    against the same requests with no new event; and the first request of a server (nothing measured yet)."""
    rows: list[Row | None] = []
    for name, query in (("pipeline", documents.PIPELINE), ("prioritizedDeals", documents.PRIORITIZED)):

        async def after_event(query: str = query) -> Any:
            async with bench.pool.acquire() as connection:
                await connection.execute(NEW_EVENT, bench.db.rep_id)
            return await bench.api(query, token=bench.db.rep_token)

        async def first(query: str = query) -> Any:
            await history_cache.settle()
            history_cache.forget()
            return await bench.api(query, token=bench.db.rep_token)

        async def warm(_: asyncpg.Connection, query: str = query) -> Any:
            return _normalised(await bench.api(query, token=bench.db.rep_token))

        rows.append(await bench.row(f"{name}, rep, after an event", after_event, warm, iterations=iterations))
        rows.append(await bench.row(f"{name}, rep, first after start", first, warm, iterations=iterations))
    await history_cache.settle()
    async with bench.pool.acquire() as connection:
        await connection.execute("DELETE FROM deal_events WHERE reason = 'benchmark: an event'")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--http", action="store_true", help="also requests/s over HTTP with `hey`")
    parser.add_argument("--workers", type=int, default=2, help="worker processes for the several-workers runs")
    parser.add_argument("--only", nargs="*", default=[], help="only the requests whose names contain one of these")
    parser.add_argument(
        "--graphql-core", action="store_true", help="run the API through Strawberry's own executor, to compare"
    )
    parser.add_argument("--python-gc", action="store_true", help="keep Python's garbage collector settings, to compare")
    parser.add_argument("--http-code", type=Path, help="serve the code in this folder over HTTP, to compare")
    arguments = parser.parse_args()
    ONLY.extend(arguments.only)
    if arguments.python_gc:
        GC_THRESHOLDS[0] = None
    if arguments.graphql_core:
        import api.app
        from api.graphql.schema import build_schema

        def graphql_core_schema(limits: Any, *, introspection: bool) -> Any:
            return build_schema(limits=limits, introspection=introspection, executor=None)

        api.app.schema_for = graphql_core_schema
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}; medians of interleaved runs, ms"
    )
    print(HEADER)
    for size in arguments.sizes:
        for row in asyncio.run(run_size(size, iterations=arguments.iterations, reseed=arguments.reseed)):
            if row is not None:
                print(row.line(), flush=True)
    if arguments.http:
        from tests.benchmarks.side_by_side.load import http_runs

        http_runs(size=min(arguments.sizes), workers=arguments.workers, code=arguments.http_code)


if __name__ == "__main__":
    main()
