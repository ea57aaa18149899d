"""The manager's view as GraphQL types: for one named process, or for every process the viewer has open
deals in (then the figures cover them all, and `processes` has them one process at a time)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from api.graphql.core import fields
from api.graphql.insights.money import MoneyType, money_list
from api.graphql.insights.pipeline_deals import BlockedDeal, SortKey, StaleDeal, blocked_in, stale_in
from api.graphql.insights.pipeline_pages import (
    BlockedDealConnection,
    BlockedDealEdge,
    PageAfter,
    PageSize,
    StaleDealConnection,
    StaleDealEdge,
    checked_size,
    page_of,
)
from api.graphql.process.types import ProcessType, StageType
from api.services.forecast.pipeline import STALE_FACTOR, STRENGTH_BUCKETS
from api.services.forecast.service import ProcessPipeline
from api.services.history.durations import MIN_OBSERVATIONS


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


@strawberry.type(description="How many open deals have a strength in [low, high).")
class StrengthBucket:
    low: float = strawberry.field(description="Lower bound, included.")
    high: float = strawberry.field(description="Upper bound, excluded (the last bucket includes 1).")
    count: int = strawberry.field(description="Open deals in the bucket.")


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
        return sum(s.summary.blocked_count for s in self.sections)

    @fields.field(
        description="Deals failing the gate into their next stage, longest in stage first.",
        deprecation_reason="Use `blockedDeals`: the same deals as a cursor connection.",
    )
    def blocked(
        self, first: Annotated[int, strawberry.argument(description="At most this many (0–500).")] = 50
    ) -> list[BlockedDeal]:
        return [deal for _, deal in self._blocked()[: checked_size(first)]]

    @fields.field(description="Deals failing the gate into their next stage, longest in stage first, a page at a time.")
    def blocked_deals(
        self,
        first: PageSize = None,
        after: PageAfter = None,
    ) -> BlockedDealConnection:
        page = page_of(self._blocked(), kind="blocked", first=first, after=after)
        edges = [BlockedDealEdge(cursor=cursor, node=deal) for cursor, deal in page.items]
        return BlockedDealConnection(edges=edges, page_info=page.page_info, total_count=page.total_count)

    @fields.field(description="How many deals are stale.")
    def stale_count(self) -> int:
        return sum(s.summary.stale_count for s in self.sections)

    @fields.field(
        description=f"Deals in their stage longer than {STALE_FACTOR} × its longest mandatory milestone (its longest "
        f"milestone when none is mandatory), measured by its observed median once it has {MIN_OBSERVATIONS} "
        "observations, else by typical days; most overdue first (days in stage over expected days).",
        deprecation_reason="Use `staleDeals`: the same deals as a cursor connection.",
    )
    def stale(
        self, first: Annotated[int, strawberry.argument(description="At most this many (0–500).")] = 50
    ) -> list[StaleDeal]:
        return [deal for _, deal in self._stale()[: checked_size(first)]]

    @fields.field(description="The deals of `stale`, most overdue first, a page at a time.")
    def stale_deals(
        self,
        first: PageSize = None,
        after: PageAfter = None,
    ) -> StaleDealConnection:
        page = page_of(self._stale(), kind="stale", first=first, after=after)
        edges = [StaleDealEdge(cursor=cursor, node=deal) for cursor, deal in page.items]
        return StaleDealConnection(edges=edges, page_info=page.page_info, total_count=page.total_count)

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

    def _blocked(self) -> list[tuple[SortKey, BlockedDeal]]:
        return sorted(blocked_in(self.sections, now=self.now), key=lambda keyed: keyed[0])

    def _stale(self) -> list[tuple[SortKey, StaleDeal]]:
        return sorted(stale_in(self.sections, now=self.now), key=lambda keyed: keyed[0])


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
