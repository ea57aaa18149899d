"""Lint: what loads fine but will make the process harder to sell with."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from api.process.models import Competitor, ContentLibrary, Process
from api.process.problems import Problem, Severity
from api.process.yaml_source import Loc, SourceFile


def lint(
    processes: Sequence[tuple[SourceFile, Process]],
    competitors: Sequence[tuple[SourceFile, Competitor]],
    libraries: Sequence[tuple[SourceFile, ContentLibrary]],
) -> Iterator[Problem]:
    """Warnings, in file order. None of them stops a load."""
    for source, process in processes:
        yield from _lint_process(source, process)
    for source, library in libraries:
        for index, item in enumerate(library.content):
            if not item.url:
                yield _warn(source, ("content", index, "key"), f"content '{item.key}' has no link; reps cannot send it")
    used = {play.competitor for _, p in processes for m in p.milestones for play in m.plays}
    for source, competitor in competitors:
        if competitor.key not in used:
            yield _warn(source, ("key",), f"no milestone has a play against '{competitor.key}'")
    yield from _lint_labels(competitors)


def _lint_labels(competitors: Sequence[tuple[SourceFile, Competitor]]) -> Iterator[Problem]:
    """Tabs and buttons show a competitor's short name (or name): two alike cannot be told apart."""
    seen: dict[str, str] = {}
    for source, competitor in competitors:
        label = " ".join(competitor.label.split()).casefold()
        if label in seen:
            field = "short_name" if competitor.short_name else "name"
            yield _warn(
                source,
                (field,),
                f"'{competitor.key}' and '{seen[label]}' are both labelled '{competitor.label}' on tabs and "
                "buttons: give one a different short_name",
            )
        seen.setdefault(label, competitor.key)


def _lint_process(source: SourceFile, process: Process) -> Iterator[Problem]:
    yield from _lint_probabilities(source, process)
    for i, stage in enumerate(process.stages):
        if stage.is_terminal:
            continue
        if len(stage.milestones) > process.milestone_limit:
            yield _warn(
                source,
                ("stages", i, "milestones"),
                f"stage '{stage.key}' has {len(stage.milestones)} milestones, more than the limit of "
                f"{process.milestone_limit}: don't go milestone crazy (raise `milestone_limit` if you must)",
            )
        if not stage.mandatory_milestones:
            yield _warn(
                source,
                ("stages", i, "key"),
                f"open stage '{stage.key}' has no mandatory milestone, so nothing gates the stage after it",
            )
        for j, milestone in enumerate(stage.milestones):
            at = ("stages", i, "milestones", j)
            if not (milestone.ask and milestone.ask.strip()):
                yield _warn(
                    source,
                    (*at, "ask"),
                    f"milestone '{milestone.key}' has no ask: every milestone must tell the rep the next step",
                )
            if not milestone.questions:
                yield _warn(source, (*at, "questions"), f"milestone '{milestone.key}' has no questions to ask")


def _lint_probabilities(source: SourceFile, process: Process) -> Iterator[Problem]:
    """Open stages run in order, so each must be more likely to win than the one before (the forecast relies on it)."""
    previous = None
    for i, stage in enumerate(process.stages):
        if stage.is_terminal:
            continue
        if previous is not None and stage.probability <= previous.probability:
            yield _warn(
                source,
                ("stages", i, "probability"),
                f"stage '{stage.key}' has a probability of {stage.probability:g}, not higher than the "
                f"{previous.probability:g} of '{previous.key}' before it: open stages must rise",
            )
        previous = stage


def _warn(source: SourceFile, loc: Loc, message: str) -> Problem:
    line, column, path = source.locate(loc)
    return Problem(source.name, line, column, path, message, Severity.WARNING)
