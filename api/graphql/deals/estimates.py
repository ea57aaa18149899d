"""How long a deal has left, as GraphQL types shared by the deal page and the board, so they agree."""

from __future__ import annotations

from enum import Enum

import strawberry

from api.graphql.core import fields
from api.graphql.process.types import MilestoneType
from api.process import Process
from api.services.forecast.days_to_close import CloseEstimate, RemainingMilestone
from api.services.history.durations import MIN_OBSERVATIONS


@strawberry.enum(description="Where a duration came from.")
class DurationSourceKind(Enum):
    TYPICAL_DAYS = strawberry.enum_value("typical_days", description="The typical days the process definition gives.")
    OBSERVED = strawberry.enum_value(
        "observed", description="The median of observed durations, once there are enough observations."
    )


@strawberry.type(description="A milestone still needed to close, with the duration the estimate used.")
class RemainingMilestoneEstimate:
    item: strawberry.Private[RemainingMilestone]
    process: strawberry.Private[Process]

    @fields.field(description="The milestone.")
    def milestone(self) -> MilestoneType:
        return MilestoneType.of(self.process, self.item.milestone)

    @fields.field(description="Days the estimate counts for it.")
    def days(self) -> int:
        return self.item.duration.days

    @fields.field(
        description=f"OBSERVED (the median of first completions over the last year of the process's deals) once "
        f"there are {MIN_OBSERVATIONS} observations, else TYPICAL_DAYS from the definition."
    )
    def duration_source(self) -> DurationSourceKind:
        return DurationSourceKind(self.item.duration.source.value)

    @fields.field(description="How many completions the observed median was measured on.")
    def observations(self) -> int:
        return self.item.duration.observations


@strawberry.type(
    name="CloseEstimate",
    description="Days to close: only mandatory milestones count; stages run in sequence, the milestones of a stage "
    "in parallel (the longest counts); missing mandatory milestones of earlier stages run with the current stage's.",
)
class CloseEstimateType:
    estimate: strawberry.Private[CloseEstimate]
    process: strawberry.Private[Process]

    @fields.field(description="The sum of the critical path's days; 0 for a closed deal.")
    def days_to_close(self) -> int:
        return self.estimate.days_to_close

    @fields.field(description="Mandatory milestones still needed to close, in process order.")
    def remaining_milestones(self) -> list[RemainingMilestoneEstimate]:
        return remaining_estimates(self.estimate, self.process)

    @fields.field(description="The longest remaining milestone of each step: their days add up to daysToClose.")
    def critical_path(self) -> list[RemainingMilestoneEstimate]:
        return [RemainingMilestoneEstimate(item=m, process=self.process) for m in self.estimate.critical_path]

    @fields.field(description="What to start now: the longest milestone of the first unfinished step.")
    def next_milestone(self) -> RemainingMilestoneEstimate | None:
        return next_estimate(self.estimate, self.process)


def remaining_estimates(estimate: CloseEstimate, process: Process) -> list[RemainingMilestoneEstimate]:
    return [RemainingMilestoneEstimate(item=m, process=process) for m in estimate.remaining]


def next_estimate(estimate: CloseEstimate, process: Process) -> RemainingMilestoneEstimate | None:
    found = estimate.next_milestone
    return None if found is None else RemainingMilestoneEstimate(item=found, process=process)
