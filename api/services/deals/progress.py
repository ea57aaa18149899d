"""What one deal has done and has left, computed once per deal and request from its completions."""

from __future__ import annotations

from dataclasses import dataclass
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
        return deal_state.plays_for_remaining(definitions, self.remaining, competitor_keys)
