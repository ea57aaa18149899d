"""Prioritisation, pipeline and process insights as GraphQL types: thin views over `api.services` results."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import strawberry

from api.graphql.core import fields
from api.graphql.core.context import Info_
from api.graphql.deals.estimates import (
    CloseEstimateType,
    RemainingMilestoneEstimate,
    next_estimate,
    remaining_estimates,
)
from api.graphql.deals.loaders import DealByIdLoader
from api.graphql.deals.types import DealStatus, DealType
from api.graphql.insights.money import MoneyType
from api.graphql.process.types import MilestoneType, StageType
from api.process import Process
from api.services.forecast.money import Money
from api.services.forecast.quota import QuotaPlan, other_currency_reason
from api.services.forecast.ranking import PrioritizedDeal
from api.services.history.insights import ProcessInsights


@strawberry.enum(description="Where a win probability came from.")
class ProbabilitySourceKind(Enum):
    STAGE_PROBABILITY = strawberry.enum_value(
        "stage_probability", description="The forecast probability the process gives the stage."
    )
    LEARNED_WIN_RATE = strawberry.enum_value(
        "learned_win_rate", description="The win rate of closed deals from this stage, once there are enough."
    )


async def load_deal(info: Info_, deal_id: str) -> DealType:
    row = await DealByIdLoader.of(info.context).load(int(deal_id))
    if row is None:
        raise LookupError(f"deal {deal_id} vanished during the request")
    return DealType(row=row)


@strawberry.type(name="PrioritizedDeal", description="An open deal ranked for period end.")
class PrioritizedDealType:
    item: strawberry.Private[PrioritizedDeal]
    process: strawberry.Private[Process]
    """The deal's own process (`deal.process`), which its estimate was measured against."""

    @fields.field(
        description="1 for the deal to work first. Deals that fit come first, by expected value (deals in different "
        "currencies are ordered by their nominal expected values: there are no exchange rates)."
    )
    def rank(self) -> int:
        return self.item.rank

    @fields.field(description="The deal.")
    async def deal(self, info: Info_) -> DealType:
        return await load_deal(info, self.item.assessment.deal.deal_id)

    @fields.field(description="As `closeEstimate.daysToClose`, and as on the deal (`Deal.estimatedDaysToClose`).")
    def estimated_days_to_close(self) -> int:
        return self.item.assessment.estimate.days_to_close

    @fields.field(description="The estimate behind the ranking, as on the deal (`Deal.closeEstimate`).")
    def close_estimate(self) -> CloseEstimateType:
        return CloseEstimateType(estimate=self.item.assessment.estimate, process=self.process)

    @fields.field(description="As `closeEstimate.remainingMilestones`.")
    def remaining_milestones(self) -> list[RemainingMilestoneEstimate]:
        return remaining_estimates(self.item.assessment.estimate, self.process)

    @fields.field(description="As `closeEstimate.nextMilestone`.")
    def next_milestone(self) -> RemainingMilestoneEstimate | None:
        return next_estimate(self.item.assessment.estimate, self.process)

    @fields.field(description="Days from today to period end; negative once the period is over.")
    def days_left(self) -> int:
        return self.item.assessment.days_left

    @fields.field(description="Whether the estimate fits before period end.")
    def fits(self) -> bool:
        return self.item.assessment.fits

    @fields.field(description="Days to spare before period end; negative: days short.")
    def slack_days(self) -> int:
        return self.item.assessment.slack_days

    @fields.field(description="The probability used for the expected value.")
    def win_probability(self) -> float:
        return self.item.assessment.win.probability

    @fields.field(description="STAGE_PROBABILITY, or LEARNED_WIN_RATE from 30 closed deals that entered the stage.")
    def probability_source(self) -> ProbabilitySourceKind:
        return ProbabilitySourceKind(self.item.assessment.win.source.value)

    @fields.field(description="Amount × win probability, in `currency`.")
    def expected_value(self) -> Decimal:
        return self.item.assessment.expected_value

    @fields.field(description="The currency of the deal's amount and of `expectedValue` (ISO 4217).")
    def currency(self) -> str:
        return self.item.assessment.deal.currency

    @fields.field(description="`expectedValue` with its currency.")
    def expected_value_money(self) -> MoneyType:
        deal = self.item.assessment
        return MoneyType.of(Money(amount=deal.expected_value, currency=deal.deal.currency))

    @fields.field(description="One sentence on what the deal needs and how the time works out.")
    def reason(self) -> str:
        return self.item.reason


@strawberry.type(name="QuotaPlan", description="How to close the quota gap with deals that can still close in time.")
class QuotaPlanType:
    plan: strawberry.Private[QuotaPlan]
    process_of: strawberry.Private[Mapping[str, Process]]
    """By deal id."""

    @fields.field(description="The quota given, in `currency`.")
    def quota(self) -> Decimal:
        return self.plan.quota

    @fields.field(
        description="The quota's currency: every amount of the plan is in it, and only deals in it are planned."
    )
    def currency(self) -> str:
        return self.plan.currency

    @fields.field(description="Amount won this quarter so far, by deals in `currency`.")
    def won_this_period(self) -> Decimal:
        return self.plan.won_this_period

    @fields.field(description="Quota minus won, never negative.")
    def gap(self) -> Decimal:
        return self.plan.gap

    @fields.field(
        description="Fitting deals by expected value until the gap is covered; the last swapped for the smallest "
        "deal that still covers it. Each has its next milestone."
    )
    def deals(self) -> list[PrioritizedDealType]:
        return [
            PrioritizedDealType(item=p, process=self.process_of[p.assessment.deal.deal_id]) for p in self.plan.planned
        ]

    @fields.field(description="The planned deals' total expected value.")
    def planned_expected_value(self) -> Decimal:
        return self.plan.planned_expected_value

    @fields.field(description="What the plan leaves uncovered.")
    def shortfall(self) -> Decimal:
        return self.plan.shortfall

    @fields.field(
        description="Open deals in another currency than the quota's, in rank order: left out of the plan, with why."
    )
    def other_currency_deals(self) -> list[DealOutsidePlan]:
        return [
            DealOutsidePlan(
                deal=PrioritizedDealType(item=p, process=self.process_of[p.assessment.deal.deal_id]),
                reason=other_currency_reason(p, currency=self.plan.currency),
            )
            for p in self.plan.other_currency
        ]


@strawberry.type(description="An open deal the quota plan cannot use, and why.")
class DealOutsidePlan:
    deal: PrioritizedDealType = strawberry.field(description="The ranked deal.")
    reason: str = strawberry.field(description="Why it is not in the plan, e.g. its amount is in another currency.")


@strawberry.type(description="Open deals ranked for period end, and with a quota, the plan to close the gap.")
class PrioritizedDeals:
    period_end: date = strawberry.field(description="The period end used (default: end of the current quarter).")
    deals: list[PrioritizedDealType] = strawberry.field(
        description="Every open deal, in rank order: of the named process, or of every process, each deal estimated "
        "against its own process."
    )
    plan: QuotaPlanType | None = strawberry.field(description="Only when a quota is given.")


@strawberry.type(description="Conversion out of one open stage and time spent in it.")
class StageInsight:
    stage: StageType = strawberry.field(description="The stage.")
    entered: int = strawberry.field(description="Deals that ever entered it.")
    advanced: int = strawberry.field(description="Of those, deals that later entered a later stage or won.")
    lost: int = strawberry.field(description="Deals lost without moving on.")
    conversion_rate: float | None = strawberry.field(description="advanced / (advanced + lost).")
    median_days_in_stage: float | None = strawberry.field(description="Median length of finished visits.")
    win_rate: float | None = strawberry.field(description="Of closed deals that entered it, the share won.")


@strawberry.type(description="What completing a milestone says, and how long it really takes.")
class MilestoneInsight:
    milestone: MilestoneType = strawberry.field(description="The milestone.")
    typical_days: int = strawberry.field(description="From the definition.")
    observed_median_days: float | None = strawberry.field(
        description="Median days from entering the stage the deal was in to completing it (first completions)."
    )
    observations: int = strawberry.field(description="How many completions were measured.")
    win_rate_with: float | None = strawberry.field(description="Win rate of closed deals that completed it.")
    win_rate_without: float | None = strawberry.field(description="Win rate of closed deals that did not.")
    lift: float | None = strawberry.field(description="win_rate_with − win_rate_without (0.1 = 10 points).")
    closed_with: int = strawberry.field(description="Closed deals that completed it.")
    closed_without: int = strawberry.field(description="Closed deals that did not.")


@strawberry.type(description="A gate a manager overrode, and how the deal ended.")
class GateOverrideInsight:
    deal_id: strawberry.Private[str]
    process: strawberry.Private[Process]
    occurred_at: datetime = strawberry.field(description="When.")
    from_stage_key: str | None = strawberry.field(description="Where the deal was.")
    to_stage_key: str | None = strawberry.field(description="Where it went.")
    reason: str | None = strawberry.field(description="The written reason.")
    skipped_milestone_keys: list[str] = strawberry.field(
        description="The keys of the mandatory milestones that were missing (as recorded; may be former keys)."
    )
    outcome: DealStatus = strawberry.field(description="OPEN while still worked.")

    @fields.field(
        description="The mandatory milestones that were missing; those no longer in the process are left out."
    )
    def skipped_milestones(self) -> list[MilestoneType]:
        return MilestoneType.all_of(self.process, self.skipped_milestone_keys)

    @fields.field(description="The deal.")
    async def deal(self, info: Info_) -> DealType:
        return await load_deal(info, self.deal_id)


def process_insights_type(process: Process, insights: ProcessInsights) -> ProcessInsightsType:
    times = {t.stage.key: t for t in insights.time_in_stage}
    rates = insights.learned_win_rates()
    lifts = {lift.milestone.key: lift for lift in insights.lifts}
    return ProcessInsightsType(
        stages=[
            StageInsight(
                stage=StageType.of(process, c.stage),
                entered=c.entered,
                advanced=c.advanced,
                lost=c.lost,
                conversion_rate=c.rate,
                median_days_in_stage=times[c.stage.key].median_days,
                win_rate=rates[c.stage.key].rate,
            )
            for c in insights.conversions
        ],
        milestones=[
            MilestoneInsight(
                milestone=MilestoneType.of(process, d.milestone),
                typical_days=d.milestone.typical_days,
                observed_median_days=d.observed.median_days if d.observed else None,
                observations=d.observed.observations if d.observed else 0,
                win_rate_with=lifts[d.milestone.key].win_rate_with,
                win_rate_without=lifts[d.milestone.key].win_rate_without,
                lift=lifts[d.milestone.key].lift,
                closed_with=lifts[d.milestone.key].closed_with,
                closed_without=lifts[d.milestone.key].closed_without,
            )
            for d in insights.milestone_durations
        ],
        overrides=[
            GateOverrideInsight(
                deal_id=o.event.deal_id,
                process=process,
                occurred_at=o.event.at,
                from_stage_key=o.event.from_stage,
                to_stage_key=o.event.to_stage,
                reason=o.event.reason,
                skipped_milestone_keys=list(o.event.skipped_milestones),
                outcome=DealStatus(o.outcome.value),
            )
            for o in insights.overrides
        ],
    )


@strawberry.type(name="ProcessInsights", description="What the recorded history says about a process.")
class ProcessInsightsType:
    stages: list[StageInsight] = strawberry.field(description="Per open stage, in order.")
    milestones: list[MilestoneInsight] = strawberry.field(description="Per milestone, in process order.")
    overrides: list[GateOverrideInsight] = strawberry.field(description="Overridden gates, oldest first per deal.")
