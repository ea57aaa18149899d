"""The process definitions as the guidebook sees them, with the live preview's memory.

A one-off build stops at the first invalid load. A live preview (`waymark guide serve`) keeps
going instead: it renders the last definitions that loaded cleanly and shows the errors on a page.
This module is never reloaded during a preview, so that memory survives rebuilds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from api.process import Problem, ProcessDefinitions, Severity, read_definitions
from api.process.loader import CheckReport

PROCESS_DIR_KEY = "waymark_process_dir"
"""The `extra` key in the MkDocs config that names the process definitions folder."""

_last_good: dict[Path, ProcessDefinitions] = {}
_readings: dict[Path, tuple[tuple[tuple[str, int, int], ...], CheckReport]] = {}
_preview = False


@dataclass(frozen=True)
class Loaded:
    definitions: ProcessDefinitions | None
    """What to render: the fresh definitions, or in a preview the last good ones (None if never good)."""
    problems: tuple[Problem, ...] = ()
    """Errors and warnings. In a preview, with paths relative to the folder the preview runs in."""

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def message(self) -> str:
        return "\n".join(str(p) for p in self.errors)


def set_preview(preview: bool) -> None:
    global _preview
    _preview = preview


def is_preview() -> bool:
    return _preview


def load(process_dir: Path) -> Loaded:
    """Read the folder, or reuse the last reading while no file in it has changed (YAML parsing is most
    of a build's time, and `build_site` checks the files before MkDocs' hook renders them)."""
    folder = Path(process_dir).resolve()
    fingerprint = _fingerprint(folder)
    cached = _readings.get(folder)
    if cached is None or cached[0] != fingerprint:
        cached = _readings[folder] = (fingerprint, read_definitions(folder))
    report = cached[1]
    problems = tuple(_shown(p) for p in report.problems) if _preview else report.problems
    if report.definitions is not None:
        _last_good[folder] = report.definitions
        return Loaded(report.definitions, problems)
    return Loaded(_last_good.get(folder) if _preview else None, problems)


def unrenderable(process_dir: Path, problem: Problem) -> Loaded:
    """Definitions that loaded but cannot be rendered: forget them and report why."""
    _last_good.pop(Path(process_dir).resolve(), None)
    return Loaded(None, (problem,))


def shown_path(path: Path | str) -> str:
    """A path as the preview shows it: relative to the folder it runs in, so it opens from the terminal."""
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive, on Windows
        return Path(path).as_posix()


def _shown(problem: Problem) -> Problem:
    return replace(problem, path=shown_path(problem.path)) if Path(problem.path).is_absolute() else problem


def _fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(found)
