"""Write a simulated history into the database with Core bulk inserts, a batch of deals at a time.

Each batch is three statements' worth of `executemany` (deals with their new ids returned in order, then
their completions, then their events), so 100,000 deals take a few thousand round trips, not millions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from api.db.models import Deal, DealEvent, MilestoneCompletion, Role, Team, User, utc_now
from api.deal_events import DealEventKind
from api.seed.simulation import SimulatedDeal
from api.services.history.records import HistoryEvent

BATCH_SIZE = 1000
REPS_PER_TEAM = 8


@dataclass(frozen=True, slots=True)
class SeedOwner:
    rep_id: int
    manager_id: int
    """Who records gate overrides on the rep's deals."""


async def create_seed_teams(connection: AsyncConnection, *, reps: int, label: str) -> list[SeedOwner]:
    """Teams of up to eight reps with a manager each, named after `label` (e.g. the seed).

    Seeding again (another process, more deals) reuses the teams and people of the same names, so the
    same reps sell in every process, as they would.
    """
    owners: list[SeedOwner] = []
    for team_number in range(1, (reps + REPS_PER_TEAM - 1) // REPS_PER_TEAM + 1):
        team_name = f"{label} team {team_number}"
        team_id = await connection.scalar(select(Team.id).where(Team.name == team_name)) or await connection.scalar(
            insert(Team).values(name=team_name, created_at=utc_now()).returning(Team.id)
        )
        manager_id = await _add_user(
            connection, name=f"{label} manager {team_number}", role=Role.MANAGER, team_id=team_id
        )
        for rep_number in range(min(REPS_PER_TEAM, reps - len(owners))):
            rep_id = await _add_user(
                connection, name=f"{label} rep {team_number}.{rep_number + 1}", role=Role.REP, team_id=team_id
            )
            owners.append(SeedOwner(rep_id=rep_id, manager_id=manager_id))
    return owners


async def write_history(
    connection: AsyncConnection,
    *,
    process_key: str,
    deals: Iterable[SimulatedDeal],
    owners: Sequence[SeedOwner],
    currency: str = "USD",
    on_batch: Callable[[int], None] = lambda _: None,
) -> int:
    """Insert every deal, completion and event; returns the number of deals. Calls `on_batch(n)` per batch."""
    written = 0
    for batch in _batches(deals):
        rows = [
            _deal_row(d, process_key=process_key, owner=owners[d.owner_index % len(owners)], currency=currency)
            for d in batch
        ]
        result = await connection.execute(insert(Deal).returning(Deal.id, sort_by_parameter_order=True), rows)
        ids = list(result.scalars())
        completions: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for deal_id, deal in zip(ids, batch, strict=True):
            owner = owners[deal.owner_index % len(owners)]
            completions.extend(
                {
                    "deal_id": deal_id,
                    "milestone_key": key,
                    "completed_at": at,
                    "completed_by_id": owner.rep_id,
                    "note": None,
                }
                for key, at in deal.completions
            )
            events.extend(_event_row(deal_id, event, owner) for event in deal.events)
        if completions:
            await connection.execute(insert(MilestoneCompletion), completions)
        await connection.execute(insert(DealEvent), events)
        written += len(batch)
        on_batch(len(batch))
    return written


async def _add_user(connection: AsyncConnection, *, name: str, role: Role, team_id: int | None) -> int:
    existing = await connection.scalar(
        select(User.id).where(User.name == name, User.role == role.value, User.team_id == team_id)
    )
    if existing is not None:
        return int(existing)
    user_id = await connection.scalar(
        insert(User).values(name=name, role=role.value, team_id=team_id, created_at=utc_now()).returning(User.id)
    )
    assert user_id is not None
    return int(user_id)


def _batches(deals: Iterable[SimulatedDeal]) -> Iterator[list[SimulatedDeal]]:
    iterator = iter(deals)
    while batch := list(islice(iterator, BATCH_SIZE)):
        yield batch


def _deal_row(deal: SimulatedDeal, *, process_key: str, owner: SeedOwner, currency: str) -> dict[str, Any]:
    snapshot = deal.snapshot
    last_change = max([deal.created_at, *(e.at for e in deal.events)])
    return {
        "name": snapshot.name,
        "account_name": deal.account_name,
        "process_key": process_key,
        "stage_key": snapshot.stage_key,
        "status": snapshot.status.value,
        "owner_id": owner.rep_id,
        "amount": snapshot.amount,
        "currency": currency,
        "close_date": snapshot.close_date,
        "version": 1,
        "created_at": deal.created_at,
        "updated_at": last_change,
        "stage_entered_at": snapshot.entered_stage_at,
    }


def _event_row(deal_id: int, event: HistoryEvent, owner: SeedOwner) -> dict[str, Any]:
    override = event.kind is DealEventKind.GATE_OVERRIDDEN
    return {
        "deal_id": deal_id,
        "kind": event.kind.value,
        "actor_id": owner.manager_id if override else owner.rep_id,
        "occurred_at": event.at,
        "from_stage": event.from_stage,
        "to_stage": event.to_stage,
        "milestone_key": event.milestone_key,
        "reason": event.reason,
        "skipped_milestones": list(event.skipped_milestones) if override else None,
        "changes": None,
    }
