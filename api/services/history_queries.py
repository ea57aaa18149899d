"""Read deals and their history from the database as plain records, in a fixed number of statements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, DealEvent, MilestoneCompletion
from api.deal_events import DealEventKind
from api.process.models import Outcome
from api.services.deal_records import DealEvent as DealRecordEvent
from api.services.deal_records import DealSnapshot

_CLOSES = (DealEventKind.CLOSED_WON.value, DealEventKind.CLOSED_LOST.value)


def deals_query(
    *,
    process_key: str | Collection[str],
    since: datetime | None,
    owner_ids: Collection[int] | None,
    visible: ColumnElement[bool] | None = None,
) -> Select[int]:
    """The ids of the deals of a process (or of any of several) created since `since`, owned by `owner_ids`
    (None: anyone), within `visible` (see `api.services.auth.visible_deals`)."""
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


async def load_snapshots(
    session: AsyncSession,
    *,
    process_key: str | Collection[str],
    since: datetime | None = None,
    owner_ids: Collection[int] | None = None,
    visible: ColumnElement[bool] | None = None,
    only_open: bool = False,
) -> list[DealSnapshot]:
    """Three statements (two with `only_open`): deals, their completions, and when closed deals closed."""
    return [
        snapshot
        for _, snapshot in await load_snapshots_by_process(
            session, process_key=process_key, since=since, owner_ids=owner_ids, visible=visible, only_open=only_open
        )
    ]


async def load_snapshots_by_process(
    session: AsyncSession,
    *,
    process_key: str | Collection[str],
    since: datetime | None = None,
    owner_ids: Collection[int] | None = None,
    visible: ColumnElement[bool] | None = None,
    only_open: bool = False,
) -> list[tuple[str, DealSnapshot]]:
    """As `load_snapshots`, each deal with its process's key."""
    ids = deals_query(process_key=process_key, since=since, owner_ids=owner_ids, visible=visible)
    if only_open:
        ids = ids.where(Deal.status == Outcome.OPEN.value)
    deal_rows = (await session.execute(select(Deal).where(Deal.id.in_(ids.scalar_subquery())))).scalars().all()
    done: dict[int, set[str]] = defaultdict(set)
    for deal_id, key in await session.execute(
        select(MilestoneCompletion.deal_id, MilestoneCompletion.milestone_key).where(
            MilestoneCompletion.deal_id.in_(ids.scalar_subquery())
        )
    ):
        done[deal_id].add(key)
    closed_at: dict[int, datetime] = {}
    if not only_open:
        for deal_id, at in await session.execute(
            select(DealEvent.deal_id, DealEvent.occurred_at)
            .where(DealEvent.deal_id.in_(ids.scalar_subquery()), DealEvent.kind.in_(_CLOSES))
            .order_by(DealEvent.id)
        ):
            closed_at[deal_id] = at
    return [
        (d.process_key, snapshot_of(d, completed=done.get(d.id, ()), closed_at=closed_at.get(d.id))) for d in deal_rows
    ]


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


async def load_events(
    session: AsyncSession,
    *,
    process_key: str,
    since: datetime | None = None,
    owner_ids: Collection[int] | None = None,
    visible: ColumnElement[bool] | None = None,
) -> list[DealRecordEvent]:
    """Every event of the matching deals, oldest first: one statement."""
    ids = deals_query(process_key=process_key, since=since, owner_ids=owner_ids, visible=visible)
    rows = await session.execute(
        select(
            DealEvent.deal_id,
            DealEvent.kind,
            DealEvent.occurred_at,
            DealEvent.from_stage,
            DealEvent.to_stage,
            DealEvent.milestone_key,
            DealEvent.reason,
            DealEvent.skipped_milestones,
        )
        .where(DealEvent.deal_id.in_(ids.scalar_subquery()), DealEvent.kind != DealEventKind.UPDATED.value)
        .order_by(DealEvent.deal_id, DealEvent.occurred_at, DealEvent.id)
    )
    return [
        DealRecordEvent(
            deal_id=str(deal_id),
            kind=DealEventKind(kind),
            at=at,
            from_stage=from_stage,
            to_stage=to_stage,
            milestone_key=milestone_key,
            reason=reason,
            skipped_milestones=tuple(skipped or ()),
        )
        for deal_id, kind, at, from_stage, to_stage, milestone_key, reason, skipped in rows
    ]
