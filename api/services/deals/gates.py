"""The stage gate: a deal enters a stage only with every mandatory milestone of every earlier stage."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from api.process import Milestone, Process, Stage


@dataclass(frozen=True, slots=True)
class GateResult:
    """Whether a deal may enter `stage`, and if not, the mandatory milestones it lacks, in process order."""

    stage: Stage
    missing: tuple[Milestone, ...]

    @property
    def passed(self) -> bool:
        return not self.missing


def check_gate(process: Process, completed_keys: Iterable[str], to_stage: str) -> GateResult:
    """The gate into `to_stage` for a deal that has completed `completed_keys` (current or former keys).

    Raises KeyError for a stage the process does not have.
    """
    target = process.stage(to_stage)
    if target is None:
        raise KeyError(to_stage)
    done = process.current_milestone_keys(completed_keys)
    position = process.position(target.key)
    missing = tuple(
        milestone
        for stage in process.stages[:position]
        if not stage.is_terminal
        for milestone in stage.mandatory_milestones
        if milestone.key not in done
    )
    return GateResult(stage=target, missing=missing)
