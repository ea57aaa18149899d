"""Period end for one viewer, each view a whole use case: the pipeline (`pipelines`) and the ranking of
open deals with a quota plan (`prioritized_deals`), read from the database in a fixed number of
statements whatever the number of deals, and computed by the pure functions of this package.

What they learn from (observed durations, stage win rates) is `api.services.history.learned`: aggregate
SQL over the process's recent history, cached until it changes. Both answers carry the learned figures
they used, so a view that shows the same deals' estimates uses the same ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, DealEvent
from api.deal_events import DealEventKind
from api.process import Outcome, Process
from api.services.accounts.viewer import Viewer, visible_deals
from api.services.forecast.money import most_common_currency
from api.services.forecast.pipeline import PipelineSummary, stale_since, summarize_groups, summarize_pipeline
from api.services.forecast.quota import QuotaPlan, plan_for_quota
from api.services.forecast.ranking import (
    Assessor,
    PrioritizedDeal,
    end_of_quarter,
    prioritize,
    start_of_quarter,
)
from api.services.history.learned import LearnedHistory, learned_history
from api.services.history.records import DealSnapshot, utc_midnight
from api.services.history.snapshots import (
    OpenDealGroup,
    deals_query,
    open_deal_groups,
    open_snapshots_by_process,
    stale_counts,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenDealsAsked:
    """Which open deals a period-end view covers: of `processes` (one when `named`, else every loaded
    one: then only those the viewer has open deals in are shown), of one owner or of everyone visible."""

    viewer: Viewer
    processes: tuple[Process, ...]
    named: bool
    owner_id: int | None = None


@dataclass(frozen=True, slots=True)
class ProcessPipeline:
    process: Process
    summary: PipelineSummary


@dataclass(frozen=True, slots=True)
class Pipelines:
    sections: tuple[ProcessPipeline, ...]
    learned: Mapping[str, LearnedHistory]
    """By process key: what each section was measured with."""


@dataclass(frozen=True, slots=True)
class Prioritization:
    period_end: date
    ranked: tuple[PrioritizedDeal, ...]
    """Across the processes, each deal estimated against its own process."""
    plan: QuotaPlan | None
    process_of: Mapping[str, Process]
    """By deal id."""
    learned: Mapping[str, LearnedHistory]
    """By process key: what the estimates were made with."""


class QuotaCurrencyUnknown(ValueError):
    """A quota was given without a currency, and no open or won deal says which it is."""


async def pipelines(session: AsyncSession, *, asked: OpenDealsAsked, now: datetime, deals: bool = True) -> Pipelines:
    """One summary per process, each measured with that process's learned durations; with `deals`, the blocked and
    stale deals themselves, else their counts only (the deals counted by state in the database: two statements
    of a few hundred rows, not every open deal)."""
    if not deals:
        return await _pipeline_figures(session, asked=asked, now=now)
    open_deals = await _open_deals(session, asked=asked, today=now.date())
    return Pipelines(
        sections=tuple(
            ProcessPipeline(
                process=p,
                summary=summarize_pipeline(
                    process=p, deals=open_deals.of(p), durations=open_deals.learned[p.key].durations, now=now
                ),
            )
            for p in open_deals.processes
        ),
        learned=open_deals.learned,
    )


async def _pipeline_figures(session: AsyncSession, *, asked: OpenDealsAsked, now: datetime) -> Pipelines:
    visible, owners = visible_deals(asked.viewer), None if asked.owner_id is None else (asked.owner_id,)
    groups: dict[str, list[OpenDealGroup]] = defaultdict(list)
    in_scope = await open_deal_groups(
        session, process_keys=[p.key for p in asked.processes], owner_ids=owners, visible=visible
    )
    for group in in_scope:
        groups[group.process_key].append(group)
    processes = tuple(p for p in asked.processes if asked.named or p.key in groups)
    learned = await _learned(session, processes, asked=asked, today=now.date())
    since = {p.key: stale_since(p, durations=learned[p.key].durations, now=now) for p in processes}
    stale = await stale_counts(
        session,
        process_keys=[p.key for p in processes],
        entered_before={(key, stage): at for key, by_stage in since.items() for stage, at in by_stage.items()},
        owner_ids=owners,
        visible=visible,
    )
    return Pipelines(
        sections=tuple(
            ProcessPipeline(
                process=p,
                summary=summarize_groups(
                    process=p,
                    groups=groups[p.key],
                    stale_by_stage={stage: count for (key, stage), count in stale.items() if key == p.key},
                    durations=learned[p.key].durations,
                ),
            )
            for p in processes
        ),
        learned=learned,
    )


async def prioritized_deals(
    session: AsyncSession,
    *,
    asked: OpenDealsAsked,
    today: date,
    period_end: date | None,
    quota: Decimal | None,
    currency: str | None = None,
) -> Prioritization:
    """Every open deal assessed against its own process, ranked together; with a quota, the plan to close
    the gap. The quota is in `currency` (default: the currency most open deals are in, else most deals won
    in the period; `QuotaCurrencyUnknown` when there are neither); only deals and wins in it count."""
    end = period_end or end_of_quarter(today)
    open_deals = await _open_deals(session, asked=asked, today=today)
    assessments = [
        assessor.assess(deal)
        for p in open_deals.processes
        for assessor in [
            Assessor(
                process=p,
                durations=open_deals.learned[p.key].durations,
                today=today,
                period_end=end,
                learned_win_rates=open_deals.learned[p.key].win_rates,
            )
        ]
        for deal in open_deals.of(p)
    ]
    ranked = prioritize(assessments=assessments, today=today)
    plan = None
    if quota is not None:
        plan = await _quota_plan(
            session, asked=asked, open_deals=open_deals, ranked=ranked, period_end=end, quota=quota, currency=currency
        )
    return Prioritization(
        period_end=end,
        ranked=ranked,
        plan=plan,
        process_of={deal.deal_id: p for p in open_deals.processes for deal in open_deals.of(p)},
        learned=open_deals.learned,
    )


@dataclass(frozen=True, slots=True)
class _OpenDeals:
    processes: tuple[Process, ...]
    by_process: Mapping[str, tuple[DealSnapshot, ...]]
    learned: Mapping[str, LearnedHistory]

    def of(self, process: Process) -> tuple[DealSnapshot, ...]:
        return self.by_process.get(process.key, ())

    @property
    def most_common_currency(self) -> str | None:
        """The currency most of the open deals are in (ties: alphabetically first); None without deals."""
        return most_common_currency(d.currency for p in self.processes for d in self.of(p))


async def _open_deals(session: AsyncSession, *, asked: OpenDealsAsked, today: date) -> _OpenDeals:
    """Two statements for the deals, then one per process shown for what its history says (three more
    for a process whose history changed since it was last learned)."""
    found = await open_snapshots_by_process(
        session,
        process_keys=[p.key for p in asked.processes],
        visible=visible_deals(asked.viewer),
        owner_ids=None if asked.owner_id is None else (asked.owner_id,),
    )
    by_process: dict[str, list[DealSnapshot]] = defaultdict(list)
    for process_key, deal in found:
        by_process[process_key].append(deal)
    processes = tuple(p for p in asked.processes if asked.named or p.key in by_process)
    return _OpenDeals(
        processes=processes,
        by_process={key: tuple(deals) for key, deals in by_process.items()},
        learned=await _learned(session, processes, asked=asked, today=today),
    )


async def _learned(
    session: AsyncSession, processes: tuple[Process, ...], *, asked: OpenDealsAsked, today: date
) -> dict[str, LearnedHistory]:
    """By process key: what each process's history says, as the viewer may see it."""
    return {p.key: await learned_history(session, process=p, today=today, viewer=asked.viewer) for p in processes}


async def _quota_plan(
    session: AsyncSession,
    *,
    asked: OpenDealsAsked,
    open_deals: _OpenDeals,
    ranked: tuple[PrioritizedDeal, ...],
    period_end: date,
    quota: Decimal,
    currency: str | None,
) -> QuotaPlan:
    """One statement: what was won this period. Won deals count from every process asked about."""
    owners = None if asked.owner_id is None else (asked.owner_id,)
    deals = deals_query(
        process_key=[p.key for p in asked.processes], since=None, owner_ids=owners, visible=visible_deals(asked.viewer)
    )
    won = await won_in_period(session, deals=deals, period_start=start_of_quarter(period_end), period_end=period_end)
    quota_currency = currency or open_deals.most_common_currency or won.most_common_currency
    if quota_currency is None:
        raise QuotaCurrencyUnknown("currency: give the quota's currency (no open or won deals to take it from)")
    return plan_for_quota(
        ranked=ranked, quota=quota, won_this_period=won.in_currency(quota_currency), currency=quota_currency
    )


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
        .where(DealEvent.kind == DealEventKind.CLOSED_WON.value, DealEvent.occurred_at >= utc_midnight(period_start))
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
