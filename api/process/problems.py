"""A problem found in the process definitions, pointing at a file, line and column."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    """The file, as `process_definitions/processes/new-business.yaml`."""
    line: int
    """1-based; 0 when the problem concerns a folder rather than a place in a file."""
    column: int
    """1-based."""
    field: str
    """The field path in the file, e.g. `stages[3].milestones[1].plays[0].competitor`; empty for the file."""
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        """`path:line:column: field: message`, with `warning: ` before a warning's message."""
        parts = [f"{self.path}:{self.line}:{self.column}" if self.line else self.path]
        if self.field:
            parts.append(self.field)
        label = "warning: " if self.severity is Severity.WARNING else ""
        parts.append(f"{label}{self.message}")
        return ": ".join(parts)
