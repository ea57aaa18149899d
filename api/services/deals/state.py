"""What a deal has left to do, read from the process and its completed milestones. Plain functions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from api.deal_events import DealEventKind
from api.process import Milestone, Outcome, Play, Process, ProcessDefinitions, Stage
from api.services.deals.gates import GateResult, check_gate


@dataclass(frozen=True, slots=True)
class DealPlay:
    """A play to run on one of a deal's open milestones, against a competitor in the deal."""

    milestone: Milestone
    play: Play


def reached_stages(process: Process, stage_key: str) -> tuple[Stage, ...]:
    """The open stages up to and including the deal's current one (all open stages once closed)."""
    stage = process.stage(stage_key)
    if stage is None or stage.is_terminal:
        return process.open_stages
    return tuple(s for s in process.stages[: process.position(stage.key) + 1] if not s.is_terminal)


def remaining_milestones(process: Process, stage_key: str, completed_keys: Iterable[str]) -> tuple[Milestone, ...]:
    """What is left to close, in process order: every milestone not done in the current and later open
    stages, plus mandatory ones skipped in earlier stages (by an override)."""
    done = process.current_milestone_keys(completed_keys)
    stage = process.stage(stage_key)
    if stage is not None and stage.is_terminal:
        return ()
    current = process.position(stage.key) if stage is not None else 0
    remaining: list[Milestone] = []
    for position, each in enumerate(process.stages):
        if each.is_terminal:
            continue
        for milestone in each.milestones:
            if milestone.key in done:
                continue
            if position >= current or milestone.mandatory:
                remaining.append(milestone)
    return tuple(remaining)


def next_steps(process: Process, stage_key: str, completed_keys: Iterable[str]) -> tuple[Milestone, ...]:
    """The current stage's open milestones, mandatory first, then in process order."""
    stage = process.stage(stage_key)
    if stage is None or stage.is_terminal:
        return ()
    done = process.current_milestone_keys(completed_keys)
    open_milestones = [m for m in stage.milestones if m.key not in done]
    return tuple(sorted(open_milestones, key=lambda m: not m.mandatory))


def next_stage(process: Process, stage_key: str) -> Stage | None:
    """The stage a deal advances into from `stage_key`: the next open stage, else the won stage."""
    stage = process.stage(stage_key)
    if stage is None or stage.is_terminal:
        return None
    for later in process.stages[process.position(stage.key) + 1 :]:
        if not later.is_terminal or later.outcome is Outcome.WON:
            return later
    return None


def blockers(process: Process, stage_key: str, completed_keys: Iterable[str]) -> GateResult | None:
    """The gate into the next stage, or None for a closed deal."""
    upcoming = next_stage(process, stage_key)
    return None if upcoming is None else check_gate(process, completed_keys, upcoming.key)


def strength(
    process: Process, stage_key: str, completed_keys: Iterable[str], *, lost_from_stage_key: str | None = None
) -> float:
    """Completed weight over the total weight of the stages reached so far, from 0 to 1.

    For a lost deal, the stages reached are those up to the one it was lost from (`lost_from_stage_key`,
    the `from_stage` of its last closed-lost event); without it, up to the furthest stage with a completed
    milestone. A deal whose stages so far carry no weight at all has strength 0: nothing proves it yet.
    """
    done = process.current_milestone_keys(completed_keys)
    stage = process.stage(stage_key)
    if stage is not None and stage.outcome is Outcome.LOST:
        stages = _reached_before_loss(process, done, lost_from_stage_key)
    else:
        stages = reached_stages(process, stage_key)
    milestones = [m for s in stages for m in s.milestones]
    total = sum(m.weight for m in milestones)
    if total == 0:
        return 0.0
    return round(sum(m.weight for m in milestones if m.key in done) / total, 4)


def _reached_before_loss(process: Process, done: frozenset[str], lost_from_stage_key: str | None) -> tuple[Stage, ...]:
    lost_from = process.stage(lost_from_stage_key) if lost_from_stage_key else None
    if lost_from is not None and not lost_from.is_terminal:
        return reached_stages(process, lost_from.key)
    worked = [s for s in process.open_stages if any(m.key in done for m in s.milestones)]
    return reached_stages(process, worked[-1].key) if worked else ()


class RecordedEvent(Protocol):
    """An entry of a deal's history, stored or as a plain record."""

    @property
    def kind(self) -> str: ...
    @property
    def from_stage(self) -> str | None: ...


def stage_lost_from(events: Iterable[RecordedEvent]) -> str | None:
    """The stage a deal was lost from: the `from_stage` of its last closed-lost event, if any."""
    lost_from = None
    for event in events:
        if event.kind == DealEventKind.CLOSED_LOST:
            lost_from = event.from_stage
    return lost_from


def plays_for_remaining(
    definitions: ProcessDefinitions, remaining: Iterable[Milestone], competitor_keys: Iterable[str]
) -> tuple[DealPlay, ...]:
    """The plays on these remaining milestones against the deal's competitors and the status quo."""
    against = set(competitor_keys) | {c.key for c in definitions.status_quo}
    return tuple(
        DealPlay(milestone=milestone, play=play)
        for milestone in remaining
        for play in milestone.plays
        if play.competitor in against
    )
