"""What the recorded history says about the process.

How each figure is measured:

* **Conversion** out of an open stage: of the deals that ever entered it, the share of those resolved
  that later entered a later open stage or Closed Won (`advanced / (advanced + lost)`); deals still
  open without having moved on are left out of the rate and counted as `still_open`.
* **Time in stage**: the median length of finished visits (from entering the stage to the next move or
  close); a deal that comes back to a stage makes a second visit.
* **Observed milestone duration**: from the moment the deal entered the stage it was in when the
  milestone was completed, to the completion — milestones of a stage run in parallel, so each starts
  when the stage does. Only a deal's first completion of a milestone counts (a re-completion after a
  reopen is rework, not a fresh duration).
* **Lift**: among closed deals, the win rate of those whose final record has the milestone completed
  minus the win rate of those without it, in rate points (0.25 = 25 points), with both sample sizes.
* **Stage win rate**: of the closed deals that ever entered a stage, the share won.

`api.services.history.statistics` computes them in SQL; `tests/insights/reference_walk.py` walks the events
in Python as the reference the SQL is checked against.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.process import Milestone, Outcome, Stage
from api.services.history.durations import ObservedDuration
from api.services.history.records import HistoryEvent


@dataclass(frozen=True, slots=True)
class StageWinRate:
    stage_key: str
    won: int
    closed: int

    @property
    def rate(self) -> float | None:
        return self.won / self.closed if self.closed else None


@dataclass(frozen=True, slots=True)
class StageConversion:
    stage: Stage
    entered: int
    advanced: int
    lost: int
    still_open: int

    @property
    def rate(self) -> float | None:
        resolved = self.advanced + self.lost
        return self.advanced / resolved if resolved else None


@dataclass(frozen=True, slots=True)
class TimeInStage:
    stage: Stage
    median_days: float | None
    visits: int


@dataclass(frozen=True, slots=True)
class MilestoneDurationInsight:
    milestone: Milestone
    observed: ObservedDuration | None


@dataclass(frozen=True, slots=True)
class MilestoneLift:
    milestone: Milestone
    won_with: int
    closed_with: int
    won_without: int
    closed_without: int

    @property
    def win_rate_with(self) -> float | None:
        return self.won_with / self.closed_with if self.closed_with else None

    @property
    def win_rate_without(self) -> float | None:
        return self.won_without / self.closed_without if self.closed_without else None

    @property
    def lift(self) -> float | None:
        if self.win_rate_with is None or self.win_rate_without is None:
            return None
        return self.win_rate_with - self.win_rate_without


@dataclass(frozen=True, slots=True)
class GateOverrideOutcome:
    event: HistoryEvent
    outcome: Outcome
    """How the deal ended, or OPEN while it is still being worked."""


@dataclass(frozen=True, slots=True)
class ProcessInsights:
    conversions: tuple[StageConversion, ...]
    time_in_stage: tuple[TimeInStage, ...]
    milestone_durations: tuple[MilestoneDurationInsight, ...]
    lifts: tuple[MilestoneLift, ...]
    stage_win_rates: tuple[StageWinRate, ...]
    overrides: tuple[GateOverrideOutcome, ...]

    def observed_durations(self) -> dict[str, ObservedDuration]:
        return {i.milestone.key: i.observed for i in self.milestone_durations if i.observed is not None}

    def learned_win_rates(self) -> dict[str, StageWinRate]:
        return {r.stage_key: r for r in self.stage_win_rates}
