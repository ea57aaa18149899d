"""Seed a database with a simulated history: teams and reps, then deals in bulk."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.process.models import Process
from api.seed.ground_truth import GroundTruth
from api.seed.simulation import iter_simulated_deals, simulate
from api.seed.writer import SeedOwner, create_seed_teams, write_history

HISTORY_DAYS = 730
"""How far back seeded history goes (the demo's too): two years."""


@dataclass(frozen=True, slots=True)
class SeedResult:
    deals: int
    owners: tuple[SeedOwner, ...]
    truth: GroundTruth
    as_of: datetime


async def seed_database(
    engine: AsyncEngine,
    *,
    process: Process,
    deals: int,
    seed: int,
    today: date | None = None,
    reps: int | None = None,
    competitor_names: Sequence[str] = (),
    on_batch: Callable[[int], None] = lambda _: None,
) -> SeedResult:
    """Two years of history ending today, so the newest deals are still open; one transaction.

    Lost deals name `competitor_names` (not the status quo) as who won them, or "a competitor" without them.
    """
    end = today or datetime.now(UTC).date()
    start = end - timedelta(days=HISTORY_DAYS)
    rep_count = reps or max(2, min(400, deals // 250))
    head = simulate(process=process, deals=0, seed=seed, start=start, days=HISTORY_DAYS)
    simulated = iter_simulated_deals(
        process=process,
        truth=head.truth,
        count=deals,
        seed=seed,
        start=start,
        as_of=head.as_of,
        created_within=HISTORY_DAYS,
        reps=rep_count,
        competitor_names=competitor_names,
    )
    async with engine.begin() as connection:
        owners = await create_seed_teams(connection, reps=rep_count, label=f"Seed {seed}")
        written = await write_history(
            connection, process_key=process.key, deals=simulated, owners=owners, on_batch=on_batch
        )
    async with engine.begin() as connection:
        # Fresh planner statistics: without them (autovacuum may be off or not yet run) PostgreSQL plans
        # the history aggregates as nested loops over what it thinks are empty tables, and takes minutes.
        await connection.execute(text("ANALYZE"))
    return SeedResult(deals=written, owners=tuple(owners), truth=head.truth, as_of=head.as_of)
