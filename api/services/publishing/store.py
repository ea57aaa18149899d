"""The process definitions a server serves, swapped only when a reload succeeds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from api.process import Problem, ProcessDefinitions, Severity, read_definitions


@dataclass(frozen=True, slots=True)
class ReloadOutcome:
    loaded: bool
    problems: tuple[Problem, ...]


class DefinitionsStore:
    """Holds the last good `ProcessDefinitions`; a failed reload keeps them and reports the problems."""

    def __init__(self, *, directory: Path, definitions: ProcessDefinitions | None = None) -> None:
        self.directory = directory
        self._definitions = definitions
        self.problems: tuple[Problem, ...] = ()

    @property
    def loaded(self) -> bool:
        return self._definitions is not None

    @property
    def current(self) -> ProcessDefinitions:
        if self._definitions is None:
            raise RuntimeError(f"no process definitions loaded from {self.directory}: {self.problems_text()}")
        return self._definitions

    def reload(self) -> ReloadOutcome:
        report = read_definitions(self.directory)
        self.problems = report.problems
        if report.definitions is None:
            return ReloadOutcome(loaded=False, problems=report.problems)
        self._definitions = report.definitions
        return ReloadOutcome(loaded=True, problems=report.problems)

    def problems_text(self) -> str:
        errors = [str(p) for p in self.problems if p.severity is Severity.ERROR]
        return "; ".join(errors) or "not loaded yet"
