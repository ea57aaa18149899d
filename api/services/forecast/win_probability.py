"""The probability used for a deal's expected value: the stage's forecast probability, or a learned rate.

A stage's learned win rate is the share of closed deals that ever entered the stage and ended won. It
replaces the stage's `probability` from the definition once at least `MIN_CLOSED_DEALS` closed deals
entered the stage: below that, one lucky quarter would swing the rate by more than the definitions'
own precision (the standard error of a rate near 50% from 30 deals is about ±9 points).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from api.process import Process
from api.services.history.insights import StageWinRate

MIN_CLOSED_DEALS = 30


class ProbabilitySource(StrEnum):
    STAGE_PROBABILITY = "stage_probability"
    LEARNED_WIN_RATE = "learned_win_rate"


@dataclass(frozen=True, slots=True)
class WinProbability:
    probability: float
    source: ProbabilitySource
    closed_deals: int = 0


def win_probability(
    *,
    process: Process,
    stage_key: str,
    learned: Mapping[str, StageWinRate] | None = None,
    min_closed_deals: int = MIN_CLOSED_DEALS,
) -> WinProbability:
    stage = process.stage(stage_key)
    if stage is None:
        raise KeyError(f"unknown stage {stage_key!r} in process {process.key!r}")
    seen = (learned or {}).get(stage.key)
    if seen is not None and seen.closed >= min_closed_deals and seen.rate is not None:
        return WinProbability(
            probability=seen.rate, source=ProbabilitySource.LEARNED_WIN_RATE, closed_deals=seen.closed
        )
    return WinProbability(
        probability=stage.probability,
        source=ProbabilitySource.STAGE_PROBABILITY,
        closed_deals=seen.closed if seen else 0,
    )
