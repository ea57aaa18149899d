"""Prioritisation, pipeline and insights for one viewer, read from the database in a fixed number of
statements (whatever the number of deals) and computed by the pure functions in `api.services`.

What prioritisation learns from (observed durations, stage win rates) comes from the deals the viewer may
see that were created in the last `LEARNING_WINDOW_DAYS` days: recent enough to describe how the team
sells now, and bounded so the cost does not grow with the age of the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from api.process.models import Process
from api.services.auth import Viewer, visible_deals
from api.services.durations import MilestoneDurations, milestone_durations
from api.services.history_queries import load_events, load_snapshots
from api.services.insights import ProcessInsights, process_insights
from api.services.pipeline import PipelineSummary, summarize_pipeline
from api.services.prioritization import (
    PrioritizedDeal,
    assess_deal,
    end_of_quarter,
    prioritize,
    start_of_quarter,
)
from api.services.quota_plan import QuotaPlan, plan_for_quota, won_in_period

LEARNING_WINDOW_DAYS = 365


@dataclass(frozen=True, slots=True)
class Prioritization:
    period_end: date
    ranked: tuple[PrioritizedDeal, ...]
    plan: QuotaPlan | None
    durations: MilestoneDurations


async def insights_for(
    session: AsyncSession, *, viewer: Viewer, process: Process, since: datetime | None
) -> ProcessInsights:
    visible = visible_deals(viewer)
    deals = await load_snapshots(session, process_key=process.key, since=since, visible=visible)
    events = await load_events(session, process_key=process.key, since=since, visible=visible)
    return process_insights(process=process, deals=deals, events=events)


async def pipeline_for(
    session: AsyncSession, *, viewer: Viewer, process: Process, owner_id: int | None, now: datetime
) -> PipelineSummary:
    """Open deals only: two statements. Stale uses typical days (see `api.services.pipeline`)."""
    deals = await load_snapshots(
        session,
        process_key=process.key,
        visible=visible_deals(viewer),
        owner_ids=None if owner_id is None else (owner_id,),
        only_open=True,
    )
    return summarize_pipeline(process=process, deals=deals, durations=milestone_durations(process=process), now=now)


async def prioritized_for(
    session: AsyncSession,
    *,
    viewer: Viewer,
    process: Process,
    owner_id: int | None,
    today: date,
    period_end: date | None,
    quota: Decimal | None,
) -> Prioritization:
    end = period_end or end_of_quarter(today)
    learned_since = datetime.combine(today - timedelta(days=LEARNING_WINDOW_DAYS), datetime.min.time(), tzinfo=UTC)
    learned = await insights_for(session, viewer=viewer, process=process, since=learned_since)
    durations = milestone_durations(process=process, observed=learned.observed_durations())
    owners = None if owner_id is None else (owner_id,)
    visible = visible_deals(viewer)
    open_deals = await load_snapshots(
        session, process_key=process.key, visible=visible, owner_ids=owners, only_open=True
    )
    assessments = [
        assess_deal(
            process=process,
            deal=deal,
            durations=durations,
            today=today,
            period_end=end,
            learned_win_rates=learned.learned_win_rates(),
        )
        for deal in open_deals
    ]
    ranked = prioritize(assessments=assessments, today=today)
    plan = None
    if quota is not None:
        period_start = start_of_quarter(end)
        closed = await load_snapshots(
            session,
            process_key=process.key,
            visible=visible,
            owner_ids=owners,
            since=datetime.combine(
                period_start - timedelta(days=LEARNING_WINDOW_DAYS), datetime.min.time()
            ).astimezone(),
        )
        won = won_in_period(deals=closed, period_start=period_start, period_end=end)
        plan = plan_for_quota(ranked=ranked, quota=quota, won_this_period=won)
    return Prioritization(period_end=end, ranked=ranked, plan=plan, durations=durations)
