"""Estimated days to close a deal, from the milestones it still needs.

The model: only **mandatory** milestones count, because only they stand between a deal and Closed Won
(the gate into the won stage needs every mandatory milestone of every open stage); optional milestones make
a deal stronger but never hold it up. Stages run one after the other; the milestones of one stage run in
parallel, so a stage takes as long as its longest remaining milestone. Mandatory milestones still missing
from the current stage *or earlier ones* (skipped by an override, or reopened) are work the rep can do now,
so they run in parallel with the current stage's. A stage whose mandatory milestones are all done adds no
time. Time already spent on an unfinished milestone is not subtracted: the estimate is deliberately
cautious, and the records do not say when work on a milestone began.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.process import Milestone, Outcome, Process
from api.services.history.durations import DurationSource, MilestoneDuration, MilestoneDurations
from api.services.history.records import DealSnapshot


@dataclass(frozen=True, slots=True)
class RemainingMilestone:
    milestone: Milestone
    stage_key: str
    duration: MilestoneDuration


@dataclass(frozen=True, slots=True)
class CloseEstimate:
    remaining: tuple[RemainingMilestone, ...]
    """Mandatory milestones still needed to close, in process order."""
    critical_path: tuple[RemainingMilestone, ...]
    """The longest remaining milestone of each step; their days add up to `days_to_close`."""
    days_to_close: int

    @property
    def next_milestone(self) -> RemainingMilestone | None:
        """What to start now: the longest milestone of the first step still open."""
        return self.critical_path[0] if self.critical_path else None

    @property
    def duration_sources(self) -> frozenset[DurationSource]:
        return frozenset(step.duration.source for step in self.critical_path)


def estimate_days_to_close(*, process: Process, deal: DealSnapshot, durations: MilestoneDurations) -> CloseEstimate:
    if deal.status is not Outcome.OPEN:
        return CloseEstimate(remaining=(), critical_path=(), days_to_close=0)
    done = process.current_milestone_keys(deal.completed_milestones)
    current = process.position(deal.stage_key)
    steps: list[list[RemainingMilestone]] = [[]]
    for position, stage in enumerate(process.stages):
        if stage.is_terminal:
            continue
        if position > current:
            steps.append([])
        steps[-1].extend(
            RemainingMilestone(milestone=m, stage_key=stage.key, duration=durations.of(m))
            for m in stage.mandatory_milestones
            if m.key not in done
        )
    critical_path = tuple(_longest(step) for step in steps if step)
    remaining = tuple(m for step in steps for m in step)
    return CloseEstimate(
        remaining=remaining,
        critical_path=critical_path,
        days_to_close=sum(step.duration.days for step in critical_path),
    )


def _longest(step: list[RemainingMilestone]) -> RemainingMilestone:
    # max() keeps the first of equals, so ties go to the earlier milestone in process order.
    return max(step, key=lambda m: m.duration.days)
