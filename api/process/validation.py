"""Errors in the process definitions: field-level messages and the checks that span files."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from api.process.models import Outcome
from api.process.problems import Problem
from api.process.yaml_source import Loc, SourceFile


def describe_errors(source: SourceFile, error: ValidationError, model: type[BaseModel]) -> list[Problem]:
    """Each of pydantic's errors as a problem, without the echoes of errors inside a list."""
    details = error.errors()
    failing = [tuple(d["loc"]) for d in details if d["type"] != "too_short"]
    return [
        describe_error(source, detail, model)
        for detail in details
        if not (detail["type"] == "too_short" and any(loc[: len(detail["loc"])] == detail["loc"] for loc in failing))
    ]


def describe_error(source: SourceFile, detail: ErrorDetails, model: type[BaseModel]) -> Problem:
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
        return Problem(source.name, line, column, path, f"unknown field '{loc[-1]}'{_allowed_fields(model, loc)}")
    line, column, path = source.locate(loc)
    return Problem(source.name, line, column, path, _message(kind, value, ctx, str(detail["msg"])))


_SIMPLE_MESSAGES: dict[str, str] = {
    "string_pattern_mismatch": "{shown} is not a valid key: use lower-case letters, digits and dashes, "
    "e.g. 'finance-sign-off'",
    "int_parsing": "expected a whole number, got {shown}",
    "int_type": "expected a whole number, got {shown}",
    "int_from_float": "expected a whole number, got {shown}",
    "float_parsing": "expected a number, got {shown}",
    "float_type": "expected a number, got {shown}",
    "bool_parsing": "expected true or false, got {shown}",
    "bool_type": "expected true or false, got {shown}",
    "string_type": "expected text, got {shown}",
    "tuple_type": "expected a list (lines starting with '- '), got {shown}",
    "list_type": "expected a list (lines starting with '- '), got {shown}",
    "model_type": "expected a mapping of fields (`key: value`), got {shown}",
    "model_attributes_type": "expected a mapping of fields (`key: value`), got {shown}",
    "dict_type": "expected a mapping of fields (`key: value`), got {shown}",
    "string_too_short": "must not be empty",
}
_BOUNDS = {
    "greater_than_equal": "at least",
    "less_than_equal": "at most",
    "greater_than": "more than",
    "less_than": "less than",
}


def _message(kind: str, value: Any, ctx: dict[str, Any], fallback: str) -> str:
    shown = _show(value)
    if kind in _SIMPLE_MESSAGES:
        return _SIMPLE_MESSAGES[kind].format(shown=shown)
    if kind == "enum":
        expected = str(ctx.get("expected", "")).replace(" or ", ", ")
        fallback_hint = " (use 'other' for anything else)" if "'other'" in expected else ""
        return f"{shown} is not one of: {expected}{fallback_hint}"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s)"
    if kind in _BOUNDS:
        limit = next(iter(ctx.values()), "")
        hint = " (write 60% as 0.6)" if kind == "less_than_equal" and limit == 1 else ""
        return f"{shown} must be {_BOUNDS[kind]} {limit}{hint}"
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


def _allowed_fields(model: type[BaseModel], loc: Loc) -> str:
    """The fields the mapping at `loc` accepts, found by following `loc` through the model's fields."""
    current: type[BaseModel] | None = model
    for step in loc[:-1]:
        if current is None:
            return ""
        if isinstance(step, str):
            field = current.model_fields.get(step)
            annotation = field.annotation if field else None
            candidates = (annotation, *getattr(annotation, "__args__", ()))
            current = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
    return f" (allowed: {', '.join(current.model_fields)})" if current else ""


def cross_check(
    processes: Sequence[SourceFile],
    competitors: Sequence[SourceFile],
    libraries: Sequence[SourceFile],
) -> Iterator[Problem]:
    """Checks that span fields or files: unique keys, references, terminal stages, renames.

    They read the raw documents rather than the models, so a file with a type error elsewhere
    still gets its references checked: one `waymark check` lists every problem.
    """
    yield from _unique_across_files("process", [(s, ("key",), s.document.get("key")) for s in processes])
    yield from _unique_across_files("competitor", [(s, ("key",), s.document.get("key")) for s in competitors])
    yield from _unique_across_files(
        "content",
        [(s, ("content", i, "key"), item.get("key")) for s in libraries for i, item in _maps(s.document, "content")],
    )
    competitor_keys = sorted({k for s in competitors if isinstance(k := s.document.get("key"), str)})
    content_keys = sorted(
        {k for s in libraries for _, item in _maps(s.document, "content") if isinstance(k := item.get("key"), str)}
    )
    for source in processes:
        yield from _check_stages(source)
        yield from _check_renames(source)
        yield from _check_references(source, competitor_keys, content_keys)
        yield from _check_competitor_order(source, competitor_keys)


def _maps(node: Any, field: str) -> list[tuple[int, Any]]:
    """The mapping items of the list under `field`, with their indexes; nothing if it is not a list."""
    items = node.get(field) if isinstance(node, dict) else None
    if not isinstance(items, list):
        return []
    return [(index, item) for index, item in enumerate(items) if isinstance(item, dict)]


def _texts(node: Any, field: str) -> list[tuple[int, str]]:
    items = node.get(field) if isinstance(node, dict) else None
    if not isinstance(items, list):
        return []
    return [(index, item) for index, item in enumerate(items) if isinstance(item, str)]


def _unique_across_files(kind: str, entries: list[tuple[SourceFile, Loc, Any]]) -> Iterator[Problem]:
    first_seen: dict[str, SourceFile] = {}
    for source, loc, key in entries:
        if not isinstance(key, str):
            continue
        if key in first_seen:
            line, column, path = source.locate(loc)
            where = first_seen[key].name
            also = "earlier in this file" if where == source.name else f"also in {where}"
            yield Problem(source.name, line, column, path, f"duplicate {kind} key '{key}' ({also})")
        else:
            first_seen[key] = source


def _check_stages(source: SourceFile) -> Iterator[Problem]:
    stages = _maps(source.document, "stages")
    if not stages:
        return
    outcomes = [(i, stage.get("key"), stage.get("outcome", Outcome.OPEN.value)) for i, stage in stages]
    won = [str(key) for _, key, outcome in outcomes if outcome == Outcome.WON.value]
    line, column, path = source.locate(("stages",))
    if len(won) != 1:
        yield Problem(
            source.name,
            line,
            column,
            path,
            f"needs exactly one stage with outcome: won (found: {', '.join(won) or 'none'})",
        )
    if not any(outcome == Outcome.LOST.value for _, _, outcome in outcomes):
        yield Problem(source.name, line, column, path, "needs at least one stage with outcome: lost")
    if not any(outcome == Outcome.OPEN.value for _, _, outcome in outcomes):
        yield Problem(source.name, line, column, path, "needs at least one open stage before the won and lost ones")
    seen_terminal = False
    for index, stage in stages:
        outcome = stage.get("outcome", Outcome.OPEN.value)
        if outcome in (Outcome.WON.value, Outcome.LOST.value):
            seen_terminal = True
            if stage.get("milestones"):
                line, column, path = source.locate(("stages", index, "milestones"))
                yield Problem(
                    source.name,
                    line,
                    column,
                    path,
                    f"'{stage.get('key')}' is a {outcome} stage; milestones belong in open stages",
                )
        elif seen_terminal and outcome == Outcome.OPEN.value:
            line, column, path = source.locate(("stages", index, "key"))
            yield Problem(
                source.name,
                line,
                column,
                path,
                f"open stage '{stage.get('key')}' comes after a won or lost stage; list open stages first",
            )


def _check_renames(source: SourceFile) -> Iterator[Problem]:
    """Stage keys and milestone keys, current and former, must each name one thing in a process."""
    stages = _maps(source.document, "stages")
    for kind, owners in (
        ("stage", [(("stages", i), s) for i, s in stages]),
        ("milestone", [(("stages", i, "milestones", j), m) for i, s in stages for j, m in _maps(s, "milestones")]),
    ):
        owner_of: dict[str, str] = {}
        current = {owner.get("key") for _, owner in owners}
        for loc, owner in owners:
            key = owner.get("key")
            if not isinstance(key, str):
                continue
            if key in owner_of:
                line, column, path = source.locate((*loc, "key"))
                yield Problem(source.name, line, column, path, f"duplicate {kind} key '{key}' in this process")
            owner_of.setdefault(key, key)
        for loc, owner in owners:
            key = owner.get("key")
            for index, old in _texts(owner, "formerly"):
                line, column, path = source.locate((*loc, "formerly", index))
                if old == key:
                    yield Problem(source.name, line, column, path, f"'{old}' is this {kind}'s current key")
                elif old in current:
                    yield Problem(
                        source.name, line, column, path, f"former key '{old}' is the current key of another {kind}"
                    )
                elif old in owner_of:
                    yield Problem(
                        source.name,
                        line,
                        column,
                        path,
                        f"former key '{old}' is ambiguous: it already names {kind} '{owner_of[old]}'",
                    )
                else:
                    owner_of[old] = str(key)


def _check_references(source: SourceFile, competitor_keys: list[str], content_keys: list[str]) -> Iterator[Problem]:
    stages = _maps(source.document, "stages")
    for i, stage in stages:
        for j, milestone in _maps(stage, "milestones"):
            at = ("stages", i, "milestones", j)
            yield from _check_plays(source, at, milestone, competitor_keys)
            yield from _check_content_uses(source, at, milestone, content_keys)
    yield from _check_entry_stage(source, stages)


def _check_plays(
    source: SourceFile, at: Loc, milestone: dict[str, Any], competitor_keys: list[str]
) -> Iterator[Problem]:
    seen: set[str] = set()
    for k, play in _maps(milestone, "plays"):
        competitor = play.get("competitor")
        if not isinstance(competitor, str):
            continue
        line, column, path = source.locate((*at, "plays", k, "competitor"))
        if competitor not in competitor_keys:
            message = f"unknown competitor '{competitor}' (known: {_few(competitor_keys)})"
            yield Problem(source.name, line, column, path, message)
        elif competitor in seen:
            yield Problem(source.name, line, column, path, f"two plays against '{competitor}' on one milestone")
        seen.add(competitor)


def _check_content_uses(
    source: SourceFile, at: Loc, milestone: dict[str, Any], content_keys: list[str]
) -> Iterator[Problem]:
    for k, use in _maps(milestone, "content"):
        content = use.get("content")
        if isinstance(content, str) and content not in content_keys:
            line, column, path = source.locate((*at, "content", k, "content"))
            message = f"unknown content '{content}' (known: {_few(content_keys)})"
            yield Problem(source.name, line, column, path, message)


def _check_entry_stage(source: SourceFile, stages: list[tuple[int, dict[str, Any]]]) -> Iterator[Problem]:
    entry = source.document.get("entry_stage")
    if not isinstance(entry, str):
        return
    by_key = {s.get("key"): s for _, s in stages}
    line, column, path = source.locate(("entry_stage",))
    if entry not in by_key:
        known = ", ".join(str(k) for k in by_key)
        yield Problem(source.name, line, column, path, f"unknown stage '{entry}' (known: {known})")
    elif by_key[entry].get("outcome", Outcome.OPEN.value) != Outcome.OPEN.value:
        yield Problem(source.name, line, column, path, f"new deals cannot start in the closed stage '{entry}'")


def _check_competitor_order(source: SourceFile, competitor_keys: list[str]) -> Iterator[Problem]:
    seen: set[str] = set()
    for index, key in _texts(source.document, "competitor_order"):
        line, column, path = source.locate(("competitor_order", index))
        if key not in competitor_keys:
            yield Problem(
                source.name, line, column, path, f"unknown competitor '{key}' (known: {_few(competitor_keys)})"
            )
        elif key in seen:
            yield Problem(source.name, line, column, path, f"'{key}' is listed twice; list each competitor once")
        seen.add(key)


def _few(keys: list[str], limit: int = 12) -> str:
    if not keys:
        return "none"
    shown = ", ".join(keys[:limit])
    return shown if len(keys) <= limit else f"{shown}, … {len(keys) - limit} more"
