"""Deals board cost: SQL statements and milliseconds per request for deals(first: 100) with nested fields,
against a floor (`{ __typename }`) measured in the same run. Run: python -m tests.benchmarks.bench_api"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from api.app import create_app
from api.db import Database, upgrade
from api.db.models import Deal, Role
from api.process import load_definitions
from api.services.accounts.tokens import add_user
from api.services.accounts.viewer import Viewer
from api.services.deals import editing, working
from api.settings import Settings

DEFINITIONS = Path(__file__).resolve().parents[1] / "api" / "fixtures" / "process_definitions"
BOARD = """{ deals(first: 100) { totalCount edges { node {
  id name amount stage { key } strength canAdvance owner { name }
  milestones { milestone { key } completed completedBy { name } }
  remainingMilestones { key } blockers { key } plays { milestone { key } play { competitor { key } } }
  history { kind actor { name } toStage { key } } } } } }"""
FLOOR = "{ __typename }"


async def seed(database: Database, *, count: int) -> str:
    definitions = load_definitions(DEFINITIONS)
    process = definitions.processes[0]
    async with database.transaction() as session:
        user, token = await add_user(session, name="Bench Admin", role=Role.ADMIN)
        viewer = Viewer(id=user.id, name=user.name, role=Role.ADMIN, team_id=None)
        for index in range(count):
            draft = editing.DealDraft(
                name=f"Deal {index}",
                account_name="Bench",
                process_key=process.key,
                amount=f"{1000 + index}.00",
                currency="EUR",
                close_date=date(2026, 12, 31),
                competitor_keys=["acme"],
            )
            deal = await editing.create_deal(session, viewer=viewer, definitions=definitions, draft=draft)
            assert isinstance(deal, Deal), deal
            for milestone in process.milestones[: index % 6]:
                await working.complete_milestone(
                    session, viewer=viewer, definitions=definitions, deal_id=deal.id, milestone_key=milestone.key
                )
    return token


async def measure(client: httpx.AsyncClient, query: str, token: str, *, rounds: int) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = await client.post("/graphql", json={"query": query}, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert "errors" not in response.json(), response.text
    return timings


async def main(count: int = 500, rounds: int = 30) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(url=f"sqlite+aiosqlite:///{folder}/bench.sqlite3")
        await upgrade(database.engine)
        token = await seed(database, count=count)
        settings = Settings(process_dir=DEFINITIONS, migrate_on_start=False, site_dir=Path(folder) / "none")
        app = create_app(settings, database=database)
        statements: list[Any] = []
        event.listen(database.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client,
        ):
            await measure(client, BOARD, token, rounds=3)
            statements.clear()
            floor = await measure(client, FLOOR, token, rounds=rounds)
            floor_statements = len(statements) / rounds
            statements.clear()
            board = await measure(client, BOARD, token, rounds=rounds)
            board_statements = len(statements) / rounds
        await database.dispose()
    floor_ms, board_ms = statistics.median(floor), statistics.median(board)
    print(f"{count} deals seeded on SQLite; median of {rounds} requests each")
    print(f"floor  {{ __typename }}:             {floor_ms:7.2f} ms  {floor_statements:.0f} SQL statements")
    print(f"board  deals(first:100) + nested: {board_ms:7.2f} ms  {board_statements:.0f} SQL statements")
    print(f"ratio board/floor: {board_ms / floor_ms:.1f}x time; {board_ms / 100:.2f} ms per deal")


if __name__ == "__main__":
    asyncio.run(main(count=int(sys.argv[1]) if len(sys.argv) > 1 else 500))
