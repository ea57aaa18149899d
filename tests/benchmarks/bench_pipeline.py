"""`pipeline`, `prioritizedDeals` and `processInsights` over HTTP on a seeded database, against a floor query
in the same run, as an admin (every deal) and as one rep (their own deals).

Run: `python -m tests.benchmarks.bench_pipeline --deals 100000 --database postgresql`
(PostgreSQL at $WAYMARK_TEST_POSTGRES_URL, default postgres@127.0.0.1:5432/test, in a throwaway schema;
`--schema NAME` keeps a seeded schema and reuses it on the next run).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from api.app import create_app
from api.db import Database, upgrade
from api.db.models import Deal, Role, User
from api.process import load_definitions
from api.seed.seeding import seed_database
from api.services.accounts.tokens import add_user, issue_token
from api.services.history.cache import history_cache
from api.settings import Settings

POSTGRES_URL = os.environ.get("WAYMARK_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
PIPELINE = "{ pipeline { stages { stage { key } count amount weightedAmount } blockedCount staleCount "
PIPELINE += "blocked(first: 20) { deal { id name } missingMilestones { key } } strength { count } } }"
PRIORITIZED = "{ prioritizedDeals(quota: 1000000) { deals { rank expectedValue fits reason } plan { gap } } }"
INSIGHTS = '{ processInsights(processKey: "%s") { stages { entered conversionRate medianDaysInStage winRate }'
INSIGHTS += " milestones { observedMedianDays observations lift } overrides { outcome } } }"


async def _timed(action: Callable[[], Awaitable[object]], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


async def run(*, deals: int, database: str, repeat: int, keep_schema: str | None) -> None:
    schema = keep_schema or f"waymark_bench_{uuid.uuid4().hex[:8]}"
    if database == "postgresql":
        admin = create_async_engine(POSTGRES_URL)
        async with admin.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        db = Database(url=POSTGRES_URL, engine_options={"connect_args": {"server_settings": {"search_path": schema}}})
    else:
        db = Database(url=f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
    try:
        await upgrade(db.engine)
        process = load_definitions(Path("process_definitions")).processes[0]
        async with db.transaction() as session:
            seeded = await session.scalar(select(func.count()).select_from(Deal))
        if not seeded:
            started = time.perf_counter()
            await seed_database(db.engine, process=process, deals=deals, seed=1)
            print(f"seeded {deals:,} deals in {time.perf_counter() - started:.1f} s")
        async with db.engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
        async with db.transaction() as session:
            _, token = await add_user(session, name="Bench Admin", role=Role.ADMIN)
            rep_id = await session.scalar(select(Deal.owner_id).limit(1))
            rep = await session.get(User, rep_id)
            assert rep is not None
            rep_token = await issue_token(session, user=rep)
            rep_deals = await session.scalar(
                select(func.count()).select_from(Deal).where(Deal.owner_id == rep_id, Deal.status == "open")
            )
        settings = Settings(database_url=db.url, process_dir=Path("process_definitions"), migrate_on_start=False)
        app = create_app(settings, database=db)
        statements: list[str] = []
        event.listen(db.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client,
        ):

            async def ask(query: str, *, as_rep: bool = False, cold: bool = False) -> None:
                if cold:
                    history_cache.forget()
                    history_cache.forget()
                bearer = rep_token if as_rep else token
                response = await client.post(
                    "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {bearer}"}
                )
                assert "errors" not in response.json(), response.text

            async def floor() -> None:
                async with db.engine.connect() as connection:
                    await connection.execute(text("SELECT count(*) FROM deals WHERE status = 'open'"))

            print(f"rep: {rep_deals} open deals")
            for name, action in (
                ("floor: count open deals", floor),
                ("pipeline", lambda: ask(PIPELINE)),
                ("pipeline, cold", lambda: ask(PIPELINE, cold=True)),
                ("prioritizedDeals(quota)", lambda: ask(PRIORITIZED)),
                ("prioritizedDeals(quota), cold", lambda: ask(PRIORITIZED, cold=True)),
                ("rep: prioritizedDeals(quota)", lambda: ask(PRIORITIZED, as_rep=True)),
                ("rep: prioritizedDeals, cold", lambda: ask(PRIORITIZED, as_rep=True, cold=True)),
                ("rep: pipeline", lambda: ask(PIPELINE, as_rep=True)),
                ("rep: processInsights", lambda: ask(INSIGHTS % process.key, as_rep=True)),
                ("processInsights", lambda: ask(INSIGHTS % process.key)),
                ("processInsights, cold", lambda: ask(INSIGHTS % process.key, cold=True)),
            ):
                await action()
                statements.clear()
                await action()
                per_request = len(statements)
                ms = await _timed(action, repeat)
                print(f"{name:32} {ms:9.1f} ms  {per_request} statements", flush=True)
    finally:
        await db.dispose()
        if database == "postgresql":
            if keep_schema is None:
                async with admin.begin() as connection:
                    await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            await admin.dispose()
    print(f"({datetime.now(UTC):%Y-%m-%d}, {database}, median of {repeat})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--schema", help="PostgreSQL: seed into this schema once, keep it and reuse it")
    arguments = parser.parse_args()
    asyncio.run(
        run(deals=arguments.deals, database=arguments.database, repeat=arguments.repeat, keep_schema=arguments.schema)
    )


if __name__ == "__main__":
    main()
