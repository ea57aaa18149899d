"""What prioritisation, the pipeline and the deal page learn from recorded history, by aggregate SQL.

Two figures, each measured as `api.services.insights` defines it, over every deal of the process created
in the last `LEARNING_WINDOW_DAYS` days (recent enough to describe how the team sells now; bounded so
the cost does not grow with the age of the database):

* the **observed duration** of each milestone (median days from entering the stage the deal was in to
  the deal's first completion of the milestone, with the number of observations), and
* the **win rate** of each open stage (of the closed deals that ever entered it, the share won).

They are learned from *all* deals of the process, not only those the viewer may see: they are
process-wide statistics that reveal no deal, and learning them once lets every viewer's deal page,
board and ranking use the same figures. The answer is cached per database and process and reused until
the history changes (a new event: the newest event's id and time, read in one indexed statement, are the
cache's key) or the day, and with it the window, moves on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, DealEvent, EventKind
from api.process.models import Outcome, Process
from api.services.durations import MilestoneDurations, ObservedDuration, milestone_durations
from api.services.win_probability import StageWinRate

LEARNING_WINDOW_DAYS = 365
CACHED_PROCESSES = 16

ENTERS_A_STAGE = (
    EventKind.CREATED.value,
    EventKind.MOVED.value,
    EventKind.CLOSED_WON.value,
    EventKind.CLOSED_LOST.value,
    EventKind.REOPENED.value,
)


@dataclass(frozen=True, slots=True)
class LearnedHistory:
    """What one process's recent history says, ready for the estimate and the expected value."""

    durations: MilestoneDurations
    win_rates: Mapping[str, StageWinRate]
    """By open stage key."""


@dataclass(frozen=True, slots=True)
class _Cached:
    engine: object
    process: Process
    window_start: date
    stamp: tuple[Any, ...]
    learned: LearnedHistory


_cache: dict[tuple[int, str], _Cached] = {}


def learning_window_start(today: date) -> date:
    return today - timedelta(days=LEARNING_WINDOW_DAYS)


def utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


async def learned_history(session: AsyncSession, *, process: Process, today: date) -> LearnedHistory:
    """One statement when the history has not changed since the last call, three when it has."""
    engine = session.get_bind()
    window_start = learning_window_start(today)
    stamp = await history_stamp(session)
    key = (id(engine), process.key)
    cached = _cache.get(key)
    if (
        cached is not None
        and cached.engine is engine
        and cached.process is process
        and cached.window_start == window_start
        and cached.stamp == stamp
    ):
        return cached.learned
    since = utc_midnight(window_start)
    observed = await observed_milestone_durations(session, process=process, since=since)
    learned = LearnedHistory(
        durations=milestone_durations(process=process, observed=observed),
        win_rates=await stage_win_rates(session, process=process, since=since),
    )
    if len(_cache) >= CACHED_PROCESSES:
        _cache.pop(next(iter(_cache)))
    _cache[key] = _Cached(engine=engine, process=process, window_start=window_start, stamp=stamp, learned=learned)
    return learned


async def history_stamp(session: AsyncSession) -> tuple[Any, ...]:
    """One indexed statement: the newest event's id and time. Every change to a deal, its stage, its
    milestones or its owner records an event, so an unchanged stamp means an unchanged history."""
    newest = select(DealEvent.id, DealEvent.occurred_at).order_by(DealEvent.id.desc()).limit(1)
    return tuple((await session.execute(newest)).all())


def canonical_milestone(process: Process, stored_key: Any) -> ColumnElement[str | None]:
    """The stored milestone key (maybe a former one) as the process's current key, in SQL."""
    renamed = {former: m.key for m in process.milestones for former in m.formerly}
    if not renamed:
        return stored_key  # type: ignore[no-any-return]
    return case(renamed, value=stored_key, else_=stored_key)


def days_between(session: AsyncSession, start: Any, end: Any) -> ColumnElement[Any]:
    """`end - start` in days (fractional), on SQLite and PostgreSQL."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return cast(func.extract("epoch", end - start), Float) / 86_400


def first_completion_durations(session: AsyncSession, *, process: Process, deals: ColumnElement[bool]) -> Any:
    """A subquery of (key, days): the milestone and the days of each matching deal's first completion of it,
    counted from when the deal entered the stage it was in at the time (see `api.services.insights`)."""
    entered = case((DealEvent.kind.in_(ENTERS_A_STAGE) & DealEvent.to_stage.is_not(None), DealEvent.occurred_at))
    milestone = canonical_milestone(process, DealEvent.milestone_key)
    walk = (
        select(
            DealEvent.deal_id,
            DealEvent.kind,
            DealEvent.occurred_at,
            DealEvent.id,
            milestone.label("milestone"),
            func.max(entered)
            .over(partition_by=DealEvent.deal_id, order_by=(DealEvent.occurred_at, DealEvent.id), rows=(None, 0))
            .label("stage_entered_at"),
        )
        .join(Deal, Deal.id == DealEvent.deal_id)
        .where(deals, DealEvent.kind.in_((*ENTERS_A_STAGE, EventKind.MILESTONE_COMPLETED.value)))
        .subquery("walk")
    )
    # A deal's first completion of a milestone is its earliest, and the stage entry before it the earliest
    # of the running maximum: both minimums of the (deal, milestone) group come from that one event.
    return (
        select(
            walk.c.milestone.label("key"),
            days_between(session, func.min(walk.c.stage_entered_at), func.min(walk.c.occurred_at)).label("days"),
        )
        .where(
            walk.c.kind == EventKind.MILESTONE_COMPLETED.value,
            walk.c.stage_entered_at.is_not(None),
            walk.c.milestone.is_not(None),
        )
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


async def observed_milestone_durations(
    session: AsyncSession, *, process: Process, since: datetime | None, deals: ColumnElement[bool] | None = None
) -> dict[str, ObservedDuration]:
    """One statement: median first-completion duration per milestone over deals created since `since`."""
    condition = of_process(process, since) if deals is None else and_(of_process(process, since), deals)
    return await median_days_by_key(session, first_completion_durations(session, process=process, deals=condition))


async def stage_win_rates(
    session: AsyncSession, *, process: Process, since: datetime | None, deals: ColumnElement[bool] | None = None
) -> dict[str, StageWinRate]:
    """One statement: per open stage, the closed deals created since `since` that entered it, and those won."""
    condition = of_process(process, since) if deals is None else and_(of_process(process, since), deals)
    rows = await session.execute(
        select(
            DealEvent.to_stage,
            func.count(Deal.id.distinct()),
            func.count(case((Deal.status == Outcome.WON.value, Deal.id)).distinct()),
        )
        .join(Deal, Deal.id == DealEvent.deal_id)
        .where(
            condition,
            Deal.status.in_((Outcome.WON.value, Outcome.LOST.value)),
            DealEvent.kind.in_(ENTERS_A_STAGE),
        )
        .group_by(DealEvent.to_stage)
    )
    counts: dict[str, tuple[int, int]] = {}
    for stage_key, closed, won in rows:
        stage = process.stage(stage_key) if stage_key else None
        if stage is not None and not stage.is_terminal:
            seen_won, seen_closed = counts.get(stage.key, (0, 0))
            counts[stage.key] = (seen_won + int(won), seen_closed + int(closed))
    return {
        s.key: StageWinRate(stage_key=s.key, won=counts.get(s.key, (0, 0))[0], closed=counts.get(s.key, (0, 0))[1])
        for s in process.open_stages
    }


def of_process(process: Process, since: datetime | None) -> ColumnElement[bool]:
    """A filter on `Deal`: the deals of `process` created since `since` (None: ever)."""
    condition = Deal.process_key == process.key
    return condition if since is None else and_(condition, Deal.created_at >= since)


def forget_learned_history() -> None:
    """Drop every cached answer (tests that rewrite history under the same newest event use it)."""
    _cache.clear()
