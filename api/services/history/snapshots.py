"""Deals as plain records (`DealSnapshot`), read from the database in a fixed number of statements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, MilestoneCompletion
from api.process import Outcome
from api.services.history.records import DealSnapshot


def deals_query(
    *,
    process_key: str | Collection[str],
    since: datetime | None,
    owner_ids: Collection[int] | None,
    visible: ColumnElement[bool] | None = None,
) -> Select[int]:
    """The ids of the deals of a process (or of any of several) created since `since`, owned by `owner_ids`
    (None: anyone), within `visible` (see `api.services.accounts.viewer.visible_deals`)."""
    if isinstance(process_key, str):
        query = select(Deal.id).where(Deal.process_key == process_key)
    else:
        query = select(Deal.id).where(Deal.process_key.in_(process_key))
    if visible is not None:
        query = query.where(visible)
    if since is not None:
        query = query.where(Deal.created_at >= since)
    if owner_ids is not None:
        query = query.where(Deal.owner_id.in_(owner_ids))
    return query


async def open_snapshots_by_process(
    session: AsyncSession,
    *,
    process_keys: Collection[str],
    owner_ids: Collection[int] | None = None,
    visible: ColumnElement[bool] | None = None,
) -> list[tuple[str, DealSnapshot]]:
    """Two statements: the open deals of the processes, each with its process's key, and their completions.

    Read as plain rows, not ORM objects: a period-end view reads every open deal, thousands of them."""
    ids = deals_query(process_key=process_keys, since=None, owner_ids=owner_ids, visible=visible)
    ids = ids.where(Deal.status == Outcome.OPEN.value)
    connection = await session.connection()  # Core rows: the ORM's per-row work is not needed for columns
    done: dict[int, set[str]] = defaultdict(set)
    for deal_id, key in await connection.execute(
        select(MilestoneCompletion.deal_id, MilestoneCompletion.milestone_key).where(
            MilestoneCompletion.deal_id.in_(ids.scalar_subquery())
        )
    ):
        done[deal_id].add(key)
    rows = await connection.execute(select(*SNAPSHOT_COLUMNS).where(Deal.id.in_(ids.scalar_subquery())))
    shared: dict[frozenset[str], frozenset[str]] = {}
    return [
        (
            row.process_key,
            DealSnapshot(
                deal_id=str(row.id),
                name=row.name,
                owner_id=str(row.owner_id),
                stage_key=row.stage_key,
                status=Outcome.OPEN,
                amount=row.amount,
                currency=row.currency,
                entered_stage_at=row.stage_entered_at,
                completed_milestones=_shared(shared, done.get(row.id, ())),
                close_date=row.close_date,
            ),
        )
        for row in rows
    ]


SNAPSHOT_COLUMNS = (
    Deal.id,
    Deal.process_key,
    Deal.name,
    Deal.owner_id,
    Deal.stage_key,
    Deal.amount,
    Deal.currency,
    Deal.stage_entered_at,
    Deal.close_date,
)


def _shared(shared: dict[frozenset[str], frozenset[str]], keys: Iterable[str]) -> frozenset[str]:
    """One frozenset per distinct set of completed keys: deals in the same state share it (hashed once, found by
    identity by the views that compute once per state), and fewer objects stay alive."""
    found = frozenset(keys)
    return shared.setdefault(found, found)


def snapshot_of(deal: Deal, *, completed: Iterable[str], closed_at: datetime | None = None) -> DealSnapshot:
    """The plain record of a deal row and the keys of its completed milestones (as stored)."""
    return DealSnapshot(
        deal_id=str(deal.id),
        name=deal.name,
        owner_id=str(deal.owner_id),
        stage_key=deal.stage_key,
        status=Outcome(deal.status),
        amount=deal.amount,
        currency=deal.currency,
        entered_stage_at=deal.stage_entered_at,
        completed_milestones=frozenset(completed),
        close_date=deal.close_date,
        closed_at=closed_at if deal.status != Outcome.OPEN.value else None,
    )
