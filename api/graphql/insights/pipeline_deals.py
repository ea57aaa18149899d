"""Blocked and stale deals as GraphQL types, each with the key the manager's lists are sorted by."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

import strawberry

from api.graphql.core import fields
from api.graphql.core.context import Info_
from api.graphql.deals.types import DealType
from api.graphql.insights.types import load_deal
from api.graphql.process.types import MilestoneType, StageType
from api.process import Process
from api.services.forecast.days_to_close import estimate_days_to_close
from api.services.forecast.pipeline import STALE_FACTOR, DealLists, PipelineSummary
from api.services.forecast.service import ProcessPipeline
from api.services.history.durations import MIN_OBSERVATIONS
from api.services.history.records import DealSnapshot, whole_days_between

SortKey = tuple[float, str]
"""(when the deal entered its stage as a timestamp, or minus how overdue it is; its id): a list's order."""


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


def blocked_in(sections: Sequence[ProcessPipeline], *, now: datetime) -> Iterator[tuple[SortKey, BlockedDeal]]:
    """Every blocked deal, keyed longest in stage first."""
    for s in sections:
        for b in _listed(s).blocked:
            view = BlockedDeal(
                deal_id=b.deal.deal_id,
                estimated_days_to_close=_days_to_close(s.process, s.summary, b.deal),
                days_in_stage=whole_days_between(b.deal.entered_stage_at, now),
                next_stage=StageType.of(s.process, b.next_stage),
                missing_milestones=[MilestoneType.of(s.process, m) for m in b.missing],
            )
            yield (b.deal.entered_stage_at.timestamp(), b.deal.deal_id), view


def stale_in(sections: Sequence[ProcessPipeline], *, now: datetime) -> Iterator[tuple[SortKey, StaleDeal]]:
    """Every stale deal, keyed most overdue (days in stage over expected days) first."""
    for s in sections:
        for d in _listed(s).stale:
            view = StaleDeal(
                deal_id=d.deal.deal_id,
                estimated_days_to_close=_days_to_close(s.process, s.summary, d.deal),
                days_in_stage=whole_days_between(d.deal.entered_stage_at, now),
                expected_days=d.expected_days,
            )
            yield (-d.days_in_stage / d.expected_days, d.deal.deal_id), view


def _listed(section: ProcessPipeline) -> DealLists:
    """The section's blocked and stale deals: read whenever a query selects them (`Pipeline.lists_deals`)."""
    if section.summary.deals is None:
        raise RuntimeError("the pipeline was summarised without its deals, yet a list of them was asked for")
    return section.summary.deals
