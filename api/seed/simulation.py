"""A reproducible synthetic history of deals, drawn from the model in `api.seed.ground_truth`.

Deals are created evenly over the history; each walks the open stages as the ground truth says, with
stalls (a tenth of stage visits sit idle for 20–120 more days), back-and-forth moves (one advance in
twenty is followed by a move back and forward again before work resumes) and, for one deal in five
hundred, a manager's gate override instead of a loss. Everything after `as_of` is cut, so the newest
deals are still open. The same arguments always give the same history.

Every loss and every move back carries a reason, as the API demands of its users; reasons are drawn from a
random stream of their own, so that adding or rewording one leaves the rest of the history as it was.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from api.deal_events import DealEventKind
from api.process.models import Outcome, Process, Stage
from api.seed.ground_truth import GroundTruth, draw_ground_truth
from api.services.history.records import DealSnapshot, HistoryEvent

STALL_RATE = 0.1
BACK_AND_FORTH_RATE = 0.05
OVERRIDE_RATE = 0.002
DURATION_SPREAD = 0.5
"""Sigma of the log-normal milestone durations: the middle half of durations spans about ±40%."""
SIMULATED_CURRENCY = "USD"
SIGNATURE_DAYS = (5.0, 40.0)
"""A won deal closes this many days (uniformly) after its last stage's work: signatures take weeks."""
OVERRIDE_REASON = "Executive sponsor vouched for the deal; catching up on the missing milestone."
LOST_TO_COMPETITOR = ("Chose {competitor} on price", "Went with {competitor}")
"""Loss reasons naming a competitor, one of those given to `simulate`, or "a competitor" if none is."""
LOST_OTHERWISE = (
    "No decision: project shelved",
    "Budget cut this year",
    "Champion left the company",
    "Buyer's priorities moved to an ERP migration",
    "Could not get a meeting with the economic buyer",
)
MOVED_BACK = (
    "Finance asked to revisit the business case",
    "New stakeholder reopened discovery",
    "Buyer changed the scope; requalifying",
    "Decision maker asked for a second demo",
    "Procurement asked for a revised proposal",
)

_ADJECTIVES = ("Northwind", "Bluefin", "Granite", "Silverline", "Redwood", "Harbor", "Summit", "Copper")
_NOUNS = ("Logistics", "Health", "Foods", "Energy", "Robotics", "Insurance", "Media", "Retail", "Labs")


@dataclass(frozen=True, slots=True)
class SimulatedDeal:
    index: int
    snapshot: DealSnapshot
    account_name: str
    created_at: datetime
    owner_index: int
    completions: tuple[tuple[str, datetime], ...]
    events: tuple[HistoryEvent, ...]
    """In time order."""


@dataclass(frozen=True, slots=True)
class SimulatedHistory:
    process: Process
    truth: GroundTruth
    as_of: datetime
    deals: tuple[SimulatedDeal, ...]

    def snapshots(self) -> list[DealSnapshot]:
        return [d.snapshot for d in self.deals]

    def events(self) -> list[HistoryEvent]:
        return [e for d in self.deals for e in d.events]


def simulate(
    *,
    process: Process,
    deals: int,
    seed: int,
    start: date,
    days: int = 730,
    created_within: int | None = None,
    reps: int = 8,
    competitor_names: Sequence[str] = (),
) -> SimulatedHistory:
    """`deals` created over the first `created_within` days (default: all `days`) of a `days`-long history.

    `competitor_names` (not the status quo) are who lost deals went to; without them, losses say "a competitor".
    """
    truth = draw_ground_truth(process=process, rng=random.Random(seed))
    as_of = datetime.combine(start + timedelta(days=days), time(23, 59, 59), tzinfo=UTC)
    simulated = iter_simulated_deals(
        process=process,
        truth=truth,
        count=deals,
        seed=seed,
        start=start,
        as_of=as_of,
        created_within=created_within or days,
        reps=reps,
        competitor_names=competitor_names,
    )
    return SimulatedHistory(process=process, truth=truth, as_of=as_of, deals=tuple(simulated))


def iter_simulated_deals(
    *,
    process: Process,
    truth: GroundTruth,
    count: int,
    seed: int,
    start: date,
    as_of: datetime,
    created_within: int,
    reps: int,
    competitor_names: Sequence[str] = (),
) -> Iterator[SimulatedDeal]:
    """One deal at a time, so that a large history never sits in memory whole."""
    origin = datetime.combine(start, time(9), tzinfo=UTC)
    loss_reasons = _loss_reasons(competitor_names)
    for index in range(count):
        rng = random.Random(seed * 1_000_003 + index)
        reasons = _Reasons(random.Random(f"reasons {seed} {index}"), lost=loss_reasons)
        created_at = origin + timedelta(days=created_within * index / max(count, 1), minutes=rng.randrange(480))
        yield _deal(process, truth, rng, reasons, index=index, created_at=created_at, as_of=as_of, owner=index % reps)


def _loss_reasons(competitor_names: Sequence[str]) -> tuple[str, ...]:
    competitors = tuple(competitor_names) or ("a competitor",)
    return tuple(t.format(competitor=c) for c in competitors for t in LOST_TO_COMPETITOR) + LOST_OTHERWISE


class _Reasons:
    """Why a deal was lost or moved back, drawn from the deal's own reason stream."""

    def __init__(self, rng: random.Random, *, lost: tuple[str, ...]) -> None:
        self._rng = rng
        self._lost = lost

    def lost(self) -> str:
        return self._rng.choice(self._lost)

    def moved_back(self) -> str:
        return self._rng.choice(MOVED_BACK)


class _Walk:
    """One deal's full, uncut history while it is being drawn."""

    def __init__(self, process: Process, deal_id: str, created_at: datetime) -> None:
        self.process = process
        self.deal_id = deal_id
        self.events: list[HistoryEvent] = [
            HistoryEvent(deal_id=deal_id, kind=DealEventKind.CREATED, at=created_at, to_stage=process.first_stage.key)
        ]
        self.completions: dict[str, datetime] = {}

    def complete(self, key: str, at: datetime) -> None:
        self.completions[key] = at
        self.events.append(
            HistoryEvent(deal_id=self.deal_id, kind=DealEventKind.MILESTONE_COMPLETED, at=at, milestone_key=key)
        )

    def move(
        self, kind: DealEventKind, at: datetime, from_stage: Stage, to_stage: Stage, *, reason: str | None = None
    ) -> None:
        """Like the API: a move that skips mandatory milestones is a manager's override, with its reason on both."""
        if to_stage.outcome is not Outcome.LOST and self.process.position(to_stage.key) > self.process.position(
            from_stage.key
        ):
            skipped = tuple(
                m.key
                for s in self.process.stages[: self.process.position(to_stage.key)]
                if not s.is_terminal
                for m in s.mandatory_milestones
                if m.key not in self.completions
            )
            if skipped:
                reason = OVERRIDE_REASON
                self.events.append(
                    HistoryEvent(
                        deal_id=self.deal_id,
                        kind=DealEventKind.GATE_OVERRIDDEN,
                        at=at,
                        from_stage=from_stage.key,
                        to_stage=to_stage.key,
                        reason=reason,
                        skipped_milestones=skipped,
                    )
                )
        self.events.append(
            HistoryEvent(
                deal_id=self.deal_id, kind=kind, at=at, from_stage=from_stage.key, to_stage=to_stage.key, reason=reason
            )
        )


def _deal(
    process: Process,
    truth: GroundTruth,
    rng: random.Random,
    reasons: _Reasons,
    *,
    index: int,
    created_at: datetime,
    as_of: datetime,
    owner: int,
) -> SimulatedDeal:
    walk = _Walk(process, str(index), created_at)
    may_override = rng.random() < OVERRIDE_RATE
    stages = [s for s in (process.stage(k) for k in truth.stage_keys) if s is not None]
    entered = created_at
    for position, stage in enumerate(stages):
        done = [m for m in stage.milestones if rng.random() < truth.completion[m.key]]
        work_days = 1.0
        for m in done:
            days = rng.lognormvariate(math.log(truth.median_days[m.key]), DURATION_SPREAD)
            walk.complete(m.key, entered + timedelta(days=days))
            work_days = max(work_days, days)
        if rng.random() < STALL_RATE:
            work_days += rng.uniform(20, 120)
        chance = truth.base_advance[stage.key] + sum(truth.boost[m.key] for m in done if not m.mandatory)
        has_mandatory = all(m in done for m in stage.mandatory_milestones)
        advances = (has_mandatory or may_override) and rng.random() < chance
        if not advances:
            lost_at = entered + timedelta(days=work_days + rng.uniform(1, 10))
            walk.move(DealEventKind.CLOSED_LOST, lost_at, stage, process.lost_stages[0], reason=reasons.lost())
            break
        if position + 1 == len(stages):
            won_at = entered + timedelta(days=work_days + rng.uniform(*SIGNATURE_DAYS))
            walk.move(DealEventKind.CLOSED_WON, won_at, stage, process.won_stage)
            break
        moved_at = entered + timedelta(days=work_days + rng.uniform(0.5, 3))
        following = stages[position + 1]
        walk.move(DealEventKind.MOVED, moved_at, stage, following)
        if rng.random() < BACK_AND_FORTH_RATE:
            back_at = moved_at + timedelta(days=rng.uniform(1, 5))
            walk.move(DealEventKind.MOVED, back_at, following, stage, reason=reasons.moved_back())
            moved_at = back_at + timedelta(days=rng.uniform(1, 5))
            walk.move(DealEventKind.MOVED, moved_at, stage, following)
        entered = moved_at
    return _cut(process, walk, rng, index=index, created_at=created_at, as_of=as_of, owner=owner)


def _cut(
    process: Process, walk: _Walk, rng: random.Random, *, index: int, created_at: datetime, as_of: datetime, owner: int
) -> SimulatedDeal:
    events = tuple(sorted((e for e in walk.events if e.at <= as_of), key=lambda e: e.at))
    last_move = [e for e in events if e.to_stage is not None and e.kind is not DealEventKind.GATE_OVERRIDDEN][-1]
    stage = process.stage(last_move.to_stage or "")
    assert stage is not None
    completions = tuple((k, at) for k, at in walk.completions.items() if at <= as_of)
    closed_at = last_move.at if stage.is_terminal else None
    planned_days = sum(max((m.typical_days for m in s.mandatory_milestones), default=0) for s in process.open_stages)
    close_date = (closed_at or created_at + timedelta(days=planned_days * rng.uniform(0.8, 1.5))).date()
    snapshot = DealSnapshot(
        deal_id=str(index),
        name=f"{rng.choice(_NOUNS)} rollout #{index + 1}",
        owner_id=str(owner),
        stage_key=stage.key,
        status=stage.outcome,
        amount=Decimal(max(1000, round(rng.lognormvariate(math.log(25_000), 0.8), -2))),
        currency=SIMULATED_CURRENCY,
        entered_stage_at=last_move.at,
        completed_milestones=frozenset(k for k, _ in completions),
        close_date=close_date,
        closed_at=closed_at,
    )
    return SimulatedDeal(
        index=index,
        snapshot=snapshot,
        account_name=f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}",
        created_at=created_at,
        owner_index=owner,
        completions=completions,
        events=events,
    )
