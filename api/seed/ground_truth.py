"""The generating model's parameters, and the rates they imply, worked out exactly (not sampled).

Each visit to an open stage draws, for every milestone of the stage, whether it gets done
(probability `completion[m]`) and how long it takes (log-normal around `median_days[m]`, from entering
the stage). A deal with every mandatory milestone of the stage done advances with probability
`base_advance[stage] + Σ boost[m]` over the optional milestones done; otherwise it is lost in the stage.
Advancing from the last open stage is winning. Stalls and back-and-forth moves only add time.

From that, with `A_i` = P(advance from stage i) and `R_i` = Π_{k<i} A_k (the chance to reach stage i),
for a milestone m of stage j:

    P(done m)          = R_j · c_m
    P(done m and win)  = R_j · c_m · P(advance from j | m done) · Π_{k>j} A_k
    win rate with m    = P(done m and win) / P(done m)
    win rate without m = (P(win) − P(done m and win)) / (1 − P(done m))

over deals that closed. The handful of gate overrides the simulation adds is left out of these rates.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass

from api.process.models import Process, Stage

MIN_ADVANCE = 0.05
MAX_ADVANCE = 0.95
MAX_CHANCE = 0.98
"""The most a deal's chance to advance from a stage can be, whatever it did."""


@dataclass(frozen=True, slots=True)
class GroundTruth:
    median_days: Mapping[str, float]
    """The true median duration of each milestone, in days from entering its stage."""
    completion: Mapping[str, float]
    boost: Mapping[str, float]
    """What doing an optional milestone adds to the chance of advancing from its stage."""
    base_advance: Mapping[str, float]
    stage_keys: tuple[str, ...]
    """The open stages a deal walks through, in order."""
    milestones_of: Mapping[str, tuple[tuple[str, bool], ...]]
    """Per open stage: (milestone key, mandatory)."""

    def advance_probability(self, stage_key: str, *, given_done: str | None = None) -> float:
        """P(advance from the stage), optionally given that one of its milestones was done."""
        probability = 1.0
        boost = self.base_advance[stage_key]
        for key, mandatory in self.milestones_of[stage_key]:
            done = 1.0 if key == given_done else self.completion[key]
            if mandatory:
                probability *= done
            else:
                boost += self.boost[key] * done
        return probability * boost

    @property
    def win_rate(self) -> float:
        return math.prod(self.advance_probability(s) for s in self.stage_keys)

    def stage_win_rate(self, stage_key: str) -> float:
        """Of closed deals that entered the stage, the share won."""
        later = self.stage_keys[self.stage_keys.index(stage_key) :]
        return math.prod(self.advance_probability(s) for s in later)

    def win_rates_by_milestone(self, milestone_key: str) -> tuple[float, float]:
        """(win rate of closed deals with the milestone done, win rate of those without)."""
        stage_key = next(s for s, ms in self.milestones_of.items() if any(k == milestone_key for k, _ in ms))
        position = self.stage_keys.index(stage_key)
        reach = math.prod(self.advance_probability(s) for s in self.stage_keys[:position])
        after = math.prod(self.advance_probability(s) for s in self.stage_keys[position + 1 :])
        done = reach * self.completion[milestone_key]
        done_and_win = done * self.advance_probability(stage_key, given_done=milestone_key) * after
        without = (self.win_rate - done_and_win) / (1 - done) if done < 1 else math.nan
        return done_and_win / done, without

    def lift(self, milestone_key: str) -> float:
        with_m, without_m = self.win_rates_by_milestone(milestone_key)
        return with_m - without_m


def draw_ground_truth(*, process: Process, rng: random.Random) -> GroundTruth:
    """Plausible parameters around the definition: true durations 0.6–1.6 × typical days, and stage win
    rates that agree with the definition's stage probabilities (see `target_advance`)."""
    stages = _walked_stages(process)
    median_days: dict[str, float] = {}
    completion: dict[str, float] = {}
    boost: dict[str, float] = {}
    base_advance: dict[str, float] = {}
    for position, stage in enumerate(stages):
        for m in stage.milestones:
            median_days[m.key] = round(max(0.5, m.typical_days * rng.uniform(0.6, 1.6)), 1)
            completion[m.key] = round(rng.uniform(0.82, 0.95) if m.mandatory else rng.uniform(0.3, 0.7), 2)
            boost[m.key] = 0.0 if m.mandatory else round(rng.uniform(0.02, 0.12), 2)
        following = stages[position + 1].probability if position + 1 < len(stages) else process.won_stage.probability
        base_advance[stage.key] = _base_advance(
            stage, advance=target_advance(stage.probability, following), completion=completion, boost=boost
        )
    return GroundTruth(
        median_days=median_days,
        completion=completion,
        boost=boost,
        base_advance=base_advance,
        stage_keys=tuple(s.key for s in stages),
        milestones_of={s.key: tuple((m.key, m.mandatory) for m in s.milestones) for s in stages},
    )


def target_advance(probability: float, following: float) -> float:
    """P(advance) that makes a stage's win rate its forecast probability: a deal in a stage wins with the
    stage's probability when it advances with `probability / following` (the next stage's, 1 for won),
    kept within 5–95%."""
    if following <= 0:
        return MIN_ADVANCE
    return min(MAX_ADVANCE, max(MIN_ADVANCE, probability / following))


def _base_advance(stage: Stage, *, advance: float, completion: dict[str, float], boost: dict[str, float]) -> float:
    """The base chance that gives `advance` on average over the stage's milestones; raises the mandatory
    milestones' completion (in `completion`) when they alone would make `advance` unreachable."""
    mandatory = stage.mandatory_milestones
    optional = [m for m in stage.milestones if not m.mandatory]
    most_boost = sum(boost[m.key] for m in optional)
    expected_boost = sum(boost[m.key] * completion[m.key] for m in optional)
    needed = advance / (MAX_CHANCE - most_boost + expected_boost)
    if mandatory and math.prod(completion[m.key] for m in mandatory) < needed:
        for m in mandatory:
            completion[m.key] = min(0.99, math.ceil(needed ** (1 / len(mandatory)) * 100) / 100)
    all_mandatory = math.prod(completion[m.key] for m in mandatory)
    base = advance / all_mandatory - expected_boost
    return round(min(MAX_CHANCE - most_boost, max(0.01, base)), 2)


def _walked_stages(process: Process) -> tuple[Stage, ...]:
    start = process.position(process.first_stage.key)
    return tuple(s for s in process.stages[start:] if not s.is_terminal)
