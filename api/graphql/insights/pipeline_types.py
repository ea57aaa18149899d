"""The manager's view as GraphQL types: for one named process, or for every process the viewer has open
deals in (then the figures cover them all, and `processes` has them one process at a time)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from api.graphql.core import fields
from api.graphql.core.context import Info_
from api.graphql.core.errors import ClientError
from api.graphql.deals.types import DealType
from api.graphql.insights.money import MoneyType, money_list
from api.graphql.insights.types import load_deal
from api.graphql.process.types import MilestoneType, ProcessType, StageType
from api.process import Process
from api.services.forecast.days_to_close import estimate_days_to_close
from api.services.forecast.pipeline import STALE_FACTOR, STRENGTH_BUCKETS, PipelineSummary
from api.services.forecast.pipeline import BlockedDeal as BlockedDealRecord
from api.services.forecast.pipeline import StaleDeal as StaleDealRecord
from api.services.forecast.service import ProcessPipeline
from api.services.history.durations import MIN_OBSERVATIONS
from api.services.history.records import DealSnapshot, whole_days_between


@strawberry.type(description="Open deals in one stage.")
class PipelineStage:
    process: ProcessType = strawberry.field(description="The process the stage belongs to.")
    stage: StageType = strawberry.field(description="The stage.")
    count: int = strawberry.field(description="Open deals in it.")
    amounts: list[MoneyType] = strawberry.field(
        description="Their total amount per currency, by currency code (amounts in different currencies are never "
        "added: there are no exchange rates)."
    )
    weighted_amounts: list[MoneyType] = strawberry.field(
        description="Per currency, amount × the stage's forecast probability."
    )
    currency: str | None = strawberry.field(
        description="The currency every deal of the stage is in; null without deals or when currencies differ."
    )
    amount: Decimal | None = strawberry.field(
        description="Their total amount, in `currency`: only when every deal shares one currency (0 without deals); "
        "null when currencies differ — then read `amounts`."
    )
    weighted_amount: Decimal | None = strawberry.field(
        description="Amount × the stage's forecast probability, in `currency`; null when currencies differ — then "
        "read `weightedAmounts`."
    )


def _days_to_close(process: Process, summary: PipelineSummary, deal: DealSnapshot) -> int:
    return estimate_days_to_close(process=process, deal=deal, durations=summary.durations).days_to_close


@strawberry.type(description="A deal failing the gate into its next stage.")
class BlockedDeal:
    deal_id: strawberry.Private[str]
    estimated_days_to_close: int = strawberry.field(description="As on the deal (`Deal.estimatedDaysToClose`).")
    days_in_stage: int = strawberry.field(description="Whole days since it entered its stage, as `Deal.daysInStage`.")
    next_stage: StageType = strawberry.field(description="The stage it cannot enter yet.")
    missing_milestones: list[MilestoneType] = strawberry.field(description="What is missing, in process order.")

    @fields.field(description="The deal.")
    async def deal(self, info: Info_) -> DealType:
        return await load_deal(info, self.deal_id)


@strawberry.type(description="A deal in its stage longer than the stage's expected duration.")
class StaleDeal:
    deal_id: strawberry.Private[str]
    estimated_days_to_close: int = strawberry.field(description="As on the deal (`Deal.estimatedDaysToClose`).")
    days_in_stage: int = strawberry.field(description="Whole days since it entered its stage, as `Deal.daysInStage`.")
    expected_days: int = strawberry.field(
        description=f"{STALE_FACTOR} × the stage's longest mandatory milestone (its observed median once it has "
        f"{MIN_OBSERVATIONS} observations, else typical days), rounded up; as `Deal.expectedDaysInStage`."
    )

    @fields.field(description="The deal.")
    async def deal(self, info: Info_) -> DealType:
        return await load_deal(info, self.deal_id)


@strawberry.type(description="How many open deals have a strength in [low, high).")
class StrengthBucket:
    low: float = strawberry.field(description="Lower bound, included.")
    high: float = strawberry.field(description="Upper bound, excluded (the last bucket includes 1).")
    count: int = strawberry.field(description="Open deals in the bucket.")


def _page(first: int) -> int:
    if first < 0:
        raise ClientError(f"first: must not be negative (got {first})")
    return min(first, 500)


@strawberry.type(description="Pipeline figures over the open deals of one or more processes.")
class PipelineFigures:
    sections: strawberry.Private[tuple[ProcessPipeline, ...]]
    now: strawberry.Private[datetime]
    """When the figures were measured."""

    @fields.field(
        description="Per open stage: count, amounts and weighted amounts per currency; process by process, in order."
    )
    def stages(self) -> list[PipelineStage]:
        return [
            PipelineStage(
                process=ProcessType.of(s.process),
                stage=StageType.of(s.process, t.stage),
                count=t.count,
                amounts=money_list(t.amounts),
                weighted_amounts=money_list(t.weighted_amounts),
                currency=t.currency,
                amount=t.amount,
                weighted_amount=t.weighted_amount,
            )
            for s in self.sections
            for t in s.summary.stages
        ]

    @fields.field(description="How many deals fail the gate into their next stage.")
    def blocked_count(self) -> int:
        return sum(len(s.summary.blocked) for s in self.sections)

    @fields.field(description="Deals failing the gate into their next stage, longest in stage first.")
    def blocked(
        self, first: Annotated[int, strawberry.argument(description="At most this many (0–500).")] = 50
    ) -> list[BlockedDeal]:
        found: list[tuple[ProcessPipeline, BlockedDealRecord]] = [
            (s, b) for s in self.sections for b in s.summary.blocked
        ]
        found.sort(key=lambda sb: (sb[1].deal.entered_stage_at, sb[1].deal.deal_id))
        return [
            BlockedDeal(
                deal_id=b.deal.deal_id,
                estimated_days_to_close=_days_to_close(s.process, s.summary, b.deal),
                days_in_stage=whole_days_between(b.deal.entered_stage_at, self.now),
                next_stage=StageType.of(s.process, b.next_stage),
                missing_milestones=[MilestoneType.of(s.process, m) for m in b.missing],
            )
            for s, b in found[: _page(first)]
        ]

    @fields.field(description="How many deals are stale.")
    def stale_count(self) -> int:
        return sum(len(s.summary.stale) for s in self.sections)

    @fields.field(
        description=f"Deals in their stage longer than {STALE_FACTOR} × its longest mandatory milestone (its longest "
        f"milestone when none is mandatory), measured by its observed median once it has {MIN_OBSERVATIONS} "
        "observations, else by typical days; most overdue first (days in stage over expected days)."
    )
    def stale(
        self, first: Annotated[int, strawberry.argument(description="At most this many (0–500).")] = 50
    ) -> list[StaleDeal]:
        found: list[tuple[ProcessPipeline, StaleDealRecord]] = [(s, d) for s in self.sections for d in s.summary.stale]
        found.sort(key=lambda sd: (-sd[1].days_in_stage / sd[1].expected_days, sd[1].deal.deal_id))
        return [
            StaleDeal(
                deal_id=d.deal.deal_id,
                estimated_days_to_close=_days_to_close(s.process, s.summary, d.deal),
                days_in_stage=whole_days_between(d.deal.entered_stage_at, self.now),
                expected_days=d.expected_days,
            )
            for s, d in found[: _page(first)]
        ]

    @fields.field(description="Open deals by strength, in fifths.")
    def strength(self) -> list[StrengthBucket]:
        return [
            StrengthBucket(
                low=i / STRENGTH_BUCKETS,
                high=(i + 1) / STRENGTH_BUCKETS,
                count=sum(s.summary.strength[i].count for s in self.sections),
            )
            for i in range(STRENGTH_BUCKETS)
        ]


@strawberry.type(name="ProcessPipeline", description="The manager's view of one process's open deals.")
class ProcessPipelineType(PipelineFigures):
    @fields.field(description="The process.")
    def process(self) -> ProcessType:
        return ProcessType.of(self.sections[0].process)


@strawberry.type(
    description="The manager's view of open deals: of the named process, or, when none is named, of every process "
    "you may see open deals in (the figures then cover them all; `processes` has them one process at a time)."
)
class Pipeline(PipelineFigures):
    @fields.field(
        description="The figures per process, in the definitions' order: the named process (even without deals), "
        "or every process with open deals you may see."
    )
    def processes(self) -> list[ProcessPipelineType]:
        return [ProcessPipelineType(sections=(s,), now=self.now) for s in self.sections]
