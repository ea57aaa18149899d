"""Turn a `process_definitions/` folder into one checked, immutable `ProcessDefinitions`.

The folder holds three kinds of file, told apart by the sub-folder they sit in, and one optional file:

    processes/*.yaml     one process each
    competitors/*.yaml   one battlecard each (the status quo included)
    content/*.yaml       the content library (`content: [...]`)
    branding.yaml        the guidebook's name, colours and logo

Every problem in every file is collected before giving up, so one `waymark check` lists them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from api.process.branding import check_logo
from api.process.lint import lint
from api.process.models import Branding, Competitor, ContentItem, ContentLibrary, Process, ProcessDefinitions
from api.process.problems import Problem, Severity
from api.process.validation import cross_check, describe_errors
from api.process.yaml_source import SourceFile, read_yaml

FOLDERS: dict[str, type[BaseModel]] = {
    "processes": Process,
    "competitors": Competitor,
    "content": ContentLibrary,
}
BRANDING_FILE = "branding.yaml"
"""The one file at the top of the folder: the guidebook's name, colours and logo (optional)."""


class DefinitionsInvalid(Exception):
    """The process definitions have errors; `problems` lists every one of them."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        errors = [p for p in self.problems if p.severity is Severity.ERROR]
        super().__init__("\n".join(str(p) for p in errors) or "process definitions are invalid")


@dataclass(frozen=True)
class CheckReport:
    """The outcome of reading a folder: the definitions (when there were no errors) and every problem."""

    definitions: ProcessDefinitions | None
    problems: tuple[Problem, ...] = field(default=())

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)


def read_definitions(directory: Path) -> CheckReport:
    """Read, validate and lint every file under `directory`. Never raises for bad content."""
    directory = Path(directory)
    if not directory.is_dir():
        return CheckReport(None, (Problem(str(directory), 0, 0, "", "no such folder"),))

    problems: list[Problem] = []
    sources: dict[str, list[SourceFile]] = {folder: [] for folder in FOLDERS}
    parsed: dict[str, list[tuple[SourceFile, BaseModel]]] = {folder: [] for folder in FOLDERS}
    for folder, model in FOLDERS.items():
        for path in sorted((directory / folder).glob("*.y*ml")):
            source, parsed_model = _read_file(path, directory, model, problems)
            if source is not None:
                sources[folder].append(source)
            if source is not None and parsed_model is not None:
                parsed[folder].append((source, parsed_model))
    branding = _read_branding(directory, problems)
    stray = sorted(p for p in directory.glob("*.y*ml") if p.name != BRANDING_FILE)
    problems.extend(
        Problem(
            _label(p, directory),
            0,
            0,
            "",
            f"YAML files belong in processes/, competitors/ or content/ ({BRANDING_FILE} is the only one allowed here)",
        )
        for p in stray
    )
    if not parsed["processes"] and not _has_errors(problems):
        problems.append(Problem(directory.as_posix(), 0, 0, "", "no process files in processes/"))

    problems.extend(cross_check(*(sources[folder] for folder in FOLDERS)))
    processes = [(source, model) for source, model in parsed["processes"] if isinstance(model, Process)]
    competitors = [(source, model) for source, model in parsed["competitors"] if isinstance(model, Competitor)]
    libraries = [(source, model) for source, model in parsed["content"] if isinstance(model, ContentLibrary)]
    if not _has_errors(problems):
        problems.extend(lint(processes, competitors, libraries))

    problems.sort(key=lambda p: (p.path, p.line, p.column))
    if _has_errors(problems):
        return CheckReport(None, tuple(problems))
    content: list[ContentItem] = [item for _, library in libraries for item in library.content]
    definitions = ProcessDefinitions(
        processes=tuple(p for _, p in processes),
        competitors=tuple(c for _, c in competitors),
        content=tuple(content),
        branding=branding or Branding(),
    )
    return CheckReport(definitions, tuple(problems))


def _read_file(
    path: Path, directory: Path, model: type[BaseModel], problems: list[Problem]
) -> tuple[SourceFile | None, BaseModel | None]:
    """One file parsed and validated against `model`; its problems are added to `problems`."""
    source, file_problems = read_yaml(path.read_bytes(), _label(path, directory))
    problems.extend(file_problems)
    if source is None:
        return None, None
    try:
        return source, model.model_validate(source.document)
    except ValidationError as error:
        problems.extend(describe_errors(source, error, model))
        return source, None


def _read_branding(directory: Path, problems: list[Problem]) -> Branding | None:
    """`branding.yaml`, if the folder has one, with its logo checked to be an image file in the folder."""
    path = directory / BRANDING_FILE
    if not path.is_file():
        return None
    source, branding = _read_file(path, directory, Branding, problems)
    if source is None or not isinstance(branding, Branding):
        return None
    problem = check_logo(source, directory, branding.logo)
    if problem is not None:
        problems.append(problem)
    return branding


def _has_errors(problems: list[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)


def load_definitions(directory: Path) -> ProcessDefinitions:
    """The checked definitions under `directory`; raises `DefinitionsInvalid` listing every error."""
    report = read_definitions(directory)
    if report.definitions is None:
        raise DefinitionsInvalid(report.problems)
    return report.definitions


def _label(path: Path, directory: Path) -> str:
    """The file as the folder was named, so `waymark check ../defs` reports `../defs/processes/x.yaml`:
    a path that opens from where the command ran."""
    return (directory / path.relative_to(directory)).as_posix()
