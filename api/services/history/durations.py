"""How long each milestone takes: the definition's typical days, or what deals actually took.

A milestone's observed duration replaces its typical days once it has at least
`MIN_OBSERVATIONS` observations (see `api.services.history.insights` for how one
is measured). Twenty keeps the median's sampling error to roughly ±15% for the right-skewed durations
sales work has, while a young process still switches over within its first quarter or two.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from api.process.models import Milestone, Process

MIN_OBSERVATIONS = 20


class DurationSource(StrEnum):
    TYPICAL_DAYS = "typical_days"
    """The milestone's `typical_days` from the process definition."""
    OBSERVED = "observed"
    """The median of observed durations."""


@dataclass(frozen=True, slots=True)
class MilestoneDuration:
    days: int
    source: DurationSource
    observations: int = 0


@dataclass(frozen=True, slots=True)
class ObservedDuration:
    median_days: float
    observations: int


@dataclass(frozen=True, slots=True)
class MilestoneDurations:
    """The duration used for each milestone of one process, with where it came from."""

    by_milestone: Mapping[str, MilestoneDuration]

    def of(self, milestone: Milestone) -> MilestoneDuration:
        return self.by_milestone.get(
            milestone.key, MilestoneDuration(days=milestone.typical_days, source=DurationSource.TYPICAL_DAYS)
        )


def milestone_durations(
    *,
    process: Process,
    observed: Mapping[str, ObservedDuration] | None = None,
    min_observations: int = MIN_OBSERVATIONS,
) -> MilestoneDurations:
    """Observed median (rounded up to whole days) where there are enough observations, else typical days."""
    observed = observed or {}
    chosen: dict[str, MilestoneDuration] = {}
    for milestone in process.milestones:
        seen = observed.get(milestone.key)
        if seen is not None and seen.observations >= min_observations:
            chosen[milestone.key] = MilestoneDuration(
                days=math.ceil(seen.median_days - 1e-9),
                source=DurationSource.OBSERVED,
                observations=seen.observations,
            )
        else:
            chosen[milestone.key] = MilestoneDuration(
                days=milestone.typical_days,
                source=DurationSource.TYPICAL_DAYS,
                observations=seen.observations if seen else 0,
            )
    return MilestoneDurations(by_milestone=chosen)
