"""Errors in the process definitions: field-level messages and the checks that span files."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from pydantic_core import ErrorDetails

from api.process.models import Competitor, ContentLibrary, Outcome, Process
from api.process.problems import Problem
from api.process.yaml_source import Loc, SourceFile

Parsed = Sequence[tuple[SourceFile, Any]]


def describe_error(source: SourceFile, detail: ErrorDetails) -> Problem:
    """A pydantic validation error as a plain-English problem at the right line."""
    loc = [step for step in detail["loc"] if isinstance(step, int | str)]
    kind = detail["type"]
    value = detail.get("input")
    ctx = detail.get("ctx") or {}
    if kind == "missing":
        line, column, path = source.locate(loc[:-1])
        return Problem(source.name, line, column, path, f"required field '{loc[-1]}' is missing")
    if kind == "extra_forbidden":
        line, column, path = source.locate(loc, at_key=True)
        return Problem(source.name, line, column, path, f"unknown field '{loc[-1]}'{_allowed_fields(source, loc)}")
    line, column, path = source.locate(loc)
    return Problem(source.name, line, column, path, _message(kind, value, ctx, str(detail["msg"])))


def _message(kind: str, value: Any, ctx: dict[str, Any], fallback: str) -> str:
    shown = _show(value)
    if kind == "string_pattern_mismatch":
        return f"{shown} is not a valid key: use lower-case letters, digits and dashes, e.g. 'finance-sign-off'"
    if kind == "enum":
        return f"{shown} is not one of: {ctx.get('expected', '').replace(' or ', ', ')}"
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"expected a whole number, got {shown}"
    if kind in {"float_parsing", "float_type"}:
        return f"expected a number, got {shown}"
    if kind in {"bool_parsing", "bool_type"}:
        return f"expected true or false, got {shown}"
    if kind in {"string_type"}:
        return f"expected text, got {shown}"
    if kind in {"tuple_type", "list_type"}:
        return f"expected a list (lines starting with '- '), got {shown}"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"expected a mapping of fields (`key: value`), got {shown}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s)"
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        bound = {"greater_than_equal": "at least", "less_than_equal": "at most",
                 "greater_than": "more than", "less_than": "less than"}[kind]
        limit = next(iter(ctx.values()), "")
        hint = " (write 60% as 0.6)" if kind == "less_than_equal" and limit == 1 else ""
        return f"{shown} must be {bound} {limit}{hint}"
    return f"{fallback[0].lower()}{fallback[1:]} (got {shown})"


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _allowed_fields(source: SourceFile, loc: Loc) -> str:
    from api.process.loader import FOLDERS  # the model for this file depends on its folder

    folder = source.name.rsplit("/", 2)[-2] if "/" in source.name else ""
    model: Any = FOLDERS.get(folder)
    for step in loc[:-1]:
        if model is None:
            return ""
        if isinstance(step, str):
            annotation = model.model_fields.get(step)
            args = getattr(annotation.annotation, "__args__", ()) if annotation else ()
            model = next((a for a in args if hasattr(a, "model_fields")), None)
            if model is None and annotation is not None and hasattr(annotation.annotation, "model_fields"):
                model = annotation.annotation
    if model is None:
        return ""
    return f" (allowed: {', '.join(model.model_fields)})"


def cross_check(
    processes: Sequence[tuple[SourceFile, Process]],
    competitors: Sequence[tuple[SourceFile, Competitor]],
    libraries: Sequence[tuple[SourceFile, ContentLibrary]],
) -> Iterator[Problem]:
    """Checks that span fields or files: unique keys, references, terminal stages, renames."""
    yield from _unique_across_files("process", [(s, ("key",), p.key) for s, p in processes])
    yield from _unique_across_files("competitor", [(s, ("key",), c.key) for s, c in competitors])
    yield from _unique_across_files(
        "content",
        [(s, ("content", i, "key"), item.key) for s, lib in libraries for i, item in enumerate(lib.content)],
    )
    competitor_keys = sorted({c.key for _, c in competitors})
    content_keys = sorted({item.key for _, lib in libraries for item in lib.content})
    for source, process in processes:
        yield from _check_stages(source, process)
        yield from _check_renames(source, process)
        yield from _check_references(source, process, competitor_keys, content_keys)


def _unique_across_files(kind: str, entries: list[tuple[SourceFile, Loc, str]]) -> Iterator[Problem]:
    first_seen: dict[str, SourceFile] = {}
    for source, loc, key in entries:
        if key in first_seen:
            line, column, path = source.locate(loc)
            where = first_seen[key].name
            yield Problem(source.name, line, column, path, f"duplicate {kind} key '{key}' (also in {where})")
        else:
            first_seen[key] = source


def _check_stages(source: SourceFile, process: Process) -> Iterator[Problem]:
    won = [i for i, s in enumerate(process.stages) if s.outcome is Outcome.WON]
    lost = [i for i, s in enumerate(process.stages) if s.outcome is Outcome.LOST]
    line, column, path = source.locate(("stages",))
    if len(won) != 1:
        found = ", ".join(process.stages[i].key for i in won) or "none"
        yield Problem(source.name, line, column, path, f"needs exactly one stage with outcome: won (found: {found})")
    if not lost:
        yield Problem(source.name, line, column, path, "needs at least one stage with outcome: lost")
    if not process.open_stages:
        yield Problem(source.name, line, column, path, "needs at least one open stage before the won and lost ones")
    seen_terminal = False
    for index, stage in enumerate(process.stages):
        if stage.is_terminal:
            seen_terminal = True
            if stage.milestones:
                line, column, path = source.locate(("stages", index, "milestones"))
                yield Problem(
                    source.name, line, column, path,
                    f"'{stage.key}' is a {stage.outcome.value} stage; milestones belong in open stages",
                )
        elif seen_terminal:
            line, column, path = source.locate(("stages", index, "outcome"))
            yield Problem(
                source.name, line, column, path,
                f"open stage '{stage.key}' comes after a won or lost stage; list open stages first",
            )


def _check_renames(source: SourceFile, process: Process) -> Iterator[Problem]:
    """Stage keys and milestone keys, current and former, must each name one thing in a process."""
    for kind, owners in (
        ("stage", [(("stages", i), s.key, s.formerly) for i, s in enumerate(process.stages)]),
        ("milestone", [
            (("stages", i, "milestones", j), m.key, m.formerly)
            for i, s in enumerate(process.stages)
            for j, m in enumerate(s.milestones)
        ]),
    ):
        owner_of: dict[str, str] = {}
        for loc, key, _ in owners:
            if key in owner_of:
                line, column, path = source.locate((*loc, "key"))
                yield Problem(source.name, line, column, path, f"duplicate {kind} key '{key}' in this process")
            owner_of.setdefault(key, key)
        for loc, key, formerly in owners:
            for index, old in enumerate(formerly):
                line, column, path = source.locate((*loc, "formerly", index))
                if old == key:
                    yield Problem(source.name, line, column, path, f"'{old}' is this {kind}'s current key")
                elif old in owner_of:
                    yield Problem(
                        source.name, line, column, path,
                        f"former key '{old}' is ambiguous: it already names {kind} '{owner_of[old]}'",
                    )
                else:
                    owner_of[old] = key


def _check_references(
    source: SourceFile, process: Process, competitor_keys: list[str], content_keys: list[str]
) -> Iterator[Problem]:
    for i, stage in enumerate(process.stages):
        for j, milestone in enumerate(stage.milestones):
            at = ("stages", i, "milestones", j)
            for k, play in enumerate(milestone.plays):
                if play.competitor not in competitor_keys:
                    line, column, path = source.locate((*at, "plays", k, "competitor"))
                    yield Problem(
                        source.name, line, column, path,
                        f"unknown competitor '{play.competitor}' (known: {', '.join(competitor_keys) or 'none'})",
                    )
            seen: set[str] = set()
            for k, play in enumerate(milestone.plays):
                if play.competitor in seen:
                    line, column, path = source.locate((*at, "plays", k, "competitor"))
                    yield Problem(
                        source.name, line, column, path,
                        f"two plays against '{play.competitor}' on one milestone; merge them",
                    )
                seen.add(play.competitor)
            for k, use in enumerate(milestone.content):
                if use.content not in content_keys:
                    line, column, path = source.locate((*at, "content", k, "content"))
                    yield Problem(
                        source.name, line, column, path,
                        f"unknown content '{use.content}' (known: {_few(content_keys)})",
                    )
    if process.entry_stage is not None:
        entry = process.stage(process.entry_stage)
        line, column, path = source.locate(("entry_stage",))
        if entry is None:
            known = ", ".join(s.key for s in process.stages)
            yield Problem(source.name, line, column, path, f"unknown stage '{process.entry_stage}' (known: {known})")
        elif entry.is_terminal:
            yield Problem(source.name, line, column, path, f"new deals cannot start in {entry.outcome.value} stage")


def _few(keys: list[str], limit: int = 12) -> str:
    if not keys:
        return "none"
    shown = ", ".join(keys[:limit])
    return shown if len(keys) <= limit else f"{shown}, … {len(keys) - limit} more"
