"""Read one YAML file defensively and find where a field sits in it.

Enablement staff edit these files by hand, and a server may reload them while running, so a broken or
hostile file must end in a clear problem, never a traceback: oversized files, bytes that are not UTF-8,
anchor/alias bombs, custom tags, deep nesting and duplicate keys are all refused before anything is built.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import yaml
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import MappingNode, Node, SequenceNode

from api.process.problems import Problem
from api.process.yaml_mistakes import Mistake, indentation_mistake, tab_mistake

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 24
_DUPLICATE = "duplicate key"

Loc = Sequence[str | int]

_BaseLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc]
    """libyaml's parser where available (20x faster than pure Python), with YAML 1.2's plain scalars:
    only true/false are booleans (so `no` and `on` stay text), no dates, no merge keys."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag.rsplit(":", 1)[-1] in {"int", "float", "null"}]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A parsed YAML document, the node tree it came from, and the name to report problems against."""

    name: str
    document: Any
    root: Node

    def locate(self, loc: Loc, *, at_key: bool = False) -> tuple[int, int, str]:
        """The 1-based line and column of the field at `loc`, and its printable path.

        Follows `loc` as far as the document allows; a missing field points at the mapping that
        should hold it. With `at_key`, a mapping entry points at its key rather than its value.
        """
        node = self.root
        mark = node.start_mark
        walked: list[str | int] = []
        for position, step in enumerate(loc):
            if isinstance(node, MappingNode) and isinstance(step, str):
                # The last of duplicate keys is the one that counts, as when the data is built.
                entry = next((kv for kv in reversed(node.value) if kv[0].value == step), None)
                if entry is None:
                    walked.extend(loc[position:])
                    break
                key_node, node = entry
                last = position == len(loc) - 1
                mark = key_node.start_mark if at_key and last else node.start_mark
            elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                node = node.value[step]
                mark = node.start_mark
            else:
                walked.extend(loc[position:])
                break
            walked.append(step)
        return mark.line + 1, mark.column + 1, field_path(walked)


def field_path(loc: Loc) -> str:
    """`('stages', 3, 'milestones', 1, 'key')` → `stages[3].milestones[1].key`."""
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def read_yaml(raw: bytes, name: str) -> tuple[SourceFile | None, list[Problem]]:
    """Parse `raw` into a document, or explain every reason it cannot be used."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [
            Problem(name, 1, 1, "", f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,} (split it)")
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return None, [
            Problem(name, line, column, "", f"byte 0x{raw[error.start]:02x} is not UTF-8; save the file as UTF-8")
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip() or all(
        not stripped or stripped.startswith("#") for stripped in (ln.strip() for ln in text.splitlines())
    ):
        return None, [Problem(name, 1, 1, "", "file is empty")]

    problems = list(_screen(text, name))
    if any(not p.message.startswith(_DUPLICATE) for p in problems):
        return None, problems
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        document = loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        return None, [_marked(error, name, text)]
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        return None, [Problem(name, 1, 1, "", f"cannot read YAML: {error}")]
    finally:
        loader.dispose()
    if not isinstance(document, dict):
        kind = "a list" if isinstance(document, list) else "a single value"
        return None, [Problem(name, 1, 1, "", f"the file must be a mapping of fields (`key: value`), not {kind}")]
    # Duplicate keys are reported but the file is still checked, so every other problem shows too.
    return SourceFile(name, document, root), problems


class _Mark(Protocol):
    line: int
    column: int


@dataclass
class _OpenCollection:
    is_mapping: bool
    keys: set[str] = field(default_factory=set)
    expecting_key: bool = True


def _screen(text: str, name: str) -> Iterator[Problem]:
    """Walk the parser's events (no objects built yet) and report what we refuse to build."""
    screen = _Screen()
    try:
        for event in yaml.parse(text, Loader=_Loader):
            mark = event.start_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            refusal = screen.refusal(event)
            if refusal is not None:
                yield Problem(name, line, column, "", refusal)
                return
            is_key = screen.is_key_next()
            if is_key and isinstance(event, ScalarEvent) and not screen.add_key(event.value):
                yield Problem(
                    name, line, column, "", f"{_DUPLICATE} '{event.value}' in the same mapping; keep only one"
                )
            refusal = screen.enter_or_leave(event, is_key=is_key)
            if refusal is not None:
                yield Problem(name, line, column, "", refusal)
                return
    except yaml.MarkedYAMLError as error:
        yield _marked(error, name, text)
    except yaml.YAMLError as error:
        yield Problem(name, 1, 1, "", f"cannot read YAML: {error}")


class _Screen:
    """Where a walk over a file's parser events is: the collections open around it, documents seen."""

    def __init__(self) -> None:
        self.open_collections: list[_OpenCollection] = []
        self.documents = 0

    def refusal(self, event: Any) -> str | None:
        """Why this event ends the walk, if it does: a second document, an anchor or alias, a tag."""
        if isinstance(event, DocumentStartEvent):
            self.documents += 1
            if self.documents == 2:
                return "only one YAML document per file"
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
            return "anchors and aliases (`&name`, `*name`) are not supported; write the value out in full"
        tag = getattr(event, "tag", None)
        if tag is not None and not _implicit(event):
            return f"YAML tags such as `{tag}` are not supported"
        return None

    def is_key_next(self) -> bool:
        """Whether the next node is a mapping key (and note that the node after it is a value)."""
        parent = self.open_collections[-1] if self.open_collections else None
        if parent is None or not parent.is_mapping:
            return False
        is_key = parent.expecting_key
        parent.expecting_key = not parent.expecting_key
        return is_key

    def add_key(self, key: str) -> bool:
        """Record a key of the innermost mapping; False when the mapping has it already."""
        keys = self.open_collections[-1].keys
        if key in keys:
            return False
        keys.add(key)
        return True

    def enter_or_leave(self, event: Any, *, is_key: bool) -> str | None:
        if isinstance(event, CollectionStartEvent):
            if is_key:
                return "a key must be plain text"
            self.open_collections.append(_OpenCollection(is_mapping=isinstance(event, MappingStartEvent)))
            if len(self.open_collections) > MAX_DEPTH:
                return f"nested more than {MAX_DEPTH} levels deep"
        elif isinstance(event, MappingEndEvent | SequenceEndEvent):
            self.open_collections.pop()
        return None


def _implicit(event: Any) -> bool:
    implicit = getattr(event, "implicit", None)
    if isinstance(event, ScalarEvent):
        return bool(implicit and (implicit[0] or implicit[1]))
    if isinstance(event, MappingStartEvent | SequenceStartEvent):
        return bool(implicit)
    return True


def _marked(error: yaml.MarkedYAMLError, name: str, text: str = "") -> Problem:
    """A parser error in plain English, at the line where the mistake most likely is."""
    problem = error.problem or ""
    lines = text.splitlines()
    at = error.problem_mark or error.context_mark
    found = _found_mistake(lines, problem, at.line if at is not None else len(lines) - 1)
    if found is not None:
        line, column, message = found
        return Problem(name, line, column, "", f"invalid YAML: {message}")
    at_context, message = _plain_message(error, text)
    mark = (error.context_mark if at_context else None) or error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return Problem(name, line, column, "", f"invalid YAML: {message}")


_INDENTATION_PROBLEMS = (
    "mapping values are not allowed",
    "expected <block end>",
    "did not find expected key",
    "expected '-' indicator",
)


def _found_mistake(lines: list[str], problem: str, at: int) -> Mistake | None:
    """A tab in the indentation, or a misindented line, that explains the parser's error."""
    found = tab_mistake(lines, at)
    if found is None and any(known in problem for known in _INDENTATION_PROBLEMS):
        found = indentation_mistake(lines, at)
    return found


def _plain_message(error: yaml.MarkedYAMLError, text: str) -> tuple[bool, str]:
    """The parser's problem in plain English, and whether it is best shown where the parser's context began."""
    problem = error.problem or ""
    context = error.context or ""
    if "could not find expected ':'" in problem:
        return True, "a field name needs a colon after it (`name: value`)"
    if "cannot start any token" in problem:
        found = _char_at(text, error.problem_mark)
        if found == "\t":
            return False, "a tab character: use spaces, never tabs"
        return False, f"`{found}` cannot start a value here; put the whole value in quotes"
    if "expected '-' indicator" in problem:
        return (
            False,
            "this line does not line up with the list above it: every item starts with '- ' in the same column",
        )
    if "did not find expected key" in problem and "block mapping" in context:
        return False, (
            "this line is indented differently from the fields above it (or a quote is not closed): "
            "fields of one thing start in the same column"
        )
    return False, _other_message(error, problem, context)


def _other_message(error: yaml.MarkedYAMLError, problem: str, context: str) -> str:
    if "nesting depth" in problem:
        return f"nested more than {MAX_DEPTH} levels deep"
    if "flow" in context or "flow" in problem:
        return "a list in [ ] or a mapping in { } is not closed, or has a stray comma"
    if "mapping values are not allowed" in problem:
        return "a second ': ' on this line: put a value that contains ': ' in quotes"
    if "found unexpected end of stream" in problem or "quoted scalar" in context:
        return "a quote is opened and never closed"
    return " ".join(part for part in (context, problem) if part) or str(error)


def _char_at(text: str, mark: _Mark | None) -> str:
    if mark is None:
        return "?"
    lines = text.splitlines()
    if mark.line >= len(lines) or mark.column >= len(lines[mark.line]):
        return "?"
    return lines[mark.line][mark.column]
