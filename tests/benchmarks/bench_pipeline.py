"""`pipeline` and `prioritizedDeals` over HTTP on a seeded database, against a floor query in the same run.

Run: `python -m tests.benchmarks.bench_pipeline --deals 100000 --database postgresql`
(PostgreSQL at $WAYMARK_TEST_POSTGRES_URL, default postgres@127.0.0.1:5432/test, in a throwaway schema).
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
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import create_async_engine

from api.app import create_app
from api.db import Database, upgrade
from api.db.models import Role
from api.process import load_definitions
from api.seed.seeding import seed_database
from api.services.auth import add_user
from api.settings import Settings

POSTGRES_URL = os.environ.get("WAYMARK_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
PIPELINE = "{ pipeline { stages { stage { key } count amount weightedAmount } blockedCount staleCount "
PIPELINE += "blocked(first: 20) { deal { id name } missingMilestones { key } } strength { count } } }"
PRIORITIZED = "{ prioritizedDeals(quota: 1000000) { deals { rank expectedValue fits reason } plan { gap } } }"


async def _timed(action: Callable[[], Awaitable[object]], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


async def run(*, deals: int, database: str, repeat: int) -> None:
    schema = f"waymark_bench_{uuid.uuid4().hex[:8]}"
    if database == "postgresql":
        admin = create_async_engine(POSTGRES_URL)
        async with admin.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        db = Database(url=POSTGRES_URL, engine_options={"connect_args": {"server_settings": {"search_path": schema}}})
    else:
        db = Database(url=f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
    try:
        await upgrade(db.engine)
        process = load_definitions(Path("process_definitions")).processes[0]
        started = time.perf_counter()
        await seed_database(db.engine, process=process, deals=deals, seed=1)
        print(f"seeded {deals:,} deals in {time.perf_counter() - started:.1f} s")
        async with db.transaction() as session:
            _, token = await add_user(session, name="Bench Admin", role=Role.ADMIN)
        settings = Settings(database_url=db.url, process_dir=Path("process_definitions"), migrate_on_start=False)
        app = create_app(settings, database=db)
        statements: list[str] = []
        event.listen(db.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client,
        ):

            async def ask(query: str) -> None:
                response = await client.post(
                    "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
                )
                assert "errors" not in response.json(), response.text

            async def floor() -> None:
                async with db.engine.connect() as connection:
                    await connection.execute(text("SELECT count(*) FROM deals WHERE status = 'open'"))

            for name, action in (
                ("floor: count open deals", floor),
                ("pipeline", lambda: ask(PIPELINE)),
                ("prioritizedDeals(quota)", lambda: ask(PRIORITIZED)),
            ):
                await action()
                statements.clear()
                await action()
                per_request = len(statements)
                ms = await _timed(action, repeat)
                print(f"{name:28} {ms:9.1f} ms  {per_request} statements")
    finally:
        await db.dispose()
        if database == "postgresql":
            async with admin.begin() as connection:
                await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            await admin.dispose()
    print(f"({datetime.now(UTC):%Y-%m-%d}, {database}, median of {repeat})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(run(deals=arguments.deals, database=arguments.database, repeat=arguments.repeat))


if __name__ == "__main__":
    main()
