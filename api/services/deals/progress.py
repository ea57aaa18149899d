"""What one deal has done and has left, computed once per deal and request from its completions."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from api.process import Milestone, Process, ProcessDefinitions
from api.services.deals import state as deal_state
from api.services.deals.gates import GateResult


@dataclass(frozen=True)
class DealProgress:
    """The deal_state answers for one deal; each is computed on first use and then reused by every field."""

    process: Process
    stage_key: str
    completed_keys: tuple[str, ...]
    """As recorded (possibly former keys)."""
    _plays: dict[tuple[int, tuple[str, ...]], tuple[deal_state.DealPlay, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @cached_property
    def done(self) -> frozenset[str]:
        return self.process.current_milestone_keys(self.completed_keys)

    @cached_property
    def remaining(self) -> tuple[Milestone, ...]:
        return deal_state.remaining_milestones(self.process, self.stage_key, self.done)

    @cached_property
    def next_steps(self) -> tuple[Milestone, ...]:
        return deal_state.next_steps(self.process, self.stage_key, self.done)

    @cached_property
    def gate(self) -> GateResult | None:
        return deal_state.blockers(self.process, self.stage_key, self.done)

    @cached_property
    def strength(self) -> float:
        return deal_state.strength(self.process, self.stage_key, self.done)

    def strength_if_lost_from(self, stage_key: str | None) -> float:
        """The strength of a lost deal, over the stages up to the one it was lost from."""
        return deal_state.strength(self.process, self.stage_key, self.done, lost_from_stage_key=stage_key)

    def plays(self, definitions: ProcessDefinitions, competitor_keys: list[str]) -> tuple[deal_state.DealPlay, ...]:
        key = (id(definitions), tuple(competitor_keys))
        found = self._plays.get(key)
        if found is None:
            found = self._plays[key] = deal_state.plays_for_remaining(definitions, self.remaining, competitor_keys)
        return found


_shared: dict[tuple[int, str, tuple[str, ...]], tuple[Process, DealProgress]] = {}
SHARED_LIMIT = 20_000


def progress_of(process: Process, stage_key: str, completed_keys: tuple[str, ...]) -> DealProgress:
    """The progress of a deal in this state, shared by every deal in the same state (and by later requests): it
    depends only on the process, the stage and what was done, and a board shows many deals in the same state.
    Plays are remembered per definitions object; a published version brings new definitions and processes."""
    key = (id(process), stage_key, completed_keys)
    found = _shared.get(key)
    if found is not None and found[0] is process:
        return found[1]
    if len(_shared) >= SHARED_LIMIT:
        _shared.clear()
    progress = DealProgress(process=process, stage_key=stage_key, completed_keys=completed_keys)
    _shared[key] = (process, progress)
    return progress
