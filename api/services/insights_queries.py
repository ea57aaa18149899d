"""Prioritisation, pipeline and insights for one viewer, read from the database in a fixed number of
statements (whatever the number of deals) and computed by the pure functions in `api.services`.

What prioritisation, the pipeline and the deal page learn from (observed durations, stage win rates) is
`api.services.learned_history`: aggregate SQL over the process's recent history, cached until it changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, DealEvent, EventKind
from api.process.models import Outcome, Process
from api.services.auth import Viewer, visible_deals
from api.services.durations import MilestoneDurations
from api.services.history_queries import deals_query, load_snapshots
from api.services.insights import ProcessInsights
from api.services.learned_history import LearnedHistory, of_process, utc_midnight
from api.services.pipeline import PipelineSummary, summarize_pipeline
from api.services.prioritization import (
    PrioritizedDeal,
    assess_deal,
    end_of_quarter,
    prioritize,
    start_of_quarter,
)
from api.services.process_statistics import process_statistics
from api.services.quota_plan import QuotaPlan, plan_for_quota


@dataclass(frozen=True, slots=True)
class Prioritization:
    period_end: date
    ranked: tuple[PrioritizedDeal, ...]
    plan: QuotaPlan | None
    durations: MilestoneDurations


async def insights_for(
    session: AsyncSession, *, viewer: Viewer, process: Process, since: datetime | None
) -> ProcessInsights:
    """Over the deals the viewer may see (a rep's own, a manager's team's, everyone's for an admin), unlike
    `learned_history`: these figures name deals (overrides) and answer "how are *my* deals doing", so they
    follow visibility. Five aggregate statements (`api.services.process_statistics`)."""
    deals = and_(of_process(process, since), visible_deals(viewer))
    return await process_statistics(session, process=process, deals=deals)


async def pipeline_for(
    session: AsyncSession,
    *,
    viewer: Viewer,
    process: Process,
    owner_id: int | None,
    now: datetime,
    learned: LearnedHistory,
) -> PipelineSummary:
    """Open deals only: two statements."""
    deals = await load_snapshots(
        session,
        process_key=process.key,
        visible=visible_deals(viewer),
        owner_ids=None if owner_id is None else (owner_id,),
        only_open=True,
    )
    return summarize_pipeline(process=process, deals=deals, durations=learned.durations, now=now)


async def prioritized_for(
    session: AsyncSession,
    *,
    viewer: Viewer,
    process: Process,
    owner_id: int | None,
    today: date,
    period_end: date | None,
    quota: Decimal | None,
    learned: LearnedHistory,
) -> Prioritization:
    """Two statements, three with a quota."""
    end = period_end or end_of_quarter(today)
    owners = None if owner_id is None else (owner_id,)
    visible = visible_deals(viewer)
    open_deals = await load_snapshots(
        session, process_key=process.key, visible=visible, owner_ids=owners, only_open=True
    )
    assessments = [
        assess_deal(
            process=process,
            deal=deal,
            durations=learned.durations,
            today=today,
            period_end=end,
            learned_win_rates=learned.win_rates,
        )
        for deal in open_deals
    ]
    ranked = prioritize(assessments=assessments, today=today)
    plan = None
    if quota is not None:
        won = await won_in_period(
            session,
            deals=deals_query(process_key=process.key, since=None, owner_ids=owners, visible=visible),
            period_start=start_of_quarter(end),
            period_end=end,
        )
        plan = plan_for_quota(ranked=ranked, quota=quota, won_this_period=won)
    return Prioritization(period_end=end, ranked=ranked, plan=plan, durations=learned.durations)


async def won_in_period(
    session: AsyncSession, *, deals: Select[int], period_start: date, period_end: date
) -> Decimal:
    """One statement: the amount of the `deals` (a query of ids) that are won and whose last close as won
    fell between the two dates (UTC, both included), whenever they were created."""
    last_won = (
        select(DealEvent.deal_id)
        .where(DealEvent.kind == EventKind.CLOSED_WON.value, DealEvent.occurred_at >= utc_midnight(period_start))
        .group_by(DealEvent.deal_id)
        .having(func.max(DealEvent.occurred_at) < utc_midnight(period_end + timedelta(days=1)))
    )
    total = await session.scalar(
        select(func.coalesce(func.sum(Deal.amount), 0)).where(
            Deal.status == Outcome.WON.value,
            Deal.id.in_(last_won.scalar_subquery()),
            Deal.id.in_(deals.scalar_subquery()),
        )
    )
    return Decimal(total or 0)
