"""What the recorded history says about a process, by aggregate SQL: the figures of
`api.services.history.insights` (which defines how each one is measured), in five statements whatever the
number of deals, on SQLite (≥ 3.25, window functions) and PostgreSQL.

* **Conversion** and **stage win rate**: the distinct stages each deal ever entered, the furthest non-lost
  stage it reached (a deal "advanced" from a stage when it reached a later one), grouped by stage.
* **Time in stage**: each stage entry paired with the deal's next stage entry (`lead`), medians as in
  `api.services.history.sql.median_days_by_key`.
* **Observed milestone durations**: `api.services.history.sql.first_completion_durations`.
* **Lift**: closed deals outer-joined to their completed milestones, grouped by milestone.
* **Overridden gates**: the override events with the deal's status.

One difference from the reference walk (`tests/insights/reference_walk.py`), for history the walk never
meets: after a deal entered a stage that is no longer in the process (removed, not renamed), the walk stops
measuring milestone durations until the deal enters a known stage; here they are measured from that
unknown stage's entry.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, DealEvent, MilestoneCompletion
from api.deal_events import ENTERS_A_STAGE, DealEventKind
from api.process import Outcome, Process
from api.services.history.insights import (
    GateOverrideOutcome,
    MilestoneDurationInsight,
    MilestoneLift,
    ProcessInsights,
    StageConversion,
    StageWinRate,
    TimeInStage,
)
from api.services.history.records import HistoryEvent
from api.services.history.sql import (
    CLOSED_STATUSES,
    current_key,
    first_completion_durations,
    median_days_by_key,
    sql_elapsed_days,
)

_ENTERS = [kind.value for kind in ENTERS_A_STAGE]


async def process_statistics(session: AsyncSession, *, process: Process, deals: ColumnElement[bool]) -> ProcessInsights:
    """Insights over the deals matching `deals` (a filter on `Deal`, e.g. the process, visibility, since)."""
    conversions, win_rates = await _conversions_and_win_rates(session, process=process, deals=deals)
    visits = await median_days_by_key(session, _stage_visits(session, process=process, deals=deals))
    observed = await median_days_by_key(session, first_completion_durations(session, process=process, deals=deals))
    return ProcessInsights(
        conversions=conversions,
        time_in_stage=tuple(
            TimeInStage(
                stage=s,
                median_days=visits[s.key].median_days if s.key in visits else None,
                visits=visits[s.key].observations if s.key in visits else 0,
            )
            for s in process.open_stages
        ),
        milestone_durations=tuple(
            MilestoneDurationInsight(milestone=m, observed=observed.get(m.key)) for m in process.milestones
        ),
        lifts=await _lifts(session, process=process, deals=deals),
        stage_win_rates=win_rates,
        overrides=await _overrides(session, deals=deals),
    )


def _known_stage_keys(process: Process) -> list[str]:
    return [key for s in process.stages for key in (s.key, *s.formerly)]


async def _conversions_and_win_rates(
    session: AsyncSession, *, process: Process, deals: ColumnElement[bool]
) -> tuple[tuple[StageConversion, ...], tuple[StageWinRate, ...]]:
    """One statement: per stage, the deals that entered it, advanced, were lost, were closed and were won.

    One pass over the stage entries: grouped to each deal's distinct entered stages, with the deal's furthest
    non-lost stage as a window over those groups (it was a second scan of the entries, joined back)."""
    stage = current_key(process.renamed_stages, DealEvent.to_stage)
    not_lost = {s.key: i for i, s in enumerate(process.stages) if s.outcome is not Outcome.LOST}
    entries = (
        select(
            stage.label("stage"),
            Deal.status,
            func.coalesce(
                func.max(func.max(case(not_lost, value=stage))).over(partition_by=DealEvent.deal_id), -1
            ).label("furthest"),
        )
        .join(Deal, Deal.id == DealEvent.deal_id)
        .where(deals, DealEvent.kind.in_(_ENTERS), DealEvent.to_stage.in_(_known_stage_keys(process)))
        .group_by(DealEvent.deal_id, stage, Deal.status)
        .subquery("entries")
    )
    position = case({s.key: i for i, s in enumerate(process.stages)}, value=entries.c.stage)
    advanced = entries.c.furthest > position
    rows = await session.execute(
        select(
            entries.c.stage,
            func.count(),
            func.sum(case((advanced, 1), else_=0)),
            func.sum(case((~advanced & (entries.c.status == Outcome.LOST.value), 1), else_=0)),
            func.sum(case((entries.c.status.in_(CLOSED_STATUSES), 1), else_=0)),
            func.sum(case((entries.c.status == Outcome.WON.value, 1), else_=0)),
        ).group_by(entries.c.stage)
    )
    counts = {str(stage): tuple(int(n or 0) for n in numbers) for stage, *numbers in rows}
    conversions, win_rates = [], []
    for s in process.open_stages:
        entered, went_on, lost, closed, won = counts.get(s.key, (0, 0, 0, 0, 0))
        conversions.append(
            StageConversion(stage=s, entered=entered, advanced=went_on, lost=lost, still_open=entered - went_on - lost)
        )
        win_rates.append(StageWinRate(stage_key=s.key, won=won, closed=closed))
    return tuple(conversions), tuple(win_rates)


def _stage_visits(session: AsyncSession, *, process: Process, deals: ColumnElement[bool]) -> Any:
    """A subquery of (key, days): every finished visit of an open stage, to the deal's next stage entry."""
    entries = (
        select(
            current_key(process.renamed_stages, DealEvent.to_stage).label("stage"),
            DealEvent.occurred_at.label("entered_at"),
            func.lead(DealEvent.occurred_at)
            .over(partition_by=DealEvent.deal_id, order_by=(DealEvent.occurred_at, DealEvent.id))
            .label("left_at"),
        )
        .join(Deal, Deal.id == DealEvent.deal_id)
        .where(deals, DealEvent.kind.in_(_ENTERS), DealEvent.to_stage.is_not(None))
        .subquery("stage_entries")
    )
    return (
        select(
            entries.c.stage.label("key"),
            sql_elapsed_days(session, entries.c.entered_at, entries.c.left_at).label("days"),
        )
        .where(entries.c.left_at.is_not(None), entries.c.stage.in_([s.key for s in process.open_stages]))
        .subquery("visits")
    )


async def _lifts(session: AsyncSession, *, process: Process, deals: ColumnElement[bool]) -> tuple[MilestoneLift, ...]:
    """One statement: closed deals (with their totals) outer-joined to their completed milestones."""
    is_won = Deal.status == Outcome.WON.value
    closed = (
        select(
            Deal.id,
            is_won.label("won"),
            func.count().over().label("closed_total"),
            func.sum(case((is_won, 1), else_=0)).over().label("won_total"),
        )
        .where(deals, Deal.status.in_(CLOSED_STATUSES))
        .subquery("closed")
    )
    known = [key for m in process.milestones for key in (m.key, *m.formerly)]
    done = (
        select(
            MilestoneCompletion.deal_id,
            current_key(process.renamed_milestones, MilestoneCompletion.milestone_key).label("key"),
        )
        .where(MilestoneCompletion.milestone_key.in_(known))
        .subquery("done")
    )
    rows = await session.execute(
        select(
            done.c.key,
            func.count(closed.c.id.distinct()),
            func.count(case((closed.c.won, closed.c.id)).distinct()),
            func.max(closed.c.closed_total),
            func.max(closed.c.won_total),
        )
        .select_from(closed)
        .outerjoin(done, done.c.deal_id == closed.c.id)
        .group_by(done.c.key)
    )
    closed_total = won_total = 0
    by_milestone: dict[str, tuple[int, int]] = {}
    for key, closed_with, won_with, all_closed, all_won in rows:
        closed_total, won_total = int(all_closed), int(all_won or 0)
        if key is not None:
            by_milestone[str(key)] = (int(won_with), int(closed_with))
    lifts = []
    for m in process.milestones:
        won_with, closed_with = by_milestone.get(m.key, (0, 0))
        lifts.append(
            MilestoneLift(
                milestone=m,
                won_with=won_with,
                closed_with=closed_with,
                won_without=won_total - won_with,
                closed_without=closed_total - closed_with,
            )
        )
    return tuple(lifts)


async def _overrides(session: AsyncSession, *, deals: ColumnElement[bool]) -> tuple[GateOverrideOutcome, ...]:
    """One statement: every overridden gate of the matching deals, by deal, oldest first."""
    rows = await session.execute(
        select(
            DealEvent.deal_id,
            DealEvent.occurred_at,
            DealEvent.from_stage,
            DealEvent.to_stage,
            DealEvent.reason,
            DealEvent.skipped_milestones,
            Deal.status,
        )
        .join(Deal, Deal.id == DealEvent.deal_id)
        .where(deals, DealEvent.kind == DealEventKind.GATE_OVERRIDDEN.value)
        .order_by(DealEvent.deal_id, DealEvent.occurred_at, DealEvent.id)
    )
    return tuple(
        GateOverrideOutcome(
            event=HistoryEvent(
                deal_id=str(deal_id),
                kind=DealEventKind.GATE_OVERRIDDEN,
                at=at,
                from_stage=from_stage,
                to_stage=to_stage,
                reason=reason,
                skipped_milestones=tuple(skipped or ()),
            ),
            outcome=Outcome(status),
        )
        for deal_id, at, from_stage, to_stage, reason, skipped, status in rows
    )
