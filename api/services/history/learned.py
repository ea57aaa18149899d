"""What prioritisation, the pipeline and the deal page learn from recorded history, by aggregate SQL.

Two figures, each measured as `api.services.history.insights` defines it, over every deal of the process
created in the last `LEARNING_WINDOW_DAYS` days (recent enough to describe how the team sells now; bounded
so the cost does not grow with the age of the database):

* the **observed duration** of each milestone (median days from entering the stage the deal was in to
  the deal's first completion of the milestone, with the number of observations), and
* the **win rate** of each open stage (of the closed deals that ever entered it, the share won).

Whose deals they are learned from (the rule that keeps one team's activity from another team):

* **a rep or a manager**: only the deals they may see (a rep's own, a manager's team's). A process-wide
  figure would move when anyone anywhere completed a milestone: a rep of one team watching an
  `observations` count go from 19 to 20 would learn that someone in another team just did. From their own
  scope every figure they are shown follows only activity they can already see deal by deal;
* **enablement and admin**: every deal of the process (they see every deal anyway);
* without a viewer (reports, tests): every deal of the process.

So the same deal can show a different estimate to its rep and to an admin: each is learned from what its
reader may see. A scope with fewer than `MIN_OBSERVATIONS` completions of a milestone uses the milestone's
typical days, as a young process does. Answers are kept in `history_cache`, per scope, until the history
changes or the day, and with it the window, moves on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, DealEvent
from api.deal_events import ENTERS_A_STAGE
from api.process import Outcome, Process
from api.services.accounts.viewer import Viewer, visible_deals
from api.services.history.cache import Question, history_cache
from api.services.history.durations import MilestoneDurations, ObservedDuration, milestone_durations
from api.services.history.insights import StageWinRate
from api.services.history.records import utc_midnight
from api.services.history.sql import (
    CLOSED_STATUSES,
    first_completion_durations,
    median_days_by_key,
    of_process,
)

LEARNING_WINDOW_DAYS = 365


@dataclass(frozen=True, slots=True)
class LearnedHistory:
    """What one process's recent history says, ready for the estimate and the expected value."""

    durations: MilestoneDurations
    win_rates: Mapping[str, StageWinRate]
    """By open stage key."""


def learning_window_start(today: date) -> date:
    return today - timedelta(days=LEARNING_WINDOW_DAYS)


async def learned_history(
    session: AsyncSession, *, process: Process, today: date, viewer: Viewer | None = None
) -> LearnedHistory:
    """One statement while the history is unchanged; after a change, one too, with the figures from before it
    while they are measured again in the background (`history_cache`); three the first time.

    Learned from the deals `viewer` may see when they are a rep or a manager (see the module's rule)."""
    question, learn = _learning(process=process, today=today, viewer=viewer)
    return await history_cache.get(session, question=question, process=process, compute=learn)


def learned_from_every_deal(*, process: Process, today: date) -> Question[LearnedHistory]:
    """The question the first request of an admin or enablement would otherwise measure on its path: the
    figures learned from every deal (seconds at 100,000 deals; a rep's or a team's take milliseconds)."""
    question, learn = _learning(process=process, today=today, viewer=None)
    return Question(question=question, process=process, compute=learn)


def _learning(
    *, process: Process, today: date, viewer: Viewer | None
) -> tuple[Hashable, Callable[[AsyncSession], Awaitable[LearnedHistory]]]:
    """The cache's question for this scope, and how to answer it."""
    window_start = learning_window_start(today)
    scoped = viewer is not None and not viewer.sees_every_deal
    deals = visible_deals(viewer) if viewer is not None and scoped else None

    async def learn(session: AsyncSession) -> LearnedHistory:
        since = utc_midnight(window_start)
        observed = await observed_milestone_durations(session, process=process, since=since, deals=deals)
        return LearnedHistory(
            durations=milestone_durations(process=process, observed=observed),
            win_rates=await stage_win_rates(session, process=process, since=since, deals=deals),
        )

    scope = (viewer.role.value, viewer.id, viewer.team_id) if viewer is not None and scoped else "every deal"
    return ("learned history", process.key, window_start, scope), learn


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
            Deal.status.in_(CLOSED_STATUSES),
            DealEvent.kind.in_([kind.value for kind in ENTERS_A_STAGE]),
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
