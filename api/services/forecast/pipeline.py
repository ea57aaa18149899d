"""The manager's view of open deals: totals per stage, blocked deals, stale deals, deal strength.

* **Blocked**: the deal fails the gate into its next stage (the next open stage, or Closed Won from the
  last open one): some mandatory milestone of its current or an earlier stage is not done.
* **Stale**: the deal has been in its stage longer than the stage's expected duration, which is
  `STALE_FACTOR` (1.5) × the stage's longest mandatory milestone (its observed median when it has
  enough observations, else its typical days — see `api.services.history.durations`), rounded up and at least
  one day. A stage without mandatory milestones uses its longest milestone; a stage without milestones
  is never stale. The 1.5 leaves room for the ordinary spread of durations around their median.
* **Weighted amount**: amount × the stage's forecast probability from the definition.
* **Money**: amounts are totalled per currency (there are no exchange rates); the single `amount` and
  `weighted_amount` are only set when every deal of the stage shares one currency.
* **Strength**: completed milestone weight over the total weight of the stages up to and including the
  deal's current one (0 when those stages carry no weight: nothing proves the deal yet), bucketed in fifths.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from api.process import Milestone, Outcome, Process, Stage
from api.services.deals.gates import GateResult
from api.services.deals.state import blockers, strength
from api.services.forecast.money import CENT, Money, single_currency_total, totals_by_currency
from api.services.history.durations import MilestoneDurations
from api.services.history.records import DealSnapshot, elapsed_days
from api.services.history.snapshots import OpenDealGroup

STALE_FACTOR = 1.5
STRENGTH_BUCKETS = 5


@dataclass(frozen=True, slots=True)
class StageTotals:
    stage: Stage
    count: int
    amounts: tuple[Money, ...]
    """One total per currency, by currency code."""
    weighted_amounts: tuple[Money, ...]

    @property
    def amount(self) -> Decimal | None:
        """The total when every deal shares one currency (0.00 without deals); None when currencies differ."""
        return _cents(single_currency_total(self.amounts))

    @property
    def weighted_amount(self) -> Decimal | None:
        return _cents(single_currency_total(self.weighted_amounts))

    @property
    def currency(self) -> str | None:
        """The deals' one currency; None without deals or when currencies differ."""
        return self.amounts[0].currency if len(self.amounts) == 1 else None


def _cents(total: Decimal | None) -> Decimal | None:
    """Two decimals, as every amount the API shows, the empty stage's 0 included."""
    return None if total is None else total.quantize(CENT)


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
    blocked_count: int
    stale_count: int
    strength: tuple[StrengthBucket, ...]
    durations: MilestoneDurations
    """What stale and the deals' close estimates were measured with."""
    deals: DealLists | None = None
    """The blocked and stale deals themselves, when they were read (`summarize_pipeline`); a summary of groups
    (`summarize_groups`) has their counts only."""


@dataclass(frozen=True, slots=True)
class DealLists:
    blocked: tuple[BlockedDeal, ...]
    """Longest in stage first."""
    stale: tuple[StaleDeal, ...]
    """Most overdue first."""


@dataclass(frozen=True, slots=True)
class StagePace:
    """How long an open deal has been in its stage against how long the stage should take."""

    days_in_stage: float
    expected_days: int | None
    """None when the stage has no milestones (it is then never stale)."""

    @property
    def stale(self) -> bool:
        return self.expected_days is not None and self.days_in_stage > self.expected_days


def expected_stage_days(stage: Stage, durations: MilestoneDurations) -> int | None:
    """The days after which a deal in `stage` is stale, or None when the stage has no milestones."""
    pacing = stage.mandatory_milestones or stage.milestones
    if not pacing:
        return None
    longest = max(durations.of(m).days for m in pacing)
    return max(1, math.ceil(longest * STALE_FACTOR))


def stage_pace(process: Process, deal: DealSnapshot, *, durations: MilestoneDurations, now: datetime) -> StagePace:
    """For a closed deal, or one in a stage the process no longer has, nothing is expected."""
    stage = process.stage(deal.stage_key)
    in_stage = elapsed_days(deal.entered_stage_at, now)
    if stage is None or stage.is_terminal or deal.status is not Outcome.OPEN:
        return StagePace(days_in_stage=in_stage, expected_days=None)
    return StagePace(days_in_stage=in_stage, expected_days=expected_stage_days(stage, durations))


def strength_bucket_index(strength: float) -> int:
    return min(STRENGTH_BUCKETS - 1, int(strength * STRENGTH_BUCKETS + 1e-9))


def summarize_pipeline(
    *, process: Process, deals: Iterable[DealSnapshot], durations: MilestoneDurations, now: datetime
) -> PipelineSummary:
    by_stage: dict[str, list[DealSnapshot]] = {s.key: [] for s in process.open_stages}
    blocked: list[BlockedDeal] = []
    stale: list[tuple[float, StaleDeal]] = []
    buckets = [0] * STRENGTH_BUCKETS
    progress = _ProgressByState(process)
    expected = {s.key: expected_stage_days(s, durations) for s in process.open_stages}
    for deal in deals:
        stage = process.stage(deal.stage_key)
        if deal.status is not Outcome.OPEN or stage is None or stage.is_terminal:
            continue
        by_stage[stage.key].append(deal)
        gate, deal_strength = progress.of(stage.key, deal.completed_milestones)
        if gate is not None and not gate.passed:
            blocked.append(BlockedDeal(deal=deal, next_stage=gate.stage, missing=gate.missing))
        pace = StagePace(days_in_stage=elapsed_days(deal.entered_stage_at, now), expected_days=expected[stage.key])
        if pace.stale:
            stale.append((pace.days_in_stage / pace.expected_days, _stale(deal, pace)))  # type: ignore[operator]
        buckets[strength_bucket_index(deal_strength)] += 1
    return PipelineSummary(
        stages=tuple(
            _totals(
                stage, len(in_stage), totals_by_currency(Money(amount=d.amount, currency=d.currency) for d in in_stage)
            )
            for stage in process.open_stages
            for in_stage in [by_stage[stage.key]]
        ),
        blocked_count=len(blocked),
        stale_count=len(stale),
        strength=_buckets(buckets),
        durations=durations,
        deals=DealLists(
            blocked=tuple(sorted(blocked, key=lambda b: (b.deal.entered_stage_at, b.deal.deal_id))),
            stale=tuple(s for _, s in sorted(stale, key=lambda x: (-x[0], x[1].deal.deal_id))),
        ),
    )


def summarize_groups(
    *,
    process: Process,
    groups: Iterable[OpenDealGroup],
    stale_by_stage: Mapping[str, int],
    durations: MilestoneDurations,
) -> PipelineSummary:
    """`summarize_pipeline`'s figures from the open deals counted by state (`open_deal_groups`), without the
    deals: the gate and strength of each state once, whatever the number of deals in it. `stale_by_stage` is
    how many deals of each stage entered it before `stale_since(...)`."""
    counts = {s.key: 0 for s in process.open_stages}
    amounts: dict[str, list[Money]] = {s.key: [] for s in process.open_stages}
    blocked = 0
    buckets = [0] * STRENGTH_BUCKETS
    progress = _ProgressByState(process)
    for group in groups:
        stage = process.stage(group.stage_key)
        if stage is None or stage.is_terminal:
            continue
        counts[stage.key] += group.count
        amounts[stage.key].append(Money(amount=group.amount, currency=group.currency))
        gate, deal_strength = progress.of(stage.key, group.completed_milestones)
        if gate is not None and not gate.passed:
            blocked += group.count
        buckets[strength_bucket_index(deal_strength)] += group.count
    return PipelineSummary(
        stages=tuple(
            _totals(stage, counts[stage.key], totals_by_currency(amounts[stage.key])) for stage in process.open_stages
        ),
        blocked_count=blocked,
        stale_count=sum(stale_by_stage.get(s.key, 0) for s in process.open_stages),
        strength=_buckets(buckets),
        durations=durations,
    )


def stale_since(process: Process, *, durations: MilestoneDurations, now: datetime) -> dict[str, datetime]:
    """Per open stage that can be stale: a deal that entered it before this time is stale now (its days in
    stage exceed the expected days, as `StagePace.stale`)."""
    return {
        stage.key: now - timedelta(days=expected)
        for stage in process.open_stages
        for expected in [expected_stage_days(stage, durations)]
        if expected is not None
    }


def _buckets(counts: list[int]) -> tuple[StrengthBucket, ...]:
    return tuple(
        StrengthBucket(low=i / STRENGTH_BUCKETS, high=(i + 1) / STRENGTH_BUCKETS, count=n) for i, n in enumerate(counts)
    )


def _stale(deal: DealSnapshot, pace: StagePace) -> StaleDeal:
    assert pace.expected_days is not None
    return StaleDeal(deal=deal, days_in_stage=pace.days_in_stage, expected_days=pace.expected_days)


class _ProgressByState:
    """The gate and strength of a deal depend only on its stage and what it has done: computed once per such
    state (a few hundred among thousands of open deals), recorded keys resolved to current ones once each."""

    def __init__(self, process: Process) -> None:
        self.process = process
        self._found: dict[tuple[str, frozenset[str]], tuple[GateResult | None, float]] = {}

    def of(self, stage_key: str, completed: frozenset[str]) -> tuple[GateResult | None, float]:
        key = (stage_key, completed)
        found = self._found.get(key)
        if found is None:
            done = self.process.current_milestone_keys(completed)
            found = self._found[key] = (
                blockers(self.process, stage_key, done),
                strength(self.process, stage_key, done),
            )
        return found


def _totals(stage: Stage, count: int, amounts: tuple[Money, ...]) -> StageTotals:
    probability = Decimal(str(stage.probability))
    return StageTotals(
        stage=stage,
        count=count,
        amounts=amounts,
        weighted_amounts=tuple(
            Money(amount=(m.amount * probability).quantize(CENT), currency=m.currency) for m in amounts
        ),
    )
