"""What a deal needs to enter a stage: every mandatory milestone of every earlier stage."""

from __future__ import annotations

from api.process import Milestone, Outcome, Process, Stage
from api.process import guide_urls as urls
from guidebook.text import inline, link


def entry_gate(process: Process, stage: Stage) -> list[tuple[Stage, tuple[Milestone, ...]]]:
    """The mandatory milestones needed to enter `stage`, grouped by the earlier stage they belong to."""
    earlier = process.stages[: process.position(stage.key)]
    return [(s, s.mandatory_milestones) for s in earlier if s.mandatory_milestones]


def gate_markdown(process: Process, stage: Stage, *, from_page: str) -> str:
    """The full entry gate of a stage in plain English, each milestone linked to its section."""
    if stage.outcome is Outcome.LOST:
        return f"No gate: a deal can move to {inline(stage.name)} from any stage."
    gate = entry_gate(process, stage)
    if not gate:
        return f"No gate: deals can enter {inline(stage.name)} without any milestone done."
    lines = [f"To enter {inline(stage.name)} you need:", ""]
    for earlier, milestones in gate:
        links = ", ".join(_milestone_link(process, earlier, m, from_page) for m in milestones)
        lines.append(f"- **{inline(earlier.name)}**: {links}")
    return "\n".join(lines)


def step_markdown(process: Process, stage: Stage, *, from_page: str) -> str:
    """The gate as a step from the stage before: what it adds to the gate of the previous stage."""
    if stage.outcome is Outcome.LOST:
        return f"A deal can move to {inline(stage.name)} from any stage."
    position = process.position(stage.key)
    if position == 0:
        return "No gate: new deals start here." if stage is process.first_stage else "No gate."
    previous = process.stages[position - 1]
    added = previous.mandatory_milestones
    earlier_gate = bool(entry_gate(process, previous))
    if not added:
        if earlier_gate:
            return f"To enter {inline(stage.name)} you need everything needed to enter {inline(previous.name)}."
        return f"No gate: deals can enter {inline(stage.name)} without any milestone done."
    links = ", ".join(_milestone_link(process, previous, m, from_page) for m in added)
    if earlier_gate:
        return (
            f"To enter {inline(stage.name)} you need everything needed to enter {inline(previous.name)}, "
            f"plus from {inline(previous.name)}: {links}."
        )
    return f"To enter {inline(stage.name)} you need, from {inline(previous.name)}: {links}."


def _milestone_link(process: Process, stage: Stage, milestone: Milestone, from_page: str) -> str:
    target = link(from_page, urls.stage_page(process.key, stage.key), milestone.key)
    return f"[{inline(milestone.title)}]({target})"
