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
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from api.process.models import Milestone, Outcome, Process, Stage
from api.services.deal_records import DealEvent, DealEventKind, DealSnapshot, completed_keys, days_between
from api.services.durations import ObservedDuration
from api.services.win_probability import StageWinRate

_ENTERS_A_STAGE = frozenset(
    {
        DealEventKind.CREATED,
        DealEventKind.MOVED,
        DealEventKind.CLOSED_WON,
        DealEventKind.CLOSED_LOST,
        DealEventKind.REOPENED,
    }
)


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
    event: DealEvent
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


@dataclass
class _DealWalk:
    """What one deal's history says, gathered in one pass over its events."""

    entered: set[str]
    visits: list[tuple[str, float]]
    first_completions: dict[str, float]


def process_insights(
    *, process: Process, deals: Iterable[DealSnapshot], events: Iterable[DealEvent]
) -> ProcessInsights:
    """`events` are those of `deals`, in any order; ties in time keep their given order."""
    by_deal: dict[str, list[DealEvent]] = defaultdict(list)
    for event in events:
        by_deal[event.deal_id].append(event)
    deal_list = list(deals)
    walks = {d.deal_id: _walk(process, sorted(by_deal.get(d.deal_id, []), key=lambda e: e.at)) for d in deal_list}
    status = {d.deal_id: d.status for d in deal_list}
    return ProcessInsights(
        conversions=_conversions(process, deal_list, walks),
        time_in_stage=_time_in_stage(process, walks.values()),
        milestone_durations=_milestone_durations(process, walks.values()),
        lifts=_lifts(process, deal_list),
        stage_win_rates=_stage_win_rates(process, deal_list, walks),
        overrides=tuple(
            GateOverrideOutcome(event=e, outcome=status.get(e.deal_id, Outcome.OPEN))
            for deal_events in by_deal.values()
            for e in sorted(deal_events, key=lambda e: e.at)
            if e.kind is DealEventKind.GATE_OVERRIDDEN
        ),
    )


def _walk(process: Process, events: list[DealEvent]) -> _DealWalk:
    walk = _DealWalk(entered=set(), visits=[], first_completions={})
    stage: str | None = None
    since: datetime | None = None
    for event in events:
        if event.kind in _ENTERS_A_STAGE and event.to_stage is not None:
            entered = process.stage(event.to_stage)
            if stage is not None and since is not None:
                walk.visits.append((stage, days_between(since, event.at)))
            stage, since = (entered.key, event.at) if entered else (None, None)
            if entered is not None:
                walk.entered.add(entered.key)
        elif event.kind is DealEventKind.MILESTONE_COMPLETED and event.milestone_key and since is not None:
            key = process.canonical_milestone_key(event.milestone_key)
            if key is not None and key not in walk.first_completions:
                walk.first_completions[key] = days_between(since, event.at)
    return walk


def _advanced_from(process: Process, stage: Stage, entered: set[str]) -> bool:
    position = process.position(stage.key)
    return any(
        process.position(key) > position and (s := process.stage(key)) is not None and s.outcome is not Outcome.LOST
        for key in entered
    )


def _conversions(
    process: Process, deals: list[DealSnapshot], walks: dict[str, _DealWalk]
) -> tuple[StageConversion, ...]:
    result = []
    for stage in process.open_stages:
        entered = advanced = lost = 0
        for deal in deals:
            walk = walks[deal.deal_id]
            if stage.key not in walk.entered:
                continue
            entered += 1
            if _advanced_from(process, stage, walk.entered):
                advanced += 1
            elif deal.status is Outcome.LOST:
                lost += 1
        result.append(
            StageConversion(
                stage=stage, entered=entered, advanced=advanced, lost=lost, still_open=entered - advanced - lost
            )
        )
    return tuple(result)


def _time_in_stage(process: Process, walks: Iterable[_DealWalk]) -> tuple[TimeInStage, ...]:
    lengths: dict[str, list[float]] = defaultdict(list)
    for walk in walks:
        for stage_key, days in walk.visits:
            lengths[stage_key].append(days)
    return tuple(
        TimeInStage(
            stage=s,
            median_days=statistics.median(lengths[s.key]) if lengths[s.key] else None,
            visits=len(lengths[s.key]),
        )
        for s in process.open_stages
    )


def _milestone_durations(process: Process, walks: Iterable[_DealWalk]) -> tuple[MilestoneDurationInsight, ...]:
    observed: dict[str, list[float]] = defaultdict(list)
    for walk in walks:
        for key, days in walk.first_completions.items():
            observed[key].append(days)
    return tuple(
        MilestoneDurationInsight(
            milestone=m,
            observed=ObservedDuration(median_days=statistics.median(observed[m.key]), observations=len(observed[m.key]))
            if observed[m.key]
            else None,
        )
        for m in process.milestones
    )


def _lifts(process: Process, deals: list[DealSnapshot]) -> tuple[MilestoneLift, ...]:
    closed = [(d.status is Outcome.WON, completed_keys(process, d)) for d in deals if d.status is not Outcome.OPEN]
    lifts = []
    for m in process.milestones:
        with_m = [won for won, done in closed if m.key in done]
        without = [won for won, done in closed if m.key not in done]
        lifts.append(
            MilestoneLift(
                milestone=m,
                won_with=sum(with_m),
                closed_with=len(with_m),
                won_without=sum(without),
                closed_without=len(without),
            )
        )
    return tuple(lifts)


def _stage_win_rates(
    process: Process, deals: list[DealSnapshot], walks: dict[str, _DealWalk]
) -> tuple[StageWinRate, ...]:
    closed = [d for d in deals if d.status is not Outcome.OPEN]
    return tuple(
        StageWinRate(
            stage_key=s.key,
            won=sum(1 for d in closed if s.key in walks[d.deal_id].entered and d.status is Outcome.WON),
            closed=sum(1 for d in closed if s.key in walks[d.deal_id].entered),
        )
        for s in process.open_stages
    )
