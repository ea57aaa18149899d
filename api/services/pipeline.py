"""The manager's view of open deals: totals per stage, blocked deals, stale deals, deal strength.

* **Blocked**: the deal fails the gate into its next stage (the next open stage, or Closed Won from the
  last open one): some mandatory milestone of its current or an earlier stage is not done.
* **Stale**: the deal has been in its stage longer than the stage's expected duration, which is
  `STALE_FACTOR` (1.5) × the stage's longest mandatory milestone (its observed median when it has
  enough observations, else its typical days — see `api.services.durations`), rounded up and at least
  one day. A stage without mandatory milestones uses its longest milestone; a stage without milestones
  is never stale. The 1.5 leaves room for the ordinary spread of durations around their median.
* **Weighted amount**: amount × the stage's forecast probability from the definition.
* **Strength**: completed milestone weight over the total weight of the stages up to and including the
  deal's current one (0 when those stages carry no weight: nothing proves the deal yet), bucketed in fifths.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from api.process.models import Milestone, Outcome, Process, Stage
from api.services.deal_records import DealSnapshot, completed_keys, days_between
from api.services.durations import MilestoneDurations

STALE_FACTOR = 1.5
STRENGTH_BUCKETS = 5


@dataclass(frozen=True, slots=True)
class StageTotals:
    stage: Stage
    count: int
    amount: Decimal
    weighted_amount: Decimal


@dataclass(frozen=True, slots=True)
class BlockedDeal:
    deal: DealSnapshot
    next_stage: Stage
    missing: tuple[Milestone, ...]
    """In process order."""


@dataclass(frozen=True, slots=True)
class StaleDeal:
    deal: DealSnapshot
    days_in_stage: float
    expected_days: int


@dataclass(frozen=True, slots=True)
class StrengthBucket:
    low: float
    high: float
    """Exclusive, except for the last bucket, which includes 1.0."""
    count: int


@dataclass(frozen=True, slots=True)
class PipelineSummary:
    stages: tuple[StageTotals, ...]
    blocked: tuple[BlockedDeal, ...]
    """Longest in stage first."""
    stale: tuple[StaleDeal, ...]
    """Most overdue first."""
    strength: tuple[StrengthBucket, ...]


def next_stage(process: Process, stage_key: str) -> Stage | None:
    """The stage a deal moves into next: the next open stage, or the won stage from the last open one."""
    later = [s for s in process.stages[process.position(stage_key) + 1 :] if not s.is_terminal]
    if later:
        return later[0]
    stage = process.stage(stage_key)
    return None if stage is None or stage.is_terminal else process.won_stage


def missing_for(process: Process, *, completed: frozenset[str], to_stage: Stage) -> tuple[Milestone, ...]:
    """Mandatory milestones of every stage before `to_stage` not in `completed` (current keys)."""
    before = process.stages[: process.position(to_stage.key)]
    return tuple(m for s in before if not s.is_terminal for m in s.mandatory_milestones if m.key not in completed)


def deal_strength(process: Process, deal: DealSnapshot) -> float:
    done = completed_keys(process, deal)
    so_far = process.stages[: process.position(deal.stage_key) + 1]
    milestones = [m for s in so_far for m in s.milestones]
    total = sum(m.weight for m in milestones)
    if total == 0:
        return 0.0
    return sum(m.weight for m in milestones if m.key in done) / total


def expected_stage_days(stage: Stage, durations: MilestoneDurations) -> int | None:
    """The days after which a deal in `stage` is stale, or None when the stage has no milestones."""
    pacing = stage.mandatory_milestones or stage.milestones
    if not pacing:
        return None
    longest = max(durations.of(m).days for m in pacing)
    return max(1, math.ceil(longest * STALE_FACTOR))


def strength_bucket_index(strength: float) -> int:
    return min(STRENGTH_BUCKETS - 1, int(strength * STRENGTH_BUCKETS + 1e-9))


def summarize_pipeline(
    *, process: Process, deals: Iterable[DealSnapshot], durations: MilestoneDurations, now: datetime
) -> PipelineSummary:
    open_deals = [d for d in deals if d.status is Outcome.OPEN]
    by_stage: dict[str, list[DealSnapshot]] = {s.key: [] for s in process.open_stages}
    blocked: list[BlockedDeal] = []
    stale: list[tuple[float, StaleDeal]] = []
    buckets = [0] * STRENGTH_BUCKETS
    for deal in open_deals:
        stage = process.stage(deal.stage_key)
        if stage is None or stage.is_terminal:
            continue
        by_stage[stage.key].append(deal)
        target = next_stage(process, stage.key)
        missing = missing_for(process, completed=completed_keys(process, deal), to_stage=target) if target else ()
        if target is not None and missing:
            blocked.append(BlockedDeal(deal=deal, next_stage=target, missing=missing))
        in_stage = days_between(deal.entered_stage_at, now)
        expected = expected_stage_days(stage, durations)
        if expected is not None and in_stage > expected:
            stale.append((in_stage / expected, StaleDeal(deal=deal, days_in_stage=in_stage, expected_days=expected)))
        buckets[strength_bucket_index(deal_strength(process, deal))] += 1
    return PipelineSummary(
        stages=tuple(_totals(stage, by_stage[stage.key]) for stage in process.open_stages),
        blocked=tuple(sorted(blocked, key=lambda b: (b.deal.entered_stage_at, b.deal.deal_id))),
        stale=tuple(s for _, s in sorted(stale, key=lambda x: (-x[0], x[1].deal.deal_id))),
        strength=tuple(
            StrengthBucket(low=i / STRENGTH_BUCKETS, high=(i + 1) / STRENGTH_BUCKETS, count=n)
            for i, n in enumerate(buckets)
        ),
    )


def _totals(stage: Stage, deals: list[DealSnapshot]) -> StageTotals:
    amount = sum((d.amount for d in deals), Decimal(0))
    return StageTotals(
        stage=stage,
        count=len(deals),
        amount=amount,
        weighted_amount=(amount * Decimal(str(stage.probability))).quantize(Decimal("0.01")),
    )
