"""How history is measured in SQL, shared by the learned figures (`learned`) and the insights
(`statistics`): one definition each of a deal's current keys, elapsed days, and a milestone's first
completion. `api.services.history.insights` says in words what each measure is."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, DealEvent
from api.deal_events import ENTERS_A_STAGE, DealEventKind
from api.process import Outcome, Process
from api.services.history.durations import ObservedDuration

CLOSED_STATUSES = (Outcome.WON.value, Outcome.LOST.value)
"""`Deal.status` of a closed deal."""


def current_key(renamed: Mapping[str, str], stored_key: Any) -> ColumnElement[str | None]:
    """A stored stage or milestone key (maybe a former one) as the current key, given the process's
    `renamed_stages` or `renamed_milestones`: the SQL twin of `Process.current_milestone_keys`."""
    if not renamed:
        return stored_key  # type: ignore[no-any-return]
    return case(dict(renamed), value=stored_key, else_=stored_key)


def sql_elapsed_days(session: AsyncSession, start: Any, end: Any) -> ColumnElement[Any]:
    """`end - start` in days (fractional), on SQLite and PostgreSQL: `records.elapsed_days` in SQL."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return cast(func.extract("epoch", end - start), Float) / 86_400


def of_process(process: Process, since: datetime | None) -> ColumnElement[bool]:
    """A filter on `Deal`: the deals of `process` created since `since` (None: ever)."""
    condition = Deal.process_key == process.key
    return condition if since is None else and_(condition, Deal.created_at >= since)


def first_completion_durations(session: AsyncSession, *, process: Process, deals: ColumnElement[bool]) -> Any:
    """A subquery of (key, days): the milestone and the days of each matching deal's first completion of it,
    counted from when the deal entered the stage it was in at the time."""
    enters = [kind.value for kind in ENTERS_A_STAGE]
    completed = DealEventKind.MILESTONE_COMPLETED.value
    entered = case((DealEvent.kind.in_(enters) & DealEvent.to_stage.is_not(None), DealEvent.occurred_at))
    walk = (
        select(
            DealEvent.deal_id,
            DealEvent.kind,
            DealEvent.occurred_at,
            DealEvent.id,
            current_key(process.renamed_milestones, DealEvent.milestone_key).label("milestone"),
            func.max(entered)
            .over(partition_by=DealEvent.deal_id, order_by=(DealEvent.occurred_at, DealEvent.id), rows=(None, 0))
            .label("stage_entered_at"),
        )
        .join(Deal, Deal.id == DealEvent.deal_id)
        .where(deals, DealEvent.kind.in_((*enters, completed)))
        .subquery("walk")
    )
    # A deal's first completion of a milestone is its earliest, and the stage entry before it the earliest
    # of the running maximum: both minimums of the (deal, milestone) group come from that one event.
    return (
        select(
            walk.c.milestone.label("key"),
            sql_elapsed_days(session, func.min(walk.c.stage_entered_at), func.min(walk.c.occurred_at)).label("days"),
        )
        .where(walk.c.kind == completed, walk.c.stage_entered_at.is_not(None), walk.c.milestone.is_not(None))
        .group_by(walk.c.deal_id, walk.c.milestone)
        .subquery("firsts")
    )


async def median_days_by_key(session: AsyncSession, durations: Any) -> dict[str, ObservedDuration]:
    """Median and count per key (a milestone's or a stage's) of a (key, days) subquery, in one statement:
    `percentile_cont` on PostgreSQL; SQLite has none, so there the middle row(s) of each sorted group are
    averaged."""
    if session.get_bind().dialect.name == "postgresql":
        query = select(
            durations.c.key, func.percentile_cont(0.5).within_group(durations.c.days), func.count()
        ).group_by(durations.c.key)
    else:
        ranked = select(
            durations.c.key,
            durations.c.days,
            func.row_number().over(partition_by=durations.c.key, order_by=durations.c.days).label("place"),
            func.count().over(partition_by=durations.c.key).label("n"),
        ).subquery("ranked")
        middle = (ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2  # integer division: `/` is true division
        query = (
            select(ranked.c.key, func.avg(ranked.c.days), func.max(ranked.c.n))
            .where(ranked.c.place.in_(middle))
            .group_by(ranked.c.key)
        )
    return {
        str(key): ObservedDuration(median_days=float(median), observations=int(n))
        for key, median, n in await session.execute(query)
        if key is not None
    }
