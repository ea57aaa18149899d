"""`node(id)` for process content: every view is found again from the keys its ID names (`api/graphql/core/ids.py`).
Process content is visible to anyone signed in, so there is nothing more to check here."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from api.graphql.core.node import Node
from api.graphql.process.types import CompetitorType, MilestoneType, PlayType, ProcessType, StageType
from api.process import Milestone, Process, ProcessDefinitions


def process_content_node(definitions: ProcessDefinitions, type_name: str, keys: Sequence[str]) -> Node | None:
    """The view of type `type_name` the keys name, or None when the definitions have no such thing."""
    find = _FINDERS.get(type_name)
    return None if find is None else find(definitions, keys)


def _process(definitions: ProcessDefinitions, keys: Sequence[str]) -> Node | None:
    found = definitions.process(keys[0]) if len(keys) == 1 else None
    return None if found is None else ProcessType.of(found)


def _stage(definitions: ProcessDefinitions, keys: Sequence[str]) -> Node | None:
    process = definitions.process(keys[0]) if len(keys) == 2 else None
    stage = None if process is None else process.stage(keys[1])
    return None if process is None or stage is None else StageType.of(process, stage)


def _milestone(definitions: ProcessDefinitions, keys: Sequence[str]) -> Node | None:
    found = _process_milestone(definitions, keys, length=2)
    return None if found is None else MilestoneType.of(*found)


def _content(definitions: ProcessDefinitions, keys: Sequence[str]) -> Node | None:
    found = _process_milestone(definitions, keys[:2], length=2) if len(keys) in (3, 4) else None
    if found is None:
        return None
    occurrence = keys[3] if len(keys) == 4 else "1"
    uses = MilestoneType.of(*found).content
    return next((c for c in uses if c.key == keys[2] and str(c.occurrence) == occurrence), None)


def _play(definitions: ProcessDefinitions, keys: Sequence[str]) -> Node | None:
    found = _process_milestone(definitions, keys[:2], length=2) if len(keys) == 3 else None
    if found is None:
        return None
    play = next((p for p in found[1].plays if p.competitor == keys[2]), None)
    return None if play is None else PlayType.of(*found, play)


def _competitor(definitions: ProcessDefinitions, keys: Sequence[str]) -> Node | None:
    found = definitions.competitor(keys[0]) if len(keys) == 1 else None
    return None if found is None else CompetitorType.of(found)


def _process_milestone(
    definitions: ProcessDefinitions, keys: Sequence[str], *, length: int
) -> tuple[Process, Milestone] | None:
    process = definitions.process(keys[0]) if len(keys) == length else None
    milestone = None if process is None else process.milestone(keys[1])
    return None if process is None or milestone is None else (process, milestone)


_FINDERS: dict[str, Callable[[ProcessDefinitions, Sequence[str]], Node | None]] = {
    "Process": _process,
    "Stage": _stage,
    "Milestone": _milestone,
    "Content": _content,
    "Play": _play,
    "Competitor": _competitor,
}
