"""The reference the SQL insights are checked against: the measures of `api.services.history.insights`,
computed by walking every event of every deal in Python, and the plain readers that feed it. Slow and
obviously right; the API never runs it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, DealEvent, MilestoneCompletion
from api.deal_events import CLOSES, ENTERS_A_STAGE, DealEventKind
from api.process import Outcome, Process, Stage
from api.services.history.durations import ObservedDuration
from api.services.history.insights import (
    GateOverrideOutcome,
    MilestoneDurationInsight,
    MilestoneLift,
    ProcessInsights,
    StageConversion,
    StageWinRate,
    TimeInStage,
)
from api.services.history.records import DealSnapshot, HistoryEvent, elapsed_days
from api.services.history.snapshots import deals_query, snapshot_of


@dataclass
class _DealWalk:
    """What one deal's history says, gathered in one pass over its events."""

    entered: set[str]
    visits: list[tuple[str, float]]
    first_completions: dict[str, float]


def process_insights(
    *, process: Process, deals: Iterable[DealSnapshot], events: Iterable[HistoryEvent]
) -> ProcessInsights:
    """`events` are those of `deals`, in any order; ties in time keep their given order."""
    by_deal: dict[str, list[HistoryEvent]] = defaultdict(list)
    for event in events:
        by_deal[event.deal_id].append(event)
    deal_list = list(deals)
    walks = {d.deal_id: _walk(process, sorted(by_deal.get(d.deal_id, []), key=lambda e: e.at)) for d in deal_list}
    status = {d.deal_id: d.status for d in deal_list}
    return ProcessInsights(
        conversions=_conversions(process, deal_list, walks),
        time_in_stage=_time_in_stage(process, walks.values()),
        milestone_durations=_milestone_durations(process, walks.values()),
        lifts=_lifts(process, deal_list),
        stage_win_rates=_stage_win_rates(process, deal_list, walks),
        overrides=tuple(
            GateOverrideOutcome(event=e, outcome=status.get(e.deal_id, Outcome.OPEN))
            for deal_events in by_deal.values()
            for e in sorted(deal_events, key=lambda e: e.at)
            if e.kind is DealEventKind.GATE_OVERRIDDEN
        ),
    )


def _walk(process: Process, events: list[HistoryEvent]) -> _DealWalk:
    walk = _DealWalk(entered=set(), visits=[], first_completions={})
    stage: str | None = None
    since: datetime | None = None
    for event in events:
        if event.kind in ENTERS_A_STAGE and event.to_stage is not None:
            entered = process.stage(event.to_stage)
            if stage is not None and since is not None:
                walk.visits.append((stage, elapsed_days(since, event.at)))
            stage, since = (entered.key, event.at) if entered else (None, None)
            if entered is not None:
                walk.entered.add(entered.key)
        elif event.kind is DealEventKind.MILESTONE_COMPLETED and event.milestone_key and since is not None:
            key = process.canonical_milestone_key(event.milestone_key)
            if key is not None and key not in walk.first_completions:
                walk.first_completions[key] = elapsed_days(since, event.at)
    return walk


def _advanced_from(process: Process, stage: Stage, entered: set[str]) -> bool:
    position = process.position(stage.key)
    return any(
        process.position(key) > position and (s := process.stage(key)) is not None and s.outcome is not Outcome.LOST
        for key in entered
    )


def _conversions(
    process: Process, deals: list[DealSnapshot], walks: dict[str, _DealWalk]
) -> tuple[StageConversion, ...]:
    result = []
    for stage in process.open_stages:
        entered = advanced = lost = 0
        for deal in deals:
            walk = walks[deal.deal_id]
            if stage.key not in walk.entered:
                continue
            entered += 1
            if _advanced_from(process, stage, walk.entered):
                advanced += 1
            elif deal.status is Outcome.LOST:
                lost += 1
        result.append(
            StageConversion(
                stage=stage, entered=entered, advanced=advanced, lost=lost, still_open=entered - advanced - lost
            )
        )
    return tuple(result)


def _time_in_stage(process: Process, walks: Iterable[_DealWalk]) -> tuple[TimeInStage, ...]:
    lengths: dict[str, list[float]] = defaultdict(list)
    for walk in walks:
        for stage_key, days in walk.visits:
            lengths[stage_key].append(days)
    return tuple(
        TimeInStage(
            stage=s,
            median_days=statistics.median(lengths[s.key]) if lengths[s.key] else None,
            visits=len(lengths[s.key]),
        )
        for s in process.open_stages
    )


def _milestone_durations(process: Process, walks: Iterable[_DealWalk]) -> tuple[MilestoneDurationInsight, ...]:
    observed: dict[str, list[float]] = defaultdict(list)
    for walk in walks:
        for key, days in walk.first_completions.items():
            observed[key].append(days)
    return tuple(
        MilestoneDurationInsight(
            milestone=m,
            observed=ObservedDuration(median_days=statistics.median(observed[m.key]), observations=len(observed[m.key]))
            if observed[m.key]
            else None,
        )
        for m in process.milestones
    )


def _lifts(process: Process, deals: list[DealSnapshot]) -> tuple[MilestoneLift, ...]:
    closed = [
        (d.status is Outcome.WON, process.current_milestone_keys(d.completed_milestones))
        for d in deals
        if d.status is not Outcome.OPEN
    ]
    lifts = []
    for m in process.milestones:
        with_m = [won for won, done in closed if m.key in done]
        without = [won for won, done in closed if m.key not in done]
        lifts.append(
            MilestoneLift(
                milestone=m,
                won_with=sum(with_m),
                closed_with=len(with_m),
                won_without=sum(without),
                closed_without=len(without),
            )
        )
    return tuple(lifts)


def _stage_win_rates(
    process: Process, deals: list[DealSnapshot], walks: dict[str, _DealWalk]
) -> tuple[StageWinRate, ...]:
    closed = [d for d in deals if d.status is not Outcome.OPEN]
    return tuple(
        StageWinRate(
            stage_key=s.key,
            won=sum(1 for d in closed if s.key in walks[d.deal_id].entered and d.status is Outcome.WON),
            closed=sum(1 for d in closed if s.key in walks[d.deal_id].entered),
        )
        for s in process.open_stages
    )


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
            .where(DealEvent.deal_id.in_(ids.scalar_subquery()), DealEvent.kind.in_([k.value for k in CLOSES]))
            .order_by(DealEvent.id)
        ):
            closed_at[deal_id] = at
    return [
        (d.process_key, snapshot_of(d, completed=done.get(d.id, ()), closed_at=closed_at.get(d.id))) for d in deal_rows
    ]


async def load_events(
    session: AsyncSession,
    *,
    process_key: str,
    since: datetime | None = None,
    owner_ids: Collection[int] | None = None,
    visible: ColumnElement[bool] | None = None,
) -> list[HistoryEvent]:
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
        HistoryEvent(
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
