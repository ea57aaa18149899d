"""Prioritisation, pipeline and insights for one viewer, read from the database in a fixed number of
statements (whatever the number of deals) and computed by the pure functions in `api.services`.

What prioritisation, the pipeline and the deal page learn from (observed durations, stage win rates) is
`api.services.learned_history`: aggregate SQL over the process's recent history, cached until it changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, DealEvent, EventKind
from api.process.models import Outcome, Process
from api.services.auth import Viewer, visible_deals
from api.services.deal_records import DealSnapshot
from api.services.history_queries import deals_query, load_snapshots_by_process
from api.services.insights import ProcessInsights
from api.services.learned_history import CACHED_PROCESSES, LearnedHistory, history_stamp, of_process, utc_midnight
from api.services.money import most_common_currency
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
class OpenDeals:
    """The open deals a board covers, by process: one named process (even without deals), or, when none is
    named, every loaded process the viewer has an open deal in, in the definitions' order."""

    processes: tuple[Process, ...]
    by_process: Mapping[str, tuple[DealSnapshot, ...]]
    won_counted_in: tuple[str, ...]
    """The processes whose deals count as won in the period: the named one, or every loaded one."""

    def of(self, process: Process) -> tuple[DealSnapshot, ...]:
        return self.by_process.get(process.key, ())

    @property
    def most_common_currency(self) -> str | None:
        """The currency most of the open deals are in (ties: alphabetically first); None without deals."""
        return most_common_currency(d.currency for p in self.processes for d in self.of(p))


@dataclass(frozen=True, slots=True)
class ProcessPipeline:
    process: Process
    summary: PipelineSummary


@dataclass(frozen=True, slots=True)
class Prioritization:
    period_end: date
    ranked: tuple[PrioritizedDeal, ...]
    """Across the processes, each deal estimated against its own process."""
    plan: QuotaPlan | None
    process_of: Mapping[str, Process]
    """By deal id."""


async def insights_for(
    session: AsyncSession, *, viewer: Viewer, process: Process, since: datetime | None
) -> ProcessInsights:
    """Over the deals the viewer may see (a rep's own, a manager's team's, everyone's for an admin), unlike
    `learned_history`: these figures name deals (overrides) and answer "how are *my* deals doing", so they
    follow visibility. Five aggregate statements (`api.services.process_statistics`); for a viewer who sees
    every deal, one while the history is unchanged (see `history_stamp`): over the whole history those five
    take seconds, while a rep's or a team's few deals take milliseconds and are not cached."""
    deals = and_(of_process(process, since), visible_deals(viewer))
    if not viewer.sees_every_deal:
        return await process_statistics(session, process=process, deals=deals)
    key = (id(session.get_bind()), process.key, since)
    stamp = await history_stamp(session)
    cached = _whole_history_insights.get(key)
    if cached is not None and cached[0] is process and cached[1] == stamp:
        return cached[2]
    insights = await process_statistics(session, process=process, deals=deals)
    if len(_whole_history_insights) >= CACHED_PROCESSES:
        _whole_history_insights.pop(next(iter(_whole_history_insights)))
    _whole_history_insights[key] = (process, stamp, insights)
    return insights


_whole_history_insights: dict[tuple[int, str, datetime | None], tuple[Process, tuple[Any, ...], ProcessInsights]] = {}


def forget_whole_history_insights() -> None:
    """Drop every cached answer (benchmarks measuring the cold path use it)."""
    _whole_history_insights.clear()


async def open_deals_for(
    session: AsyncSession,
    *,
    viewer: Viewer,
    processes: Sequence[Process],
    owner_id: int | None,
    named: bool,
) -> OpenDeals:
    """Two statements: the open deals of `processes` the viewer may see (of one owner, if given)."""
    found = await load_snapshots_by_process(
        session,
        process_key=[p.key for p in processes],
        visible=visible_deals(viewer),
        owner_ids=None if owner_id is None else (owner_id,),
        only_open=True,
    )
    by_process: dict[str, list[DealSnapshot]] = defaultdict(list)
    for process_key, deal in found:
        by_process[process_key].append(deal)
    return OpenDeals(
        processes=tuple(p for p in processes if named or p.key in by_process),
        by_process={key: tuple(deals) for key, deals in by_process.items()},
        won_counted_in=tuple(p.key for p in processes),
    )


def pipelines_of(
    open_deals: OpenDeals, *, learned: Mapping[str, LearnedHistory], now: datetime
) -> tuple[ProcessPipeline, ...]:
    """One summary per process of `open_deals`, measured with that process's learned durations."""
    return tuple(
        ProcessPipeline(
            process=p,
            summary=summarize_pipeline(process=p, deals=open_deals.of(p), durations=learned[p.key].durations, now=now),
        )
        for p in open_deals.processes
    )


async def prioritized_for(
    session: AsyncSession,
    *,
    viewer: Viewer,
    open_deals: OpenDeals,
    owner_id: int | None,
    today: date,
    period_end: date | None,
    quota: Decimal | None,
    currency: str | None = None,
    learned: Mapping[str, LearnedHistory],
) -> Prioritization:
    """No statement, one with a quota: every open deal assessed against its own process, ranked together.
    The quota is in `currency` (default: the currency most open deals are in, else most deals won in the
    period; `QuotaCurrencyUnknown` when there are neither); only deals and wins in it count."""
    end = period_end or end_of_quarter(today)
    process_of = {deal.deal_id: p for p in open_deals.processes for deal in open_deals.of(p)}
    assessments = [
        assess_deal(
            process=p,
            deal=deal,
            durations=learned[p.key].durations,
            today=today,
            period_end=end,
            learned_win_rates=learned[p.key].win_rates,
        )
        for p in open_deals.processes
        for deal in open_deals.of(p)
    ]
    ranked = prioritize(assessments=assessments, today=today)
    plan = None
    if quota is not None:
        owners = None if owner_id is None else (owner_id,)
        deals = deals_query(
            process_key=open_deals.won_counted_in, since=None, owner_ids=owners, visible=visible_deals(viewer)
        )
        won = await won_in_period(session, deals=deals, period_start=start_of_quarter(end), period_end=end)
        quota_currency = currency or open_deals.most_common_currency or won.most_common_currency
        if quota_currency is None:
            raise QuotaCurrencyUnknown("currency: give the quota's currency (no open or won deals to take it from)")
        plan = plan_for_quota(
            ranked=ranked, quota=quota, won_this_period=won.in_currency(quota_currency), currency=quota_currency
        )
    return Prioritization(period_end=end, ranked=ranked, plan=plan, process_of=process_of)


class QuotaCurrencyUnknown(ValueError):
    """A quota was given without a currency, and no open or won deal says which it is."""


@dataclass(frozen=True, slots=True)
class WonInPeriod:
    by_currency: Mapping[str, tuple[Decimal, int]]
    """Amount won and number of deals, per currency."""

    def in_currency(self, currency: str) -> Decimal:
        return self.by_currency.get(currency, (Decimal(0), 0))[0]

    @property
    def most_common_currency(self) -> str | None:
        """The currency most won deals are in (ties: alphabetically first); None when nothing was won."""
        return most_common_currency(c for c, (_, n) in self.by_currency.items() for _ in range(n))


async def won_in_period(
    session: AsyncSession, *, deals: Select[int], period_start: date, period_end: date
) -> WonInPeriod:
    """One statement: per currency, the amount and count of the `deals` (a query of ids) that are won and whose
    last close as won fell between the two dates (UTC, both included), whenever they were created."""
    last_won = (
        select(DealEvent.deal_id)
        .where(DealEvent.kind == EventKind.CLOSED_WON.value, DealEvent.occurred_at >= utc_midnight(period_start))
        .group_by(DealEvent.deal_id)
        .having(func.max(DealEvent.occurred_at) < utc_midnight(period_end + timedelta(days=1)))
    )
    rows = await session.execute(
        select(Deal.currency, func.sum(Deal.amount), func.count())
        .where(
            Deal.status == Outcome.WON.value,
            Deal.id.in_(last_won.scalar_subquery()),
            Deal.id.in_(deals.scalar_subquery()),
        )
        .group_by(Deal.currency)
    )
    return WonInPeriod(by_currency={str(c): (Decimal(total or 0), int(n)) for c, total, n in rows})
