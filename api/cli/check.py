"""`waymark check`: validate and lint the process definitions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.process.loader import CheckReport, read_definitions
from api.process.problems import Severity
from api.settings import default_process_dir


def register(app: typer.Typer) -> None:
    """Add `waymark check` to the app."""
    app.command()(check)


def check(
    directory: Annotated[
        Path | None, typer.Argument(help="The process definitions folder. Default: ./process_definitions.")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors (exit 1).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print problems as JSON, for editors and CI.")] = False,
) -> None:
    """Validate and lint the process files; list every problem as file:line:column: field: message."""
    folder = directory or default_process_dir()
    report = read_definitions(folder)
    failed = bool(report.errors) or (strict and bool(report.warnings))
    if as_json:
        typer.echo(json.dumps(_as_json(report), indent=2))
        raise typer.Exit(1 if failed else 0)
    out = Console(highlight=False, soft_wrap=True)
    for problem in report.problems:
        style = "red" if problem.severity is Severity.ERROR else "yellow"
        out.print(str(problem), style=style, markup=False)
    out.print(summary(report), markup=False)
    raise typer.Exit(1 if failed else 0)


def summary(report: CheckReport) -> str:
    """One line: what was loaded and how many problems."""
    errors, warnings = len(report.errors), len(report.warnings)
    tally = f"{_count(errors, 'error')}, {_count(warnings, 'warning')}"
    definitions = report.definitions
    if definitions is None:
        return f"process definitions are invalid: {tally}"
    stages = sum(len(p.stages) for p in definitions.processes)
    milestones = sum(len(p.milestones) for p in definitions.processes)
    return (
        f"{_count(len(definitions.processes), 'process', 'processes')}, {_count(stages, 'stage')}, "
        f"{_count(milestones, 'milestone')}, {_count(len(definitions.competitors), 'competitor')}, "
        f"{_count(len(definitions.content), 'content item')}: {tally}"
    )


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def _as_json(report: CheckReport) -> dict[str, object]:
    return {
        "ok": not report.errors,
        "problems": [
            {
                "path": p.path,
                "line": p.line,
                "column": p.column,
                "field": p.field,
                "severity": p.severity.value,
                "message": p.message,
            }
            for p in report.problems
        ],
        "summary": summary(report),
    }
